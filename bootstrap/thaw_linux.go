package bootstrap

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// thawWhile keeps thawing the cgroup-v1 freezers of the given node
// containers until stop is called. runc freezes a container's cgroup
// while it sets the container up; a node killed at that moment (a cluster
// deleted while its pods start) leaves the pod's cgroup frozen, its
// processes stuck, and the node container impossible to remove. Thawing
// lets them receive the kill. Hosts with cgroup v2, or where the freezer
// is not writable, are left alone.
func thawWhile(containerIDs []string) (stop func()) {
	var dirs []string
	for _, id := range containerIDs {
		for _, d := range []string{
			"/sys/fs/cgroup/freezer/docker/" + id,
			"/sys/fs/cgroup/freezer/system.slice/docker-" + id + ".scope",
		} {
			if _, err := os.Stat(d); err == nil {
				dirs = append(dirs, d)
			}
		}
	}
	done := make(chan struct{})
	if len(dirs) == 0 {
		return func() {}
	}
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			for _, d := range dirs {
				thaw(d)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done) }
}

func thaw(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "freezer.state" {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == "FROZEN" && filepath.Dir(p) != dir {
			os.WriteFile(p, []byte("THAWED"), 0o644)
		}
		return nil
	})
}

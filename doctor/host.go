package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"
	"github.com/kubox-dev/kubox/registry"
)

// Free disk: node images, the registry's images and the model images take
// several GiB.
const (
	minDisk  = 3 << 30
	goodDisk = 10 << 30
)

func diskVerdict(name string, free uint64, detail, fix string) Check {
	detail = gib(free) + " free " + detail
	switch {
	case free < minDisk:
		return fail(name, detail, fix)
	case free < goodDisk:
		return warn(name, detail, fix)
	}
	return ok(name, detail)
}

func (d *Doctor) dockerDisk(e engine, spec Spec) Check {
	const name = "disk-docker"
	fix := "free space: `docker system prune` removes stopped containers and dangling images, `docker image prune -a` every unused image (Docker Desktop: or raise Settings > Resources > Disk usage limit)"
	root := ""
	if e.up() && e.infoErr == nil {
		root = e.info.DockerRootDir
	}
	if root != "" {
		if free, err := d.Files.FreeBytes(root); err == nil {
			return diskVerdict(name, free, "in "+root+" (Docker's data)", fix)
		}
	}
	// Docker Desktop keeps its data inside a VM, out of reach: the data
	// directory's filesystem is the best guess there is.
	free, dir, err := d.freeNear(spec.DataDir)
	if err != nil {
		if !e.up() {
			return notChecked(name)
		}
		return warn(name, "cannot tell how much space Docker has: "+err.Error(), "make sure Docker has 10 GiB of disk or more")
	}
	why := "Docker is not reachable"
	switch {
	case root != "":
		why = "Docker's data directory " + root + " is not readable from here"
	case e.up():
		why = "Docker did not say where it keeps its data"
	}
	return diskVerdict(name, free, fmt.Sprintf("on the filesystem of %s (%s)", dir, why), fix)
}

func (d *Doctor) dataDisk(spec Spec) Check {
	const name = "disk-data"
	free, dir, err := d.freeNear(spec.DataDir)
	if err != nil {
		return warn(name, fmt.Sprintf("cannot tell the free space for kubox's data in %s: %v", spec.DataDir, err),
			"check that the directory's parent exists and is readable, or choose another with --data-dir (KUBOX_DATA_DIR)")
	}
	return diskVerdict(name, free, fmt.Sprintf("in %s (kubox's data: registry images and volumes)", dir),
		"free space there, or keep kubox's data on a larger disk with --data-dir (KUBOX_DATA_DIR)")
}

// freeNear measures the filesystem of dir, or of its nearest existing
// parent: the data directory does not exist before the first up.
func (d *Doctor) freeNear(dir string) (uint64, string, error) {
	if dir == "" {
		return 0, "", errors.New("no data directory")
	}
	for {
		free, err := d.Files.FreeBytes(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			return free, dir, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return 0, dir, err
		}
		dir = parent
	}
}

func (d *Doctor) registryPort(ctx context.Context, e engine, spec Spec) Check {
	const name = "registry-port"
	addr := fmt.Sprintf("127.0.0.1:%d", spec.RegistryPort)
	fix := fmt.Sprintf("stop that program, or choose another port: --registry-port %d on every command (or export KUBOX_REGISTRY_PORT=%d)", spec.RegistryPort+1, spec.RegistryPort+1)
	err := d.Ports.Free(addr)
	if err == nil {
		return ok(name, addr+" is free for the registry")
	}
	if !e.up() {
		return fail(name, fmt.Sprintf("%s is in use by another program (%v)", addr, err), fix)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	c, ierr := d.Docker.ContainerInspect(ctx, spec.RegistryName)
	if ierr != nil {
		if !cerrdefs.IsNotFound(ierr) {
			return fail(name, fmt.Sprintf("%s is in use, and container %s cannot be inspected: %v", addr, spec.RegistryName, ierr), fix)
		}
		return fail(name, fmt.Sprintf("%s is in use by another program", addr), fix)
	}
	if !publishes(c.HostConfig, spec.RegistryPort) {
		return fail(name, fmt.Sprintf("%s is in use by another program", addr), fix)
	}
	if c.Config == nil || c.Config.Labels[registry.LabelManaged] != "true" {
		return fail(name, fmt.Sprintf("%s is held by container %s, which kubox did not create", addr, spec.RegistryName),
			fmt.Sprintf("remove or rename it (docker rm -f %s), or choose another port with --registry-port", spec.RegistryName))
	}
	return ok(name, fmt.Sprintf("%s is kubox's registry (container %s)", addr, spec.RegistryName))
}

// publishes reports whether the registry container publishes its port on
// the host's port.
func publishes(hc *container.HostConfig, port int) bool {
	if hc == nil {
		return false
	}
	for _, b := range hc.PortBindings[nat.Port(strconv.Itoa(registry.ContainerPort)+"/tcp")] {
		if b.HostPort == strconv.Itoa(port) {
			return true
		}
	}
	return false
}

func (d *Doctor) devPort(spec Spec) Check {
	const name = "dev-port"
	addr := fmt.Sprintf("127.0.0.1:%d", spec.DevPort)
	if err := d.Ports.Free(addr); err != nil {
		return warn(name, addr+" is in use: kubox dev will serve on the next free port",
			"free it for a stable address, or choose one with `kubox dev --port`")
	}
	return ok(name, addr+" is free for kubox dev")
}

// inotify limits: kubox dev watches every directory of the model tree, and
// each kind node runs systemd, containerd and the kubelet, which all hold
// inotify instances. kind's own advice is 524288 watches and 512 instances.
const (
	minWatches        = 8192
	suggestedWatches  = 524288
	minInstances      = 512
	watchesFile       = "/proc/sys/fs/inotify/max_user_watches"
	instancesFile     = "/proc/sys/fs/inotify/max_user_instances"
	sysctlPersistence = "(to keep it after a reboot, put the setting in /etc/sysctl.d/99-kubox.conf)"
)

func (d *Doctor) inotify(spec Spec) Check {
	const name = "inotify"
	if d.OS != "linux" {
		return ok(name, "not Linux: kubox dev does not use inotify here")
	}
	watches, err1 := readInt(d.Files, watchesFile)
	instances, err2 := readInt(d.Files, instancesFile)
	if err := errors.Join(err1, err2); err != nil {
		return warn(name, "cannot read the inotify limits: "+err.Error(),
			"make sure of them: `sudo sysctl fs.inotify.max_user_watches=524288` and `sudo sysctl fs.inotify.max_user_instances=512`")
	}
	// Counting stops once the answer is known: a tree of watches/2
	// directories is already too big, and a home directory can be huge.
	limit := max(watches, minWatches)/2 + 1
	dirs, err := d.Files.CountDirs(spec.WatchDir, limit)
	if err != nil {
		return warn(name, fmt.Sprintf("cannot count the directories under %s: %v", spec.WatchDir, err),
			"run kubox doctor in the directory that holds kubox.yaml")
	}
	need := max(minWatches, 2*dirs)
	counted := plural(dirs, "directory", "directories")
	if dirs >= limit {
		need = max(need, 2*watches)
		counted = "more than " + counted
	}
	detail := fmt.Sprintf("max_user_watches %d for %s under %s, max_user_instances %d", watches, counted, spec.WatchDir, instances)
	var fixes []string
	if watches < need {
		fixes = append(fixes, fmt.Sprintf("sudo sysctl fs.inotify.max_user_watches=%d", max(suggestedWatches, need)))
	}
	if instances < minInstances {
		fixes = append(fixes, fmt.Sprintf("sudo sysctl fs.inotify.max_user_instances=%d", minInstances))
	}
	if len(fixes) == 0 {
		return ok(name, detail)
	}
	return warn(name, detail+": kubox dev or kind's nodes may run out (\"too many open files\")",
		strings.Join(fixes, " && ")+" "+sysctlPersistence)
}

func readInt(f Files, name string) (int, error) {
	data, err := f.ReadFile(name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

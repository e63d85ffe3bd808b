package doctor

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// freePort is a port nothing listens on, so that the real port checks
// do not depend on what else runs on this machine.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestRunAgainstADeadDockerHost(t *testing.T) {
	// The real Docker client against a socket that does not exist: what a
	// user with a stale DOCKER_HOST sees.
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	dir := t.TempDir()
	r, err := Run(context.Background(), Spec{DataDir: filepath.Join(dir, "kubox"), WatchDir: dir,
		RegistryPort: freePort(t), DevPort: freePort(t)})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	c := find(r, "docker")
	if c.Status != StatusFail || !strings.Contains(c.Detail, "cannot reach Docker at unix:///nonexistent.sock") {
		t.Errorf("docker = %s, %q; want a failure naming the socket", c.Status, c.Detail)
	}
	if want := "is Docker running? start Docker Desktop, or `sudo systemctl start docker`, or unset DOCKER_HOST"; c.Fix != want {
		t.Errorf("docker fix = %q, want %q", c.Fix, want)
	}
	if r.OK {
		t.Error("Report.OK = true with Docker down")
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "(docker") {
		t.Errorf("Err() = %v, want it to name the docker check", err)
	}
}

func TestRunWithAnUnparsableDockerHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", "no-scheme-here")
	dir := t.TempDir()
	r, err := Run(context.Background(), Spec{DataDir: dir, WatchDir: dir, RegistryPort: freePort(t), DevPort: freePort(t)})
	if err != nil {
		t.Fatal(err)
	}
	if c := find(r, "docker"); c.Status != StatusFail || !strings.Contains(c.Detail, "configuring the Docker client") || !strings.Contains(c.Fix, "unset DOCKER_HOST") {
		t.Errorf("docker = %s, %q, fix %q; want the client's configuration error and the fix", c.Status, c.Detail, c.Fix)
	}
}

func TestHostFilesCountDirs(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"model/v1", "model/v2", "notebooks", ".git/objects/ab", "__pycache__", "data/raw/2024"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, ".kuboxignore"), []byte("data/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		limit int
		want  int
	}{
		// root, model, model/v1, model/v2, notebooks: .git and
		// __pycache__ are ignored by default, data/ by .kuboxignore.
		{"all", 100, 5},
		{"stops at the limit", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostFiles{}.CountDirs(root, tt.limit)
			if err != nil || got != tt.want {
				t.Errorf("CountDirs(limit %d) = %d, %v; want %d", tt.limit, got, err, tt.want)
			}
		})
	}
	if _, err := (hostFiles{}).CountDirs(filepath.Join(root, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CountDirs(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestHostFilesFreeBytes(t *testing.T) {
	dir := t.TempDir()
	if free, err := (hostFiles{}).FreeBytes(dir); err != nil || free == 0 {
		t.Errorf("FreeBytes(%s) = %d, %v; want some space", dir, free, err)
	}
	// doctor walks up from a data directory that does not exist yet on
	// this error.
	if _, err := (hostFiles{}).FreeBytes(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FreeBytes(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestTCPPorts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := (tcpPorts{}).Free(addr); err == nil {
		t.Errorf("Free(%s) = nil while it is listened on", addr)
	}
	l.Close()
	if err := (tcpPorts{}).Free(addr); err != nil {
		t.Errorf("Free(%s) = %v after it was released", addr, err)
	}
}

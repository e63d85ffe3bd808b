package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/client"
)

// fakeDocker is an engine that holds containers and images by name.
type fakeDocker struct {
	pingErr    error
	ping       types.Ping
	info       system.Info
	infoErr    error
	block      bool // Ping waits for its context, as a dead remote engine would
	containers map[string]container.InspectResponse
	images     map[string]image.InspectResponse
}

func (f *fakeDocker) Ping(ctx context.Context) (types.Ping, error) {
	if f.block {
		<-ctx.Done()
		return types.Ping{}, ctx.Err()
	}
	return f.ping, f.pingErr
}

func (f *fakeDocker) Info(ctx context.Context) (system.Info, error) {
	if f.pingErr != nil {
		panic("Info called on an engine that did not answer Ping")
	}
	return f.info, f.infoErr
}

func (f *fakeDocker) ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error) {
	if c, ok := f.containers[id]; ok {
		return c, nil
	}
	return container.InspectResponse{}, fmt.Errorf("no such container: %s: %w", id, cerrdefs.ErrNotFound)
}

func (f *fakeDocker) ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error) {
	if len(opts) > 0 {
		panic("fakeDocker: image inspect options are not implemented")
	}
	if img, ok := f.images[ref]; ok {
		return img, nil
	}
	return image.InspectResponse{}, fmt.Errorf("no such image: %s: %w", ref, cerrdefs.ErrNotFound)
}

// fakeFiles is a host whose files, filesystems and directory trees are
// listed by path; any other path does not exist.
type fakeFiles struct {
	files map[string]string
	free  map[string]uint64 // directory -> free bytes on its filesystem
	dirs  map[string]int    // root -> directories kubox dev would watch
}

func notExist(op, path string) error { return &fs.PathError{Op: op, Path: path, Err: fs.ErrNotExist} }

func (f *fakeFiles) ReadFile(name string) ([]byte, error) {
	if s, ok := f.files[name]; ok {
		return []byte(s), nil
	}
	return nil, notExist("open", name)
}

func (f *fakeFiles) FreeBytes(path string) (uint64, error) {
	if b, ok := f.free[path]; ok {
		return b, nil
	}
	return 0, notExist("statfs", path)
}

func (f *fakeFiles) CountDirs(root string, limit int) (int, error) {
	if n, ok := f.dirs[root]; ok {
		return min(n, limit), nil
	}
	return 0, notExist("lstat", root)
}

// fakePorts holds the addresses other programs listen on.
type fakePorts struct{ held map[string]bool }

func (f *fakePorts) Free(addr string) error {
	if f.held[addr] {
		return fmt.Errorf("listen tcp %s: bind: address already in use", addr)
	}
	return nil
}

// fakeRemote is a registry that has the images listed; it records what
// it was asked.
type fakeRemote struct {
	has   map[string]bool
	asked []string
}

func (f *fakeRemote) Head(ctx context.Context, ref string) error {
	f.asked = append(f.asked, ref)
	if f.has[ref] {
		return nil
	}
	return errors.New(`Get "https://index.docker.io/v2/": dial tcp: lookup index.docker.io: no such host`)
}

// machine is a fake host: healthyMachine is one where every check passes,
// which each test then breaks in one way.
type machine struct {
	docker  *fakeDocker
	files   *fakeFiles
	ports   *fakePorts
	remote  *fakeRemote
	path    map[string]string
	now     time.Time
	os      string
	arch    string
	hostSet bool
}

const (
	testNodeImage = "kindest/node:v1.37.0"
	testDataDir   = "/home/ds/.local/share/kubox"
	testWatchDir  = "/home/ds/iris"
)

func testNow() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }

func healthyMachine() *machine {
	return &machine{
		docker: &fakeDocker{
			ping: types.Ping{APIVersion: "1.51"},
			info: system.Info{ServerVersion: "28.5.2", OperatingSystem: "Ubuntu 24.04", MemTotal: 16 << 30,
				DockerRootDir: "/var/lib/docker", CgroupVersion: "2", Architecture: "x86_64",
				SystemTime: testNow().Add(2 * time.Second).Format(time.RFC3339Nano)},
			containers: map[string]container.InspectResponse{},
			images: map[string]image.InspectResponse{
				testNodeImage: {Architecture: "amd64"},
				"registry:2":  {Architecture: "amd64"},
			},
		},
		files: &fakeFiles{
			files: map[string]string{
				"/proc/meminfo":                     "MemTotal:       16318532 kB\nMemFree:         1000 kB\n",
				watchesFile:                         "524288\n",
				instancesFile:                       "512\n",
				"/sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
			},
			free: map[string]uint64{"/var/lib/docker": 100 << 30, "/home/ds": 200 << 30, "/home/ds/.local/share/kubox": 200 << 30},
			dirs: map[string]int{testWatchDir: 12},
		},
		ports:  &fakePorts{held: map[string]bool{}},
		remote: &fakeRemote{has: map[string]bool{}},
		path:   map[string]string{"docker": "/usr/bin/docker"},
		now:    testNow(),
		os:     "linux",
		arch:   "amd64",
	}
}

func (m *machine) doctor() *Doctor {
	return &Doctor{
		Docker: m.docker, DockerHost: "unix:///var/run/docker.sock", DockerHostSet: m.hostSet,
		Files: m.files, Ports: m.ports, Remote: m.remote,
		LookPath: func(file string) (string, error) {
			if p, ok := m.path[file]; ok {
				return p, nil
			}
			return "", fmt.Errorf("exec: %q: executable file not found in $PATH", file)
		},
		Now: func() time.Time { return m.now },
		OS:  m.os, Arch: m.arch,
		Timeout: time.Second,
	}
}

func testSpec() Spec {
	return Spec{NodeImage: testNodeImage, DataDir: testDataDir, WatchDir: testWatchDir}
}

// statuses maps each check's name to its status.
func statuses(r Report) map[string]Status {
	m := map[string]Status{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func find(r Report, name string) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{}
}

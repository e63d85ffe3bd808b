package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/client"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/kubox-dev/kubox/internal/ignore"
)

// New returns a Doctor for this machine: the Docker engine DOCKER_HOST
// names (or the default socket), negotiating the API version as every
// kubox command does; the host's files, ports and PATH; registries
// through the user's Docker credentials; the system clock.
func New() *Doctor {
	d := &Doctor{
		DockerHostSet: os.Getenv("DOCKER_HOST") != "",
		Files:         hostFiles{},
		Ports:         tcpPorts{},
		Remote:        registryHead{},
		LookPath:      exec.LookPath,
		Now:           time.Now,
		OS:            goruntime.GOOS,
		Arch:          goruntime.GOARCH,
	}
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		// A DOCKER_HOST that does not parse: the docker check reports it.
		d.DockerHost = os.Getenv("DOCKER_HOST")
		d.Docker = brokenDocker{fmt.Errorf("configuring the Docker client: %w", err)}
		return d
	}
	d.Docker, d.DockerHost, d.closer = c, c.DaemonHost(), c
	return d
}

// brokenDocker answers every question with the error that kept a client
// from being made.
type brokenDocker struct{ err error }

func (b brokenDocker) Ping(context.Context) (types.Ping, error)  { return types.Ping{}, b.err }
func (b brokenDocker) Info(context.Context) (system.Info, error) { return system.Info{}, b.err }
func (b brokenDocker) ContainerInspect(context.Context, string) (container.InspectResponse, error) {
	return container.InspectResponse{}, b.err
}
func (b brokenDocker) ImageInspect(context.Context, string, ...client.ImageInspectOption) (image.InspectResponse, error) {
	return image.InspectResponse{}, b.err
}

// hostFiles reads the host's filesystems.
type hostFiles struct{}

func (hostFiles) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (hostFiles) FreeBytes(path string) (uint64, error) { return freeBytes(path) }

// CountDirs walks root as the watcher would: ignored directories (the
// defaults and root/.kuboxignore) are skipped, unreadable ones too.
func (hostFiles) CountDirs(root string, limit int) (int, error) {
	skip, err := ignore.Load(root)
	if err != nil {
		return 0, err
	}
	n := 0
	errLimit := errors.New("limit reached")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return filepath.SkipDir // the watcher skips what it cannot read
		}
		if !d.IsDir() {
			return nil
		}
		if rel, _ := filepath.Rel(root, p); rel != "." && skip(filepath.ToSlash(rel), true) {
			return filepath.SkipDir
		}
		if n++; n >= limit {
			return errLimit
		}
		return nil
	})
	if errors.Is(err, errLimit) {
		return n, nil
	}
	return n, err
}

// tcpPorts probes ports by listening on them for a moment.
type tcpPorts struct{}

func (tcpPorts) Free(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// registryHead asks a registry for an image's manifest, which pulls
// nothing and does not count against Docker Hub's pull limit.
type registryHead struct{}

func (registryHead) Head(ctx context.Context, ref string) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	_, err = remote.Head(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	return err
}

package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fakeDocker keeps containers in memory and honours what it is asked: a
// started container publishes a tiny registry API on its bound host port.
// It tests kubox's logic, never that the registry works (the e2e suite does).
type fakeDocker struct {
	mu         sync.Mutex
	containers map[string]*container.InspectResponse
	servers    map[string]*http.Server
	files      map[string]string // "container:/path" -> content
}

func newFakeDocker() *fakeDocker {
	return &fakeDocker{containers: map[string]*container.InspectResponse{}, servers: map[string]*http.Server{}, files: map[string]string{}}
}

func (f *fakeDocker) ContainerInspect(_ context.Context, id string) (container.InspectResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return container.InspectResponse{}, cerrdefs.ErrNotFound.WithMessage("no such container " + id)
	}
	return *c, nil
}

func (f *fakeDocker) ContainerCreate(_ context.Context, cfg *container.Config, host *container.HostConfig, netcfg *network.NetworkingConfig, _ *ocispec.Platform, name string) (container.CreateResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.containers[name]; ok {
		return container.CreateResponse{}, cerrdefs.ErrConflict.WithMessage("name in use")
	}
	c := &container.InspectResponse{
		ContainerJSONBase: &container.ContainerJSONBase{Name: "/" + name, State: &container.State{}, HostConfig: host},
		Config:            cfg,
		NetworkSettings:   &container.NetworkSettings{Networks: map[string]*network.EndpointSettings{}},
	}
	for _, m := range host.Mounts {
		c.Mounts = append(c.Mounts, container.MountPoint{Type: m.Type, Source: m.Source, Destination: m.Target})
	}
	if netcfg != nil {
		for n := range netcfg.EndpointsConfig {
			c.NetworkSettings.Networks[n] = &network.EndpointSettings{}
		}
	}
	f.containers[name] = c
	return container.CreateResponse{ID: name}, nil
}

func (f *fakeDocker) ContainerStart(_ context.Context, id string, _ container.StartOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return cerrdefs.ErrNotFound.WithMessage("no such container " + id)
	}
	for _, b := range c.HostConfig.PortBindings[registryPort] {
		l, err := net.Listen("tcp", net.JoinHostPort(b.HostIP, b.HostPort))
		if err != nil {
			return errors.New("driver failed programming external connectivity: port is already allocated")
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v2/" {
				http.NotFound(w, r)
			}
		})}
		go srv.Serve(l)
		f.servers[id] = srv
	}
	c.State.Running = true
	return nil
}

func (f *fakeDocker) ContainerRemove(_ context.Context, id string, opts container.RemoveOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return cerrdefs.ErrNotFound.WithMessage("no such container " + id)
	}
	if c.State.Running && !opts.Force {
		return cerrdefs.ErrConflict.WithMessage("container is running")
	}
	if srv, ok := f.servers[id]; ok {
		srv.Close()
		delete(f.servers, id)
	}
	delete(f.containers, id)
	return nil
}

func (f *fakeDocker) NetworkConnect(_ context.Context, netName, id string, _ *network.EndpointSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return cerrdefs.ErrNotFound.WithMessage("no such container " + id)
	}
	c.NetworkSettings.Networks[netName] = &network.EndpointSettings{}
	return nil
}

func (f *fakeDocker) CopyFromContainer(_ context.Context, id, src string) (io.ReadCloser, container.PathStat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, ok := f.files[id+":"+src]
	if !ok {
		return nil, container.PathStat{}, cerrdefs.ErrNotFound.WithMessage("no such file " + src)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: path.Base(src), Mode: 0o644, Size: int64(len(body))})
	io.WriteString(tw, body)
	tw.Close()
	return io.NopCloser(&buf), container.PathStat{Name: path.Base(src), Size: int64(len(body))}, nil
}

func (f *fakeDocker) CopyToContainer(_ context.Context, id, dst string, content io.Reader, _ container.CopyToContainerOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	tr := tar.NewReader(content)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		var b strings.Builder
		io.Copy(&b, tr)
		f.files[id+":"+path.Join(dst, h.Name)] = b.String()
	}
}

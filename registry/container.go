package registry

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Docker is the part of the Docker engine API the registry container needs.
type Docker interface {
	ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error)
	ContainerCreate(ctx context.Context, config *container.Config, host *container.HostConfig, net *network.NetworkingConfig, platform *ocispec.Platform, name string) (container.CreateResponse, error)
	ContainerStart(ctx context.Context, id string, opts container.StartOptions) error
	ContainerRemove(ctx context.Context, id string, opts container.RemoveOptions) error
	NetworkConnect(ctx context.Context, network, id string, settings *network.EndpointSettings) error
}

const registryPort = nat.Port("5000/tcp")

// State is what exists of the registry container.
type State struct {
	Exists  bool
	Image   string // the image the container runs
	Managed bool   // carries kubox's label
	Running bool
	// Drift names the first way an existing container differs from the spec;
	// empty when it matches.
	Drift     string
	Connected bool // attached to Spec.Network
	// Port is the host port the container publishes, 0 if none.
	Port int
}

// Inspect reads the registry container and compares it with s.
func Inspect(ctx context.Context, d Docker, s Spec) (State, error) {
	c, err := d.ContainerInspect(ctx, s.Name)
	if cerrdefs.IsNotFound(err) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("inspecting container %q: %w", s.Name, err)
	}
	st := State{Exists: true}
	if c.Config != nil {
		st.Image, st.Managed = c.Config.Image, c.Config.Labels[LabelManaged] == "true"
	}
	if c.State != nil {
		st.Running = c.State.Running
	}
	if c.NetworkSettings != nil {
		_, st.Connected = c.NetworkSettings.Networks[s.Network]
	}
	st.Drift = drift(c, s)
	if c.HostConfig != nil {
		if b := c.HostConfig.PortBindings[registryPort]; len(b) > 0 {
			st.Port, _ = strconv.Atoi(b[0].HostPort)
		}
	}
	return st, nil
}

func drift(c container.InspectResponse, s Spec) string {
	if c.Config == nil || c.HostConfig == nil {
		return "incomplete container description"
	}
	if c.Config.Image != s.Image {
		return fmt.Sprintf("image %s, want %s", c.Config.Image, s.Image)
	}
	if c.Config.User != s.User {
		return fmt.Sprintf("user %q, want %q", c.Config.User, s.User)
	}
	b := c.HostConfig.PortBindings[registryPort]
	if len(b) != 1 || b[0].HostIP != "127.0.0.1" || b[0].HostPort != strconv.Itoa(s.Port) {
		return fmt.Sprintf("published as %v, want 127.0.0.1:%d", b, s.Port)
	}
	// The mounts as created, not as running: a container another kubox has
	// just created and not yet started has no running mounts.
	for _, m := range c.HostConfig.Mounts {
		if m.Target == dataPath {
			if m.Source != s.DataDir {
				return fmt.Sprintf("data in %s, want %s", m.Source, s.DataDir)
			}
			return ""
		}
	}
	return "no data directory mounted"
}

// dataPath is where registry:2 and its successors keep their storage.
const dataPath = "/var/lib/registry"

// CheckPort returns an error when the spec's port is taken by anything but
// the registry container in st. Run it before creating anything.
func CheckPort(st State, s Spec) error {
	if st.Running && st.Managed && st.Port == s.Port {
		// Held by kubox's own registry, which Ensure keeps or replaces.
		return nil
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port))
	if err != nil {
		return portTaken(s.Port)
	}
	return l.Close()
}

func portTaken(port int) error {
	return fmt.Errorf("port %d on 127.0.0.1 is in use by another program, so the registry cannot be published there: stop that program or choose another port with --registry-port", port)
}

// Ensure makes the registry container match s: created, running, published
// on 127.0.0.1 only, attached to the cluster network. It never touches the
// data directory: a container that drifted from s is replaced and finds its
// images where it left them. It returns a description of each change.
func Ensure(ctx context.Context, d Docker, s Spec) ([]string, error) {
	// Another kubox on the machine (parallel `kubox ci run`s) may create,
	// start or replace the container between two of these steps; the
	// container vanishing under a step means starting over.
	for attempt := 0; ; attempt++ {
		changes, err := ensure(ctx, d, s)
		if !cerrdefs.IsNotFound(err) || attempt == 2 {
			return changes, err
		}
	}
}

func ensure(ctx context.Context, d Docker, s Spec) ([]string, error) {
	st, err := Inspect(ctx, d, s)
	if err != nil {
		return nil, err
	}
	if st.Exists && !st.Managed {
		return nil, fmt.Errorf("a container named %q exists that kubox did not create: remove or rename it (docker rm -f %s), then retry", s.Name, s.Name)
	}
	var changes []string
	if st.Exists && st.Drift != "" {
		if err := d.ContainerRemove(ctx, s.Name, container.RemoveOptions{Force: true}); err != nil {
			return nil, fmt.Errorf("replacing registry container %q: %w", s.Name, err)
		}
		changes = append(changes, fmt.Sprintf("replaced registry container (%s); its data is kept", st.Drift))
		st = State{}
	}
	if !st.Exists {
		err := create(ctx, d, s)
		switch {
		case cerrdefs.IsConflict(err):
			// Another kubox (a parallel `kubox ci run`) created it first.
			if st, err = Inspect(ctx, d, s); err != nil {
				return changes, err
			}
		case err != nil:
			return changes, err
		default:
			if len(changes) == 0 {
				changes = append(changes, fmt.Sprintf("created registry %s (data in %s)", s.Host(), s.DataDir))
			}
			st = State{Exists: true, Connected: true}
		}
	}
	if !st.Connected {
		if err := d.NetworkConnect(ctx, s.Network, s.Name, nil); err != nil {
			return changes, fmt.Errorf("attaching registry %q to network %q: %w", s.Name, s.Network, err)
		}
		changes = append(changes, fmt.Sprintf("attached registry to network %q", s.Network))
	}
	if !st.Running {
		if err := d.ContainerStart(ctx, s.Name, container.StartOptions{}); err != nil && !alreadyStarted(ctx, d, s) {
			return changes, fmt.Errorf("starting registry %q: %w (if the port is in use, choose another with --registry-port)", s.Name, err)
		}
		if len(changes) == 0 {
			changes = append(changes, "started registry container")
		}
		if err := WaitHealthy(ctx, s, 30*time.Second); err != nil {
			return changes, err
		}
	}
	return changes, nil
}

func create(ctx context.Context, d Docker, s Spec) error {
	if err := os.MkdirAll(s.DataDir, 0o755); err != nil {
		return fmt.Errorf("creating registry data directory: %w", err)
	}
	cfg := &container.Config{
		Image:        s.Image,
		User:         s.User,
		ExposedPorts: nat.PortSet{registryPort: {}},
		Env:          []string{"REGISTRY_STORAGE_DELETE_ENABLED=true"},
		Labels:       map[string]string{LabelManaged: "true", LabelRole: "registry"},
	}
	host := &container.HostConfig{
		PortBindings:  nat.PortMap{registryPort: {{HostIP: "127.0.0.1", HostPort: strconv.Itoa(s.Port)}}},
		Mounts:        []mount.Mount{{Type: mount.TypeBind, Source: s.DataDir, Target: dataPath}},
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
	}
	netcfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{s.Network: {}}}
	if _, err := d.ContainerCreate(ctx, cfg, host, netcfg, nil, s.Name); err != nil {
		return fmt.Errorf("creating registry container %q: %w", s.Name, err)
	}
	return nil
}

// Healthy reports whether the registry answers the distribution API on its
// host port.
func Healthy(ctx context.Context, s Spec) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/v2/", s.Port), nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// WaitHealthy waits until the registry answers or timeout passes.
func WaitHealthy(ctx context.Context, s Spec, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for !Healthy(ctx, s) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("registry on 127.0.0.1:%d did not answer within %s: see `docker logs %s`", s.Port, timeout, s.Name)
		case <-t.C:
		}
	}
	return nil
}

// Remove deletes the registry container and, with purge, its data directory.
func Remove(ctx context.Context, d Docker, s Spec, purge bool) (bool, error) {
	err := d.ContainerRemove(ctx, s.Name, container.RemoveOptions{Force: true})
	removed := err == nil
	if err != nil && !cerrdefs.IsNotFound(err) {
		return false, fmt.Errorf("removing registry container %q: %w", s.Name, err)
	}
	if purge {
		if err := os.RemoveAll(s.DataDir); err != nil {
			return removed, fmt.Errorf("removing registry data: %w (remove %s by hand)", err, s.DataDir)
		}
	}
	return removed, nil
}

// alreadyStarted reports whether a start that failed lost a race with
// another kubox starting the same container.
func alreadyStarted(ctx context.Context, d Docker, s Spec) bool {
	st, err := Inspect(ctx, d, s)
	return err == nil && st.Running && st.Drift == ""
}

package doctor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/client"
	kinddefaults "sigs.k8s.io/kind/pkg/apis/config/defaults"
)

// APIVersion and Kind identify the JSON document a Report encodes to.
const (
	APIVersion = "kubox.dev/v1alpha1"
	Kind       = "Doctor"
)

// Status is a check's verdict.
type Status string

// The verdicts: a warning alone does not stop `kubox up`; a failure does.
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// Check is one thing doctor looked at.
type Check struct {
	// Name identifies the check; it does not change between versions.
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail is what was found.
	Detail string `json:"detail"`
	// Fix is what to do about a warning or a failure; empty when ok.
	Fix string `json:"fix"`
}

// Report is every check, in a fixed order.
type Report struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Checks     []Check `json:"checks"`
	// OK is false when any check failed.
	OK bool `json:"ok"`
}

// Err is nil unless a check failed; then it names the failed checks.
func (r Report) Err() error {
	var failed []string
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			failed = append(failed, c.Name)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	noun := "check"
	if len(failed) > 1 {
		noun = "checks"
	}
	return fmt.Errorf("%d %s failed (%s): apply the fixes above, then run kubox doctor again", len(failed), noun, strings.Join(failed, ", "))
}

// Spec says what kubox would use on this machine. Zero fields take kubox's
// defaults.
type Spec struct {
	// RegistryName and RegistryPort are the local registry's container and
	// its port on 127.0.0.1 (kubox-registry, 5001).
	RegistryName string
	RegistryPort int
	// DevPort is where `kubox dev` serves the model (18080).
	DevPort int
	// NodeImage is kind's node image (kind's default); RegistryImage the
	// registry's (registry:2).
	NodeImage, RegistryImage string
	// DataDir is kubox's data directory (registry images, volumes).
	DataDir string
	// WatchDir is the directory `kubox dev` would watch: the profile's.
	WatchDir string
	// RuntimeBinary and RuntimeImage are KUBOX_RUNTIME_BINARY and
	// KUBOX_RUNTIME_IMAGE: how a host that is not Linux serves models.
	RuntimeBinary, RuntimeImage string
}

// The defaults, the same as `kubox up`'s.
const (
	defaultRegistryName  = "kubox-registry"
	defaultRegistryPort  = 5001
	defaultDevPort       = 18080
	defaultRegistryImage = "registry:2"
)

func (s Spec) withDefaults() Spec {
	if s.RegistryName == "" {
		s.RegistryName = defaultRegistryName
	}
	if s.RegistryPort == 0 {
		s.RegistryPort = defaultRegistryPort
	}
	if s.DevPort == 0 {
		s.DevPort = defaultDevPort
	}
	if s.NodeImage == "" {
		s.NodeImage = kinddefaults.Image
	}
	if s.RegistryImage == "" {
		s.RegistryImage = defaultRegistryImage
	}
	if s.WatchDir == "" {
		s.WatchDir = "."
	}
	return s
}

// Docker is the part of the engine API doctor reads.
type Docker interface {
	Ping(ctx context.Context) (types.Ping, error)
	Info(ctx context.Context) (system.Info, error)
	ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error)
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
}

var _ Docker = (*client.Client)(nil)

// Files is what doctor reads from the host's filesystems.
type Files interface {
	ReadFile(name string) ([]byte, error)
	// FreeBytes is the space an unprivileged user may still write on the
	// filesystem that holds path.
	FreeBytes(path string) (uint64, error)
	// CountDirs counts the directories `kubox dev` would watch under root
	// (root included, ignored ones not), stopping at limit.
	CountDirs(root string, limit int) (int, error)
}

// Ports tells whether a local address is free.
type Ports interface {
	// Free returns nil when addr ("127.0.0.1:5001") can be listened on.
	Free(addr string) error
}

// Remote asks a registry about an image without pulling it.
type Remote interface {
	Head(ctx context.Context, ref string) error
}

// Doctor checks one machine. Every field but Timeout is needed; New fills
// them for the machine kubox runs on.
type Doctor struct {
	Docker Docker
	// DockerHost is where Docker was looked for, for messages.
	DockerHost string
	// DockerHostSet says that DOCKER_HOST chose DockerHost, so that
	// unsetting it is a fix.
	DockerHostSet bool
	Files         Files
	Ports         Ports
	Remote        Remote
	LookPath      func(file string) (string, error)
	Now           func() time.Time
	// OS and Arch are the host's, as GOOS and GOARCH name them.
	OS, Arch string
	// Timeout bounds each question to Docker or a registry, so that a dead
	// remote engine or an offline machine cannot hang doctor (default 5s).
	Timeout time.Duration

	closer interface{ Close() error }
}

// Close releases the Docker client New made.
func (d *Doctor) Close() error {
	if d.closer == nil {
		return nil
	}
	return d.closer.Close()
}

// Run checks this machine for spec: New, Check, Close.
func Run(ctx context.Context, spec Spec) (Report, error) {
	d := New()
	defer d.Close()
	return d.Check(ctx, spec)
}

// Check runs every check. The error is only ever the context's: a problem
// with the machine is a check's verdict, and Report.Err turns failures
// into an error.
func (d *Doctor) Check(ctx context.Context, spec Spec) (Report, error) {
	spec = spec.withDefaults()
	e := d.probe(ctx)
	steps := []func() Check{
		func() Check { return d.docker(e) },
		d.dockerCLI,
		func() Check { return d.clock(e) },
		func() Check { return d.memory(e) },
		func() Check { return d.dockerDisk(e, spec) },
		func() Check { return d.dataDisk(spec) },
		func() Check { return d.cgroup(e) },
		func() Check { return d.registryPort(ctx, e, spec) },
		func() Check { return d.devPort(spec) },
		func() Check { return d.image(ctx, e, "node-image", spec.NodeImage, "KUBOX_NODE_IMAGE") },
		func() Check { return d.image(ctx, e, "registry-image", spec.RegistryImage, "KUBOX_REGISTRY_IMAGE") },
		func() Check { return d.architecture(ctx, e, spec) },
		func() Check { return d.inotify(spec) },
	}
	r := Report{APIVersion: APIVersion, Kind: Kind, OK: true}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		c := step()
		r.Checks = append(r.Checks, c)
		if c.Status == StatusFail {
			r.OK = false
		}
	}
	return r, nil
}

func ok(name, detail string) Check { return Check{Name: name, Status: StatusOK, Detail: detail} }

func warn(name, detail, fix string) Check {
	return Check{Name: name, Status: StatusWarn, Detail: detail, Fix: fix}
}

func fail(name, detail, fix string) Check {
	return Check{Name: name, Status: StatusFail, Detail: detail, Fix: fix}
}

// notChecked is the verdict of a check that needs Docker when Docker does
// not answer: not a failure of its own, but nothing doctor can vouch for.
func notChecked(name string) Check {
	return warn(name, "not checked: Docker is not reachable", "fix the docker check first, then run kubox doctor again")
}

func (d *Doctor) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return 5 * time.Second
}

// gib formats bytes in GiB, which is how Docker Desktop and df -h count.
func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

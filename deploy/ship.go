package deploy

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/kubox-dev/kubox/build"
	"github.com/kubox-dev/kubox/internal/dockerx"
	"github.com/kubox-dev/kubox/internal/ignore"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/profiles"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Registry is where images go: Push is the name this machine pushes to,
// Pull the name the cluster's nodes pull the same repository by.
type Registry struct {
	Push, Pull string
}

// Shipper builds, pushes and deploys profiles to one cluster. It keeps the
// runtime base and the builder's file digests between ships, so the dev
// loop reads and pushes only what changed.
type Shipper struct {
	Deployer *Deployer
	// Env binds the deploy to the cluster (see ResolveEnv).
	Env      Env
	Progress *progress.Printer
	// RuntimeImage overrides the runtime base (KUBOX_RUNTIME_IMAGE).
	RuntimeImage string
	// RuntimeBinary is a Linux build of kubox for the nodes' platform to
	// assemble the base from (KUBOX_RUNTIME_BINARY), for hosts whose own
	// kubox cannot run on the nodes (macOS, another architecture). Empty,
	// with no RuntimeImage, uses this kubox binary.
	RuntimeBinary string
	// Timeout bounds each rollout.
	Timeout time.Duration
	// Engine builds custom servers from Dockerfiles; connected on first use.
	Engine build.Engine

	builder  build.Builder
	base     v1.Image
	platform v1.Platform
}

// Shipped is a version that serves.
type Shipped struct {
	Image       string // pull reference, by digest
	Version     string
	PushedBytes int64
	Build, Push time.Duration
	Outcome
}

// Ship builds the profile's model image, pushes what the registry lacks,
// and deploys it (see Deployer.Apply).
func (s *Shipper) Ship(ctx context.Context, p *profiles.Profile) (Shipped, error) {
	if err := s.Preflight(ctx, p); err != nil {
		return Shipped{}, err
	}
	out, err := s.Prepare(ctx, p)
	if err != nil {
		return out, err
	}
	return s.Deploy(ctx, p, out)
}

// Prepare builds the model image and pushes what the registry lacks. It
// changes nothing in the cluster, so cancelling it (a newer save arrived)
// is always safe.
func (s *Shipper) Prepare(ctx context.Context, p *profiles.Profile) (Shipped, error) {
	var out Shipped
	base, err := s.runtimeBase(ctx, p)
	if err != nil {
		return out, err
	}
	skip, err := modelIgnore(p.Model.Path)
	if err != nil {
		return out, err
	}
	step := s.Progress.Start("building %s", p.Name)
	img, err := s.builder.Build(ctx, build.Model{Name: p.Name, Format: string(p.Model.Format), Path: p.Model.Path, File: p.Model.File, Ignore: skip}, base)
	if err != nil {
		step.Fail()
		return out, fmt.Errorf("building %s: %w", p.Name, err)
	}
	out.Build = step.Done(fmt.Sprintf("built %s version %s (model %s)", p.Name, img.Version, humanBytes(img.ModelBytes)))
	out.Version = img.Version

	repo := path.Join(s.Env.Registry.Push, "kubox", p.Name)
	step = s.Progress.Start("pushing to %s", repo)
	pushed, err := build.Push(ctx, img.Image, repo, img.Version)
	if err != nil {
		step.Fail()
		return out, err
	}
	out.Push = step.Done(fmt.Sprintf("pushed %s to %s", humanBytes(pushed.Bytes), repo))
	out.PushedBytes = pushed.Bytes
	out.Image = path.Join(s.Env.Registry.Pull, "kubox", p.Name) + "@" + img.Digest.String()
	return out, nil
}

// Deploy upgrades the release to the image Prepare pushed, waits for it and
// verifies it; a failure is rolled back (see Deployer.Apply).
func (s *Shipper) Deploy(ctx context.Context, p *profiles.Profile, out Shipped) (Shipped, error) {
	step := s.Progress.Start("deploying %s to %s/%s", p.Name, s.Deployer.Target.Context, s.Deployer.Target.Namespace)
	version := out.Version
	if !p.Runtime.Builtin() {
		version = "" // a custom server reports versions its own way
	}
	oc, err := s.Deployer.Apply(ctx, Release{
		Name: p.Name, Image: out.Image, Values: Values(p, out.Image, s.Env), Port: serverPort(p),
		Version: version, Samples: Samples(p), Timeout: s.Timeout, Trial: !p.Runtime.Builtin(),
	})
	out.Outcome = oc
	if err != nil {
		step.Fail()
		return out, err
	}
	if oc.Unchanged {
		step.Done(fmt.Sprintf("%s %s already serves (revision %d): no changes", p.Name, out.Version, oc.Revision))
		return out, nil
	}
	step.Done(fmt.Sprintf("%s %s serves (revision %d: helm %s, rollout %s, verify %s)", p.Name, out.Version, oc.Revision,
		oc.Upgrade.Round(time.Millisecond), oc.Rollout.Round(time.Millisecond), oc.Verify.Round(time.Millisecond)))
	return out, nil
}

// modelIgnore leaves out of the image what the model directory's
// .kuboxignore and the defaults name: the same files `kubox dev` does not
// rebuild for.
func modelIgnore(path string) (func(string, bool) bool, error) {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return ignore.Defaults, nil
	}
	m, err := ignore.Load(path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// runtimeBase is the image the model is appended to: kubox itself
// (assembled once), a prebuilt server image, or a custom server built from
// a Dockerfile.
func (s *Shipper) runtimeBase(ctx context.Context, p *profiles.Profile) (v1.Image, error) {
	if s.platform.OS == "" {
		pl, err := s.nodePlatform(ctx)
		if err != nil {
			return nil, err
		}
		s.platform = pl
	}
	switch r := p.Runtime; {
	case r.Dockerfile != "":
		ref := path.Join(s.Env.Registry.Push, "kubox", p.Name) + ":runtime"
		if err := s.buildDockerfile(ctx, p, ref); err != nil {
			return nil, err
		}
		return s.remoteImage(ctx, ref)
	case r.Image != "":
		return s.remoteImage(ctx, r.Image)
	case s.base != nil:
		return s.base, nil
	case s.RuntimeImage != "":
		img, err := s.remoteImage(ctx, s.RuntimeImage)
		s.base = img
		return img, err
	}
	exe := s.RuntimeBinary
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("finding the kubox binary: %w", err)
		}
	}
	img, err := s.builder.SelfBase(exe, s.platform)
	if err != nil {
		return nil, err
	}
	s.base = img
	return img, nil
}

// buildDockerfile builds the profile's custom server with the Docker
// engine and pushes it to ref.
func (s *Shipper) buildDockerfile(ctx context.Context, p *profiles.Profile, ref string) error {
	if s.Engine == nil {
		d, err := dockerx.Connect(ctx)
		if err != nil {
			return fmt.Errorf("building the custom runtime needs Docker: %w", err)
		}
		s.Engine = d
	}
	step := s.Progress.Start("building the server from %s", p.Runtime.Dockerfile)
	var log strings.Builder
	err := build.BuildDockerfile(ctx, s.Engine, build.Dockerfile{
		Path: p.Runtime.Dockerfile, Context: p.Runtime.Context, BuildArgs: p.Runtime.BuildArgs,
		Platform: s.platform.OS + "/" + s.platform.Architecture,
	}, ref, &log)
	if err != nil {
		step.Fail()
		return fmt.Errorf("%w\n%s", err, lastLines(log.String(), 15))
	}
	step.Done("built and pushed the server from " + p.Runtime.Dockerfile)
	return nil
}

// remoteImage reads an image's manifest and config from its registry; its
// layers stay there, so appending to it moves no bytes.
func (s *Shipper) remoteImage(ctx context.Context, ref string) (v1.Image, error) {
	var opts []name.Option
	if build.IsLocal(ref) {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", ref, err)
	}
	img, err := remote.Image(r, remote.WithContext(ctx), remote.WithPlatform(s.platform), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, fmt.Errorf("fetching the runtime image %s: %w", ref, err)
	}
	return img, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}

// nodePlatform asks the cluster what its nodes run; without a cluster,
// Linux on this machine's architecture.
func (s *Shipper) nodePlatform(ctx context.Context) (v1.Platform, error) {
	if s.Deployer == nil {
		return build.HostPlatformFor("linux", build.HostPlatform().Architecture), nil
	}
	nodes, err := s.Deployer.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return v1.Platform{}, fmt.Errorf("reading the cluster's nodes: %w", err)
	}
	if len(nodes.Items) == 0 {
		return v1.Platform{}, fmt.Errorf("the cluster has no nodes")
	}
	info := nodes.Items[0].Status.NodeInfo
	return v1.Platform{OS: info.OperatingSystem, Architecture: info.Architecture}, nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0") + " " + string("KMGTPE"[exp]) + "iB"
}

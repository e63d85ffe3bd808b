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
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/profiles"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
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
	Registry Registry
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
	var out Shipped
	if !p.Runtime.Builtin() {
		return out, fmt.Errorf("profile %q names a custom runtime (image or dockerfile), which this kubox cannot build yet: use format onnx or xgboost with the built-in server", p.Name)
	}
	base, err := s.runtimeBase(ctx)
	if err != nil {
		return out, err
	}
	step := s.Progress.Start("building %s", p.Name)
	img, err := s.builder.Build(ctx, build.Model{Name: p.Name, Format: string(p.Model.Format), Path: p.Model.Path, File: p.Model.File, Ignore: build.DefaultIgnore}, base)
	if err != nil {
		step.Fail()
		return out, fmt.Errorf("building %s: %w", p.Name, err)
	}
	out.Build = step.Done(fmt.Sprintf("built %s version %s (model %s)", p.Name, img.Version, humanBytes(img.ModelBytes)))
	out.Version = img.Version

	repo := path.Join(s.Registry.Push, "kubox", p.Name)
	step = s.Progress.Start("pushing to %s", repo)
	pushed, err := build.Push(ctx, img.Image, repo, img.Version)
	if err != nil {
		step.Fail()
		return out, err
	}
	out.Push = step.Done(fmt.Sprintf("pushed %s to %s", humanBytes(pushed.Bytes), repo))
	out.PushedBytes = pushed.Bytes
	out.Image = path.Join(s.Registry.Pull, "kubox", p.Name) + "@" + img.Digest.String()

	step = s.Progress.Start("deploying %s to %s/%s", p.Name, s.Deployer.Target.Context, s.Deployer.Target.Namespace)
	oc, err := s.Deployer.Apply(ctx, Release{
		Name: p.Name, Image: out.Image, Values: Values(p, out.Image), Port: serverPort(p),
		Version: img.Version, Samples: Samples(p), Timeout: s.Timeout,
	})
	out.Outcome = oc
	if err != nil {
		step.Fail()
		return out, err
	}
	if oc.Unchanged {
		step.Done(fmt.Sprintf("%s %s already serves (revision %d): no changes", p.Name, img.Version, oc.Revision))
		return out, nil
	}
	step.Done(fmt.Sprintf("%s %s serves (revision %d: helm %s, rollout %s, verify %s)", p.Name, img.Version, oc.Revision,
		oc.Upgrade.Round(time.Millisecond), oc.Rollout.Round(time.Millisecond), oc.Verify.Round(time.Millisecond)))
	return out, nil
}

// runtimeBase is the image the model is appended to, assembled once.
func (s *Shipper) runtimeBase(ctx context.Context) (v1.Image, error) {
	if s.base != nil {
		return s.base, nil
	}
	if s.platform.OS == "" {
		p, err := s.nodePlatform(ctx)
		if err != nil {
			return nil, err
		}
		s.platform = p
	}
	if s.RuntimeImage != "" {
		ref, err := name.ParseReference(s.RuntimeImage)
		if err != nil {
			return nil, fmt.Errorf("KUBOX_RUNTIME_IMAGE %q: %w", s.RuntimeImage, err)
		}
		img, err := remote.Image(ref, remote.WithContext(ctx), remote.WithPlatform(s.platform), remote.WithAuthFromKeychain(authn.DefaultKeychain))
		if err != nil {
			return nil, fmt.Errorf("fetching the runtime image %s: %w", s.RuntimeImage, err)
		}
		s.base = img
		return img, nil
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

// nodePlatform asks the cluster what its nodes run.
func (s *Shipper) nodePlatform(ctx context.Context) (v1.Platform, error) {
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

// LocalRegistry reads the registry a cluster publishes in the KEP-1755
// ConfigMap kube-public/local-registry-hosting.
func LocalRegistry(ctx context.Context, d *Deployer) (Registry, error) {
	cm, err := d.Kube.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		return Registry{}, fmt.Errorf("finding the cluster's registry in kube-public/local-registry-hosting: %w (run `kubox up` first)", err)
	}
	var h struct {
		Host                     string `json:"host"`
		HostFromContainerRuntime string `json:"hostFromContainerRuntime"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &h); err != nil || h.Host == "" {
		return Registry{}, fmt.Errorf("kube-public/local-registry-hosting has no host: run `kubox up` to repair it")
	}
	r := Registry{Push: h.Host, Pull: h.HostFromContainerRuntime}
	if r.Pull == "" {
		r.Pull = r.Push
	}
	return r, nil
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

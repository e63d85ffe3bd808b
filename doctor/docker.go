package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
)

// minAPIVersion is the oldest engine API kubox works with.
const minAPIVersion = "1.41"

// engine is what the Docker engine said, asked once for every check.
type engine struct {
	err     error // why Docker did not answer; nil when it did
	ping    types.Ping
	info    system.Info
	infoErr error
}

func (e engine) up() bool { return e.err == nil }

func (d *Doctor) probe(ctx context.Context) engine {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	var e engine
	if e.ping, e.err = d.Docker.Ping(ctx); e.err != nil {
		return e
	}
	e.info, e.infoErr = d.Docker.Info(ctx)
	return e
}

func (d *Doctor) docker(e engine) Check {
	const name = "docker"
	if !e.up() {
		detail := "cannot reach Docker at " + d.DockerHost
		if !client.IsErrConnectionFailed(e.err) {
			detail += ": " + e.err.Error()
		}
		if strings.Contains(e.err.Error(), "permission denied") {
			return fail(name, detail, "let your user talk to Docker: `sudo usermod -aG docker $USER`, then log out and in again")
		}
		fix := "is Docker running? start Docker Desktop, or `sudo systemctl start docker`"
		if d.DockerHostSet {
			fix += ", or unset DOCKER_HOST"
		} else {
			fix += ", or set DOCKER_HOST to your engine's address"
		}
		return fail(name, detail, fix)
	}
	if versions.LessThan(e.ping.APIVersion, minAPIVersion) {
		return fail(name, fmt.Sprintf("Docker at %s speaks API %s; kubox needs %s or newer", d.DockerHost, e.ping.APIVersion, minAPIVersion),
			"upgrade Docker (https://docs.docker.com/engine/install/)")
	}
	if e.infoErr != nil {
		return warn(name, fmt.Sprintf("Docker at %s answers (API %s) but does not describe itself: %v", d.DockerHost, e.ping.APIVersion, e.infoErr),
			"restart Docker, then run kubox doctor again")
	}
	detail := fmt.Sprintf("Docker Engine %s (API %s) at %s", e.info.ServerVersion, e.ping.APIVersion, d.DockerHost)
	if e.info.OperatingSystem != "" {
		detail += ", " + e.info.OperatingSystem
	}
	return ok(name, detail)
}

func (d *Doctor) dockerCLI() Check {
	const name = "docker-cli"
	path, err := d.LookPath("docker")
	if err != nil {
		return fail(name, "the docker command is not on PATH; kind runs it to create the nodes",
			"install the Docker CLI (https://docs.docker.com/engine/install/), or add its directory to PATH")
	}
	return ok(name, path)
}

// maxSkew is how far Docker's clock may be from the host's before image
// pulls risk failing TLS checks ("certificate is not yet valid").
const maxSkew = time.Minute

func (d *Doctor) clock(e engine) Check {
	const name = "clock"
	if !e.up() || e.infoErr != nil {
		return notChecked(name)
	}
	engineTime, err := time.Parse(time.RFC3339Nano, e.info.SystemTime)
	if err != nil {
		return ok(name, "Docker does not report its clock")
	}
	skew := engineTime.Sub(d.Now())
	if skew.Abs() <= maxSkew {
		return ok(name, "Docker's clock agrees with this machine's")
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	return warn(name, fmt.Sprintf("Docker's clock is %s %s this machine's; pulls can fail with TLS errors", skew.Abs().Round(time.Second), dir),
		"restart Docker Desktop (its VM's clock drifts while the machine sleeps), or sync the clock: `sudo timedatectl set-ntp true`")
}

// Memory: a cluster serving a model takes about 1.5 GB.
const (
	minMemory  = 2 << 30
	goodMemory = 4 << 30
)

func (d *Doctor) memory(e engine) Check {
	const name = "memory"
	var total uint64
	var where string
	switch {
	case e.up() && e.infoErr == nil && e.info.MemTotal > 0:
		total, where = uint64(e.info.MemTotal), "for Docker"
	default:
		kb, err := memTotalKB(d.Files)
		if err != nil {
			if !e.up() {
				return notChecked(name)
			}
			return warn(name, "cannot tell how much memory there is: "+err.Error(), "make sure Docker has 4 GiB of memory or more")
		}
		total, where = kb<<10, "on this machine (Docker did not say how much it has)"
		if !e.up() {
			where = "on this machine (Docker is not reachable)"
		}
	}
	detail := fmt.Sprintf("%s %s; a cluster with a model needs about 1.5 GB", gib(total), where)
	fix := "free memory by closing other programs, or use a machine with 4 GiB or more"
	if strings.Contains(e.info.OperatingSystem, "Docker Desktop") {
		fix = "give Docker more memory: Docker Desktop > Settings > Resources > Memory, 4 GB or more"
	}
	switch {
	case total < minMemory:
		return fail(name, detail, fix)
	case total < goodMemory:
		return warn(name, detail, fix)
	}
	return ok(name, detail)
}

// memTotalKB reads MemTotal from /proc/meminfo.
func memTotalKB(f Files) (uint64, error) {
	data, err := f.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, found := strings.CutPrefix(line, "MemTotal:"); found {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, fmt.Errorf("reading /proc/meminfo: %q: %w", line, err)
			}
			return kb, nil
		}
	}
	return 0, errors.New("/proc/meminfo has no MemTotal")
}

func (d *Doctor) cgroup(e engine) Check {
	const name = "cgroup"
	version := ""
	if e.up() && e.infoErr == nil {
		version = e.info.CgroupVersion
	}
	if version == "" && d.OS == "linux" {
		// Older engines do not say; on Linux the host's hierarchy is theirs.
		_, err := d.Files.ReadFile("/sys/fs/cgroup/cgroup.controllers")
		switch {
		case err == nil:
			version = "2"
		case errors.Is(err, fs.ErrNotExist):
			version = "1"
		}
	}
	switch version {
	case "2":
		return ok(name, "cgroup v2")
	case "1":
		return warn(name, "cgroup v1: kind warns that it is deprecated, and a future kind will not run on it",
			"boot with cgroup v2: add systemd.unified_cgroup_hierarchy=1 to the kernel command line, or upgrade the distribution")
	}
	if !e.up() {
		return notChecked(name)
	}
	return ok(name, "cgroup version not reported")
}

// image checks that ref is on this machine, or can be pulled.
func (d *Doctor) image(ctx context.Context, e engine, name, ref, envVar string) Check {
	if !e.up() {
		return notChecked(name)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	_, err := d.Docker.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return ok(name, ref+" is on this machine")
	case !cerrdefs.IsNotFound(err):
		return warn(name, fmt.Sprintf("cannot look up %s: %v", ref, err), "restart Docker, then run kubox doctor again")
	}
	if err := d.Remote.Head(ctx, ref); err != nil {
		return fail(name, fmt.Sprintf("%s is not on this machine and not pullable: %v", ref, err),
			fmt.Sprintf("set %s to a local image (docker load -i ...), see Air-gapped machines in the README", envVar))
	}
	return warn(name, ref+" is not on this machine yet: it will be pulled on first up",
		"nothing to do with internet access; to prepare for working offline, `docker pull "+ref+"` now")
}

// architecture compares the host's architecture with the node image's, or
// with the engine's when the image is not here yet (the engine pulls its
// own architecture).
func (d *Doctor) architecture(ctx context.Context, e engine, spec Spec) Check {
	const name = "architecture"
	if !e.up() {
		return notChecked(name)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	var arch, of string
	if img, err := d.Docker.ImageInspect(ctx, spec.NodeImage); err == nil && img.Architecture != "" {
		arch, of = img.Architecture, "the node image "+spec.NodeImage
	} else if e.infoErr == nil && e.info.Architecture != "" {
		arch, of = goArch(e.info.Architecture), "Docker"
	} else {
		return ok(name, "Docker does not report its architecture")
	}
	if arch != d.Arch {
		return fail(name, fmt.Sprintf("%s is %s, but this machine is %s", of, arch, d.Arch),
			fmt.Sprintf("use a node image built for %s: set KUBOX_NODE_IMAGE, or remove the image (docker rmi %s) so that kubox up pulls the right one", d.Arch, spec.NodeImage))
	}
	if d.OS != "linux" && spec.RuntimeBinary == "" && spec.RuntimeImage == "" {
		return warn(name, fmt.Sprintf("%s/%s: this kubox cannot also be the model server in the Linux pods", d.OS, d.Arch),
			fmt.Sprintf("build kubox for the nodes (GOOS=linux GOARCH=%s CGO_ENABLED=0 go build -o kubox-linux ./cmd/kubox) and set KUBOX_RUNTIME_BINARY=$PWD/kubox-linux, or set KUBOX_RUNTIME_IMAGE to a kubox runtime image", d.Arch))
	}
	return ok(name, fmt.Sprintf("%s: this machine and %s agree", d.Arch, of))
}

// goArch names an engine's architecture (uname -m) as GOARCH does.
func goArch(uname string) string {
	switch uname {
	case "x86_64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	case "armv7l", "armhf":
		return "arm"
	}
	return uname
}

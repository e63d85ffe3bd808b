package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/go-connections/nat"
	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/registry"
)

func TestHealthyMachine(t *testing.T) {
	r, err := healthyMachine().doctor().Check(context.Background(), testSpec())
	if err != nil {
		t.Fatalf("Check() = %v", err)
	}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
		if c.Status != StatusOK {
			t.Errorf("check %s = %s (%s), want ok", c.Name, c.Status, c.Detail)
		}
	}
	want := []string{"docker", "docker-cli", "clock", "memory", "disk-docker", "disk-data", "cgroup",
		"registry-port", "dev-port", "node-image", "registry-image", "architecture", "inotify"}
	if !slices.Equal(names, want) {
		t.Errorf("checks = %v, want %v", names, want)
	}
	if !r.OK || r.Err() != nil {
		t.Errorf("Report.OK = %v, Err() = %v; want true, nil", r.OK, r.Err())
	}
	// The JSON document is an interface scripts rely on.
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "healthy.json"), append(b, '\n'))
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(m *machine, s *Spec)
		check  string
		want   Status
		// detail and fix must contain these.
		detail, fix string
		// others lists other checks' statuses that must follow.
		others map[string]Status
	}{
		{name: "docker down, DOCKER_HOST set", check: "docker", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.docker.pingErr = errors.New("dial unix /nonexistent.sock: connect: no such file or directory")
				m.hostSet = true
			},
			detail: "cannot reach Docker at unix:///var/run/docker.sock",
			fix:    "is Docker running? start Docker Desktop, or `sudo systemctl start docker`, or unset DOCKER_HOST",
			// Memory falls back to /proc/meminfo; what needs the engine
			// is not vouched for; nothing asks a registry.
			others: map[string]Status{"memory": StatusOK, "node-image": StatusWarn, "architecture": StatusWarn, "registry-port": StatusOK, "inotify": StatusOK}},
		{name: "docker down, default socket", check: "docker", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.docker.pingErr = errors.New("connection refused") },
			fix:    "or set DOCKER_HOST to your engine's address"},
		{name: "docker socket not permitted", check: "docker", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.docker.pingErr = errors.New("permission denied while trying to connect to the Docker daemon socket")
			},
			fix: "sudo usermod -aG docker $USER"},
		{name: "docker too old", check: "docker", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.docker.ping.APIVersion = "1.40" },
			detail: "speaks API 1.40; kubox needs 1.41 or newer", fix: "upgrade Docker"},
		{name: "docker reports its version", check: "docker", want: StatusOK,
			break_: func(m *machine, _ *Spec) {}, detail: "Docker Engine 28.5.2 (API 1.51) at unix:///var/run/docker.sock, Ubuntu 24.04"},
		{name: "no docker CLI", check: "docker-cli", want: StatusFail,
			break_: func(m *machine, _ *Spec) { delete(m.path, "docker") },
			detail: "kind runs it", fix: "install the Docker CLI"},
		{name: "clock skew", check: "clock", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.now = m.now.Add(-5 * time.Minute) },
			detail: "5m2s ahead of this machine's", fix: "restart Docker Desktop"},
		{name: "memory too little", check: "memory", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.docker.info.MemTotal = 1 << 30 },
			detail: "1.0 GiB for Docker", fix: "4 GiB or more"},
		{name: "memory low on Docker Desktop", check: "memory", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				m.docker.info.MemTotal = 3 << 30
				m.docker.info.OperatingSystem = "Docker Desktop"
			},
			detail: "3.0 GiB for Docker; a cluster with a model needs about 1.5 GB", fix: "Docker Desktop > Settings > Resources > Memory"},
		{name: "memory from /proc/meminfo without Docker", check: "memory", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.docker.pingErr = errors.New("down")
				m.files.files["/proc/meminfo"] = "MemTotal: 1048576 kB\n"
			},
			detail: "1.0 GiB on this machine"},
		{name: "memory unknown without Docker or /proc/meminfo", check: "memory", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				m.docker.pingErr = errors.New("down")
				delete(m.files.files, "/proc/meminfo")
			},
			detail: "not checked: Docker is not reachable"},
		{name: "docker disk full", check: "disk-docker", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.files.free["/var/lib/docker"] = 2 << 30 },
			detail: "2.0 GiB free in /var/lib/docker", fix: "docker system prune"},
		{name: "docker disk low", check: "disk-docker", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.files.free["/var/lib/docker"] = 5 << 30 }},
		{name: "docker data in a VM", check: "disk-docker", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				delete(m.files.free, "/var/lib/docker")
				m.files.free[testDataDir] = 6 << 30
			},
			detail: "6.0 GiB free on the filesystem of /home/ds/.local/share/kubox (Docker's data directory /var/lib/docker is not readable from here)"},
		{name: "data dir not made yet", check: "disk-data", want: StatusOK,
			break_: func(m *machine, _ *Spec) { delete(m.files.free, testDataDir) },
			detail: "200.0 GiB free in /home/ds (kubox's data"},
		{name: "data disk full", check: "disk-data", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.files.free[testDataDir] = 1 << 30 },
			fix:    "--data-dir (KUBOX_DATA_DIR)"},
		{name: "cgroup v1", check: "cgroup", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.docker.info.CgroupVersion = "1" },
			detail: "kind warns that it is deprecated", fix: "systemd.unified_cgroup_hierarchy=1"},
		{name: "cgroup v1 from the host when Docker does not say", check: "cgroup", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				m.docker.info.CgroupVersion = ""
				delete(m.files.files, "/sys/fs/cgroup/cgroup.controllers")
			}},
		{name: "registry port held by kubox's registry", check: "registry-port", want: StatusOK,
			break_: func(m *machine, _ *Spec) {
				m.ports.held["127.0.0.1:5001"] = true
				m.docker.containers["kubox-registry"] = registryContainer(5001, true)
			},
			detail: "127.0.0.1:5001 is kubox's registry"},
		{name: "registry port held by another program", check: "registry-port", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.ports.held["127.0.0.1:5001"] = true },
			detail: "127.0.0.1:5001 is in use by another program", fix: "--registry-port 5002"},
		{name: "registry port held by a container kubox did not make", check: "registry-port", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.ports.held["127.0.0.1:5001"] = true
				m.docker.containers["kubox-registry"] = registryContainer(5001, false)
			},
			detail: "kubox did not create", fix: "docker rm -f kubox-registry"},
		{name: "kubox's registry elsewhere, port held by another", check: "registry-port", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.ports.held["127.0.0.1:5001"] = true
				m.docker.containers["kubox-registry"] = registryContainer(5009, true)
			},
			detail: "in use by another program"},
		{name: "registry port from the spec", check: "registry-port", want: StatusFail,
			break_: func(m *machine, s *Spec) {
				s.RegistryPort = 6000
				m.ports.held["127.0.0.1:6000"] = true
			},
			detail: "127.0.0.1:6000", fix: "--registry-port 6001"},
		{name: "registry port held while Docker is down", check: "registry-port", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				m.docker.pingErr = errors.New("down")
				m.ports.held["127.0.0.1:5001"] = true
			}},
		{name: "dev port taken", check: "dev-port", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.ports.held["127.0.0.1:18080"] = true },
			detail: "next free port", fix: "kubox dev --port"},
		{name: "node image pullable", check: "node-image", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				delete(m.docker.images, testNodeImage)
				m.remote.has[testNodeImage] = true
			},
			detail: "will be pulled on first up"},
		{name: "node image neither here nor pullable", check: "node-image", want: StatusFail,
			break_: func(m *machine, _ *Spec) { delete(m.docker.images, testNodeImage) },
			detail: "not on this machine and not pullable: Get",
			fix:    "set KUBOX_NODE_IMAGE to a local image (docker load -i ...), see Air-gapped machines in the README"},
		{name: "node image from KUBOX_NODE_IMAGE", check: "node-image", want: StatusOK,
			break_: func(m *machine, s *Spec) {
				s.NodeImage = "kindest/node:offline"
				m.docker.images["kindest/node:offline"] = m.docker.images[testNodeImage]
				delete(m.docker.images, testNodeImage)
			},
			detail: "kindest/node:offline is on this machine"},
		{name: "registry image missing", check: "registry-image", want: StatusFail,
			break_: func(m *machine, _ *Spec) { delete(m.docker.images, "registry:2") },
			fix:    "set KUBOX_REGISTRY_IMAGE"},
		{name: "node image of another architecture", check: "architecture", want: StatusFail,
			break_: func(m *machine, _ *Spec) { m.docker.images[testNodeImage] = imageOf("arm64") },
			detail: "the node image kindest/node:v1.37.0 is arm64, but this machine is amd64", fix: "built for amd64"},
		{name: "engine of another architecture", check: "architecture", want: StatusFail,
			break_: func(m *machine, _ *Spec) {
				delete(m.docker.images, testNodeImage)
				m.remote.has[testNodeImage] = true
				m.docker.info.Architecture = "aarch64"
			},
			detail: "Docker is arm64, but this machine is amd64"},
		{name: "a Mac needs a Linux kubox for the pods", check: "architecture", want: StatusWarn,
			break_: func(m *machine, _ *Spec) {
				m.os, m.arch = "darwin", "arm64"
				m.docker.images[testNodeImage] = imageOf("arm64")
			},
			detail: "darwin/arm64", fix: "GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o kubox-linux ./cmd/kubox) and set KUBOX_RUNTIME_BINARY",
			others: map[string]Status{"inotify": StatusOK}},
		{name: "a Mac with KUBOX_RUNTIME_BINARY", check: "architecture", want: StatusOK,
			break_: func(m *machine, s *Spec) {
				m.os, m.arch = "darwin", "arm64"
				m.docker.images[testNodeImage] = imageOf("arm64")
				s.RuntimeBinary = "/tmp/kubox-linux"
			}},
		{name: "inotify watches low", check: "inotify", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.files.files[watchesFile] = "8192\n"; m.files.dirs[testWatchDir] = 5000 },
			detail: "max_user_watches 8192 for more than 4097 directories under /home/ds/iris",
			fix:    "sudo sysctl fs.inotify.max_user_watches=524288 (to keep it"},
		{name: "inotify watches under the floor", check: "inotify", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.files.files[watchesFile] = "4096" },
			fix:    "sudo sysctl fs.inotify.max_user_watches=524288"},
		{name: "inotify instances low", check: "inotify", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.files.files[instancesFile] = "128" },
			fix:    "sudo sysctl fs.inotify.max_user_instances=512"},
		{name: "a huge tree needs more than the usual advice", check: "inotify", want: StatusWarn,
			break_: func(m *machine, _ *Spec) { m.files.files[watchesFile] = "600000"; m.files.dirs[testWatchDir] = 400000 },
			detail: "max_user_watches 600000 for more than 300001 directories",
			fix:    "sudo sysctl fs.inotify.max_user_watches=1200000"},
		{name: "a tree that fits the limit", check: "inotify", want: StatusOK,
			break_: func(m *machine, _ *Spec) { m.files.dirs[testWatchDir] = 1 },
			detail: "max_user_watches 524288 for 1 directory under /home/ds/iris, max_user_instances 512"},
		{name: "inotify fine for the tree", check: "inotify", want: StatusOK,
			break_: func(m *machine, _ *Spec) { m.files.files[watchesFile] = "8192"; m.files.dirs[testWatchDir] = 4096 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, spec := healthyMachine(), testSpec()
			tt.break_(m, &spec)
			r, err := m.doctor().Check(context.Background(), spec)
			if err != nil {
				t.Fatalf("Check() = %v", err)
			}
			c := find(r, tt.check)
			if c.Status != tt.want || !strings.Contains(c.Detail, tt.detail) || !strings.Contains(c.Fix, tt.fix) {
				t.Errorf("check %s = %s, %q, fix %q; want %s, detail with %q, fix with %q", tt.check, c.Status, c.Detail, c.Fix, tt.want, tt.detail, tt.fix)
			}
			if c.Status != StatusOK && c.Fix == "" {
				t.Errorf("check %s = %s without a fix", tt.check, c.Status)
			}
			for name, want := range tt.others {
				if got := find(r, name); got.Status != want {
					t.Errorf("check %s = %s (%s), want %s", name, got.Status, got.Detail, want)
				}
			}
			failed := false
			for _, other := range r.Checks {
				failed = failed || other.Status == StatusFail
			}
			if r.OK == failed || (r.Err() == nil) == failed {
				t.Errorf("Report.OK = %v, Err() = %v, with a failed check: %v", r.OK, r.Err(), failed)
			}
		})
	}
}

func TestDockerDownAsksNoRegistry(t *testing.T) {
	m := healthyMachine()
	m.docker.pingErr = errors.New("down")
	delete(m.docker.images, testNodeImage)
	if _, err := m.doctor().Check(context.Background(), testSpec()); err != nil {
		t.Fatal(err)
	}
	if len(m.remote.asked) != 0 {
		t.Errorf("registries asked %v while Docker is down, want none", m.remote.asked)
	}
}

func TestImageCheckAsksForTheImage(t *testing.T) {
	m := healthyMachine()
	delete(m.docker.images, testNodeImage)
	delete(m.docker.images, "registry:2")
	spec := testSpec()
	spec.RegistryImage = "registry:offline"
	if _, err := m.doctor().Check(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if want := []string{testNodeImage, "registry:offline"}; !slices.Equal(m.remote.asked, want) {
		t.Errorf("registries asked for %v, want %v", m.remote.asked, want)
	}
}

func TestWarningsAloneAreOK(t *testing.T) {
	m := healthyMachine()
	m.docker.info.CgroupVersion = "1"
	m.ports.held["127.0.0.1:18080"] = true
	r, err := m.doctor().Check(context.Background(), testSpec())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.Err() != nil {
		t.Errorf("warnings only: OK = %v, Err() = %v; want true, nil", r.OK, r.Err())
	}
}

func TestErrNamesTheFailedChecks(t *testing.T) {
	r := Report{Checks: []Check{{Name: "docker", Status: StatusFail}, {Name: "memory", Status: StatusWarn}, {Name: "registry-port", Status: StatusFail}}}
	want := "2 checks failed (docker, registry-port): apply the fixes above, then run kubox doctor again"
	if err := r.Err(); err == nil || err.Error() != want {
		t.Errorf("Err() = %v, want %q", err, want)
	}
}

func TestDeadEngineTimesOut(t *testing.T) {
	m := healthyMachine()
	m.docker.block = true
	d := m.doctor()
	d.Timeout = 50 * time.Millisecond
	start := time.Now()
	r, err := d.Check(context.Background(), testSpec())
	if err != nil {
		t.Fatal(err)
	}
	if c := find(r, "docker"); c.Status != StatusFail || !strings.Contains(c.Detail, "deadline exceeded") {
		t.Errorf("docker = %s, %q; want a failure after the timeout", c.Status, c.Detail)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Check took %s with a 50ms timeout", elapsed)
	}
}

func TestCheckCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := healthyMachine().doctor().Check(ctx, testSpec()); !errors.Is(err, context.Canceled) {
		t.Errorf("Check(cancelled) = %v, want context.Canceled", err)
	}
}

func registryContainer(hostPort int, managed bool) container.InspectResponse {
	labels := map[string]string{}
	if managed {
		labels[registry.LabelManaged] = "true"
	}
	return container.InspectResponse{
		ContainerJSONBase: &container.ContainerJSONBase{
			HostConfig: &container.HostConfig{PortBindings: nat.PortMap{
				"5000/tcp": {{HostIP: "127.0.0.1", HostPort: itoa(hostPort)}},
			}},
		},
		Config: &container.Config{Labels: labels},
	}
}

func imageOf(arch string) image.InspectResponse { return image.InspectResponse{Architecture: arch} }

func itoa(n int) string { return strconv.Itoa(n) }

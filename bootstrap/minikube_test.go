package bootstrap

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubox-dev/kubox/internal/cmdrun"
	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/registry"
)

func TestMinikubeStartArgs(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, s := range []Spec{
		{Name: "kubox", Provider: ProviderMinikube, DataDir: "/data/kubox"},
		{Name: "dev", Provider: ProviderMinikube, DataDir: "/home/ds/.local/share/kubox", Workers: 2, NodeImage: "example.com/kicbase:v0.0.45"},
	} {
		b.WriteString("minikube " + strings.Join(minikubeStartArgs(s), " ") + "\n")
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "minikube-start.txt"), []byte(b.String()))
}

func TestVersionAtLeast(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v    string
		want bool
	}{{"1.32.0", true}, {"1.34.0", true}, {"1.31.2", false}, {"2.0.0", true}, {"1.32.0-beta.0", true}, {"0.9", false}} {
		if got := versionAtLeast(tt.v, "1.32.0"); got != tt.want {
			t.Errorf("versionAtLeast(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// standIn builds the minikube stand-in (testdata/minikube-standin), a
// program that keeps profiles as state and answers the CLI as minikube
// documents it. The tests below use it to check kubox's side of the
// contract only: the commands kubox sends, in which order, and what it
// does with the answers and failures. Whether minikube itself then makes a
// working cluster is for the end-to-end suite with KUBOX_E2E_PROVIDER.
func standIn(t *testing.T) (bin, state string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "minikube")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/kubox-dev/kubox/testdata/minikube-standin").CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in: %v\n%s", err, out)
	}
	state = filepath.Join(dir, "state")
	os.MkdirAll(state, 0o755)
	t.Setenv("STANDIN_DIR", state)
	t.Setenv("STANDIN_CONTAINERD_CONFIG", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n")
	return bin, state
}

type standInProfile struct {
	Running bool
	Nodes   int
	Args    []string
	Files   map[string]string
}

func readStandIn(t *testing.T, state, name string) (standInProfile, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, name+".json"))
	if err != nil {
		return standInProfile{}, false
	}
	var p standInProfile
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p, true
}

func TestMinikubeProviderKuboxSideAgainstStandIn(t *testing.T) {
	bin, state := standIn(t)
	ctx := context.Background()
	m := &minikubeProvider{run: cmdrun.Exec{}, bin: bin}
	s, err := Spec{Name: "ml", Provider: ProviderMinikube, DataDir: t.TempDir(), Workers: 1, Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig")}.Resolved()
	if err != nil {
		t.Fatal(err)
	}

	if nodes, err := m.Nodes(ctx, s); err != nil || len(nodes) != 0 {
		t.Fatalf("Nodes() before create = %v, %v, want none", nodes, err)
	}
	if err := m.Create(ctx, s); err != nil {
		t.Fatalf("Create() = %v", err)
	}
	p, ok := readStandIn(t, state, "ml")
	if !ok || !p.Running || strings.Join(p.Args, " ") != strings.Join(minikubeStartArgs(s)[1:], " ") {
		t.Fatalf("stand-in after Create: %+v", p)
	}
	if _, err := os.Stat(s.StorageDir()); err != nil {
		t.Errorf("storage directory not made: %v", err)
	}
	nodes, err := m.Nodes(ctx, s)
	if err != nil || len(nodes) != 2 || !nodes[0].Running || !nodes[0].Managed || nodes[0].Role != "control-plane" || nodes[1].Name != "ml-m02" {
		t.Fatalf("Nodes() = %+v, %v", nodes, err)
	}
	if s.Registry.Network != "ml" || s.Context() != "ml" {
		t.Errorf("network %q, context %q; want the profile's name", s.Registry.Network, s.Context())
	}

	// The registry's hosts files reach every node, once.
	for _, n := range nodes {
		if wrote, err := registry.EnsureNodeHosts(ctx, m.Files(s), n.Name, s.Registry); err != nil || !wrote {
			t.Fatalf("EnsureNodeHosts(%s) = %v, %v", n.Name, wrote, err)
		}
		if wrote, err := registry.EnsureNodeHosts(ctx, m.Files(s), n.Name, s.Registry); err != nil || wrote {
			t.Errorf("second EnsureNodeHosts(%s) = %v, %v, want no write", n.Name, wrote, err)
		}
	}
	p, _ = readStandIn(t, state, "ml")
	for rel, body := range registry.HostsFiles(s.Registry) {
		if got := p.Files["ml-m02:"+registry.CertsDir+"/"+rel]; got != body {
			t.Errorf("ml-m02 %s = %q, want %q", rel, got, body)
		}
	}

	kc, err := m.KubeConfig(ctx, s)
	if err != nil || !strings.Contains(string(kc), "current-context: ml") {
		t.Fatalf("KubeConfig() = %s, %v", kc, err)
	}
	if err := m.ClearVolumes(ctx, s, nodes); err != nil {
		t.Errorf("ClearVolumes() = %v", err)
	}
	if err := m.Delete(ctx, s, nodes); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if _, ok := readStandIn(t, state, "ml"); ok {
		t.Errorf("the profile survived Delete")
	}
	if hasContext(s.Kubeconfig, "ml") {
		t.Errorf("the kube context survived Delete")
	}
}

func TestMinikubeProviderFailuresAgainstStandIn(t *testing.T) {
	bin, state := standIn(t)
	spec := func(name string) Spec {
		s, err := Spec{Name: name, Provider: ProviderMinikube, DataDir: t.TempDir(), Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig")}.Resolved()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("not installed", func(t *testing.T) {
		m := &minikubeProvider{run: cmdrun.Exec{}, bin: filepath.Join(t.TempDir(), "no-minikube")}
		err := m.Create(context.Background(), spec("a"))
		if err == nil || !strings.Contains(err.Error(), "not installed") || !strings.Contains(err.Error(), "minikube.sigs.k8s.io") {
			t.Errorf("Create() without minikube = %v, want the install hint", err)
		}
		if nodes, err := m.Nodes(context.Background(), spec("a")); err != nil || len(nodes) != 0 {
			t.Errorf("Nodes() without minikube = %v, %v, want none", nodes, err)
		}
	})
	t.Run("too old", func(t *testing.T) {
		t.Setenv("STANDIN_VERSION", "v1.25.2")
		m := &minikubeProvider{run: cmdrun.Exec{}, bin: bin}
		if err := m.Create(context.Background(), spec("b")); err == nil || !strings.Contains(err.Error(), "1.25.2 is older than 1.32.0") {
			t.Errorf("Create() with an old minikube = %v", err)
		}
		if _, ok := readStandIn(t, state, "b"); ok {
			t.Errorf("an old minikube was asked to start")
		}
	})
	t.Run("start fails half-way", func(t *testing.T) {
		t.Setenv("STANDIN_FAIL", "start")
		m := &minikubeProvider{run: cmdrun.Exec{}, bin: bin}
		s := spec("c")
		err := m.Create(context.Background(), s)
		if err == nil || !strings.Contains(err.Error(), "GUEST_START") {
			t.Errorf("Create() = %v, want minikube's own message", err)
		}
		if _, ok := readStandIn(t, state, "c"); ok {
			t.Errorf("the half-made profile was left behind")
		}
		if _, err := os.Stat(s.StorageDir()); !os.IsNotExist(err) {
			t.Errorf("the storage directory was left behind")
		}
	})
	t.Run("cancelled during start", func(t *testing.T) {
		t.Setenv("STANDIN_SLEEP", "start")
		m := &minikubeProvider{run: cmdrun.Exec{}, bin: bin}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := m.Create(ctx, spec("d"))
		if err != context.DeadlineExceeded || time.Since(start) > 10*time.Second {
			t.Errorf("Create() = %v after %s, want the context's error promptly", err, time.Since(start))
		}
		if _, ok := readStandIn(t, state, "d"); ok {
			t.Errorf("the cancelled profile was left behind")
		}
	})
	t.Run("containerd without config_path", func(t *testing.T) {
		t.Setenv("STANDIN_CONTAINERD_CONFIG", "version = 2\n")
		m := &minikubeProvider{run: cmdrun.Exec{}, bin: bin}
		if err := m.Create(context.Background(), spec("e")); err == nil || !strings.Contains(err.Error(), "does not read registry hosts") {
			t.Errorf("Create() = %v, want the containerd problem named", err)
		}
	})
}

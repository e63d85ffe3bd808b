package registry

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/kubox-dev/kubox/internal/golden"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"
)

// freePort returns a port on 127.0.0.1 that nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func testSpec(t *testing.T) Spec {
	return Spec{Name: "kubox-registry", Image: "registry:2", Port: freePort(t), DataDir: t.TempDir(), Network: "kind", User: "1000:1000"}
}

func TestEnsure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newFakeDocker()
	s := testSpec(t)

	changes, err := Ensure(ctx, d, s)
	if err != nil || len(changes) != 1 || !strings.Contains(changes[0], "created registry") {
		t.Fatalf("first Ensure() = %q, %v, want one creation", changes, err)
	}
	st, err := Inspect(ctx, d, s)
	if err != nil || !st.Running || !st.Connected || !st.Managed || st.Drift != "" {
		t.Fatalf("Inspect() after Ensure = %+v, %v", st, err)
	}
	b := d.containers[s.Name].HostConfig.PortBindings[registryPort]
	if len(b) != 1 || b[0].HostIP != "127.0.0.1" {
		t.Errorf("port bindings = %+v, want 127.0.0.1 only", b)
	}
	if !Healthy(ctx, s) {
		t.Errorf("Healthy() = false after Ensure")
	}
	if changes, err := Ensure(ctx, d, s); err != nil || len(changes) != 0 {
		t.Errorf("second Ensure() = %q, %v, want no changes", changes, err)
	}
}

func TestEnsureRepairsDriftAndKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		drift func(d *fakeDocker, s Spec)
		want  string
	}{
		{"removed", func(d *fakeDocker, s Spec) { d.ContainerRemove(ctx, s.Name, container.RemoveOptions{Force: true}) }, "created registry"},
		{"disconnected", func(d *fakeDocker, s Spec) { delete(d.containers[s.Name].NetworkSettings.Networks, s.Network) }, "attached registry"},
		{"image changed", func(d *fakeDocker, s Spec) { d.containers[s.Name].Config.Image = "registry:2.7" }, "replaced registry container (image registry:2.7"},
		{"stopped", func(d *fakeDocker, s Spec) {
			d.servers[s.Name].Close()
			d.containers[s.Name].State.Running = false
		}, "started registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeDocker()
			s := testSpec(t)
			if _, err := Ensure(ctx, d, s); err != nil {
				t.Fatal(err)
			}
			blob := filepath.Join(s.DataDir, "docker", "registry", "v2", "blob")
			os.MkdirAll(filepath.Dir(blob), 0o755)
			os.WriteFile(blob, []byte("weights"), 0o644)

			tt.drift(d, s)
			changes, err := Ensure(ctx, d, s)
			if err != nil || len(changes) == 0 || !strings.Contains(changes[0], tt.want) {
				t.Fatalf("Ensure() = %q, %v, want a change like %q", changes, err, tt.want)
			}
			if st, _ := Inspect(ctx, d, s); !st.Running || !st.Connected || st.Drift != "" {
				t.Errorf("Inspect() after repair = %+v", st)
			}
			if got, err := os.ReadFile(blob); err != nil || string(got) != "weights" {
				t.Errorf("registry data after repair = %q, %v, want it kept", got, err)
			}
		})
	}
}

func TestEnsureRefusesForeignContainer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newFakeDocker()
	s := testSpec(t)
	d.ContainerCreate(ctx, &container.Config{Image: "nginx"}, &container.HostConfig{}, nil, nil, s.Name)
	_, err := Ensure(ctx, d, s)
	if err == nil || !strings.Contains(err.Error(), "kubox did not create") {
		t.Fatalf("Ensure() = %v, want a refusal", err)
	}
	if d.containers[s.Name].Config.Image != "nginx" {
		t.Errorf("the foreign container was changed")
	}
}

func TestCheckPort(t *testing.T) {
	t.Parallel()
	s := testSpec(t)
	if err := CheckPort(State{}, s); err != nil {
		t.Fatalf("CheckPort(free port) = %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(s.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = CheckPort(State{}, s)
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(s.Port)) || !strings.Contains(err.Error(), "--registry-port") {
		t.Errorf("CheckPort(taken port) = %v, want an error naming the port and --registry-port", err)
	}
	if err := CheckPort(State{Exists: true, Running: true, Managed: true, Port: s.Port, Drift: "data in /old, want /new"}, s); err != nil {
		t.Errorf("CheckPort(port held by our running registry) = %v, want nil", err)
	}
}

func TestHostsFiles(t *testing.T) {
	t.Parallel()
	s := Spec{Name: "kubox-registry", Port: 5001}
	files := HostsFiles(s)
	var out strings.Builder
	for _, p := range []string{"localhost:5001/hosts.toml", "kubox-registry:5000/hosts.toml"} {
		body, ok := files[p]
		if !ok {
			t.Fatalf("HostsFiles() has no %s: %v", p, files)
		}
		out.WriteString("# " + p + "\n" + body)
	}
	if len(files) != 2 {
		t.Errorf("HostsFiles() = %d files, want 2", len(files))
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "hosts-toml.txt"), []byte(out.String()))
}

func TestEnsureNodeHosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newFakeDocker()
	s := Spec{Name: "kubox-registry", Port: 5001}
	wrote, err := EnsureNodeHosts(ctx, ContainerFS{d}, "kubox-control-plane", s)
	if err != nil || !wrote {
		t.Fatalf("EnsureNodeHosts() = %v, %v, want a write", wrote, err)
	}
	for rel, body := range HostsFiles(s) {
		if got := d.files["kubox-control-plane:"+filepath.Join(CertsDir, rel)]; got != body {
			t.Errorf("%s = %q, want %q", rel, got, body)
		}
	}
	if wrote, err := EnsureNodeHosts(ctx, ContainerFS{d}, "kubox-control-plane", s); err != nil || wrote {
		t.Errorf("second EnsureNodeHosts() = %v, %v, want no write", wrote, err)
	}
	delete(d.files, "kubox-control-plane:/etc/containerd/certs.d/kubox-registry:5000/hosts.toml")
	if wrote, err := EnsureNodeHosts(ctx, ContainerFS{d}, "kubox-control-plane", s); err != nil || !wrote {
		t.Errorf("EnsureNodeHosts() after a file went missing = %v, %v, want a write", wrote, err)
	}
}

func TestHostingConfigMap(t *testing.T) {
	t.Parallel()
	got, err := yaml.Marshal(HostingConfigMap(Spec{Name: "kubox-registry", Port: 5001}))
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "local-registry-hosting.yaml"), got)
}

func TestEnsureHosting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fake.NewClientset()
	s := Spec{Name: "kubox-registry", Port: 5001}
	for i, want := range []bool{true, false} {
		if changed, err := EnsureHosting(ctx, c.CoreV1(), s); err != nil || changed != want {
			t.Fatalf("EnsureHosting() #%d = %v, %v, want %v", i+1, changed, err, want)
		}
	}
	s.Port = 5002
	if changed, err := EnsureHosting(ctx, c.CoreV1(), s); err != nil || !changed {
		t.Fatalf("EnsureHosting() after a port change = %v, %v, want a change", changed, err)
	}
	cm, err := c.CoreV1().ConfigMaps(HostingNamespace).Get(ctx, HostingName, metav1.GetOptions{})
	if err != nil || !strings.Contains(cm.Data["localRegistryHosting.v1"], `host: "localhost:5002"`) {
		t.Errorf("ConfigMap = %v, %v", cm.Data, err)
	}
}

package bootstrap

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/registry"
	"sigs.k8s.io/yaml"
)

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cluster string
		ok      bool
	}{
		{"default", "kubox", true},
		{"digits and dashes", "ci-1234-a", true},
		{"upper case", "Kubox", false},
		{"underscore", "my_cluster", false},
		{"leading dash", "-kubox", false},
		{"trailing dash", "kubox-", false},
		{"dot", "ku.box", false},
		{"empty", "", false},
		{"too long", strings.Repeat("a", 41), false},
		{"longest", strings.Repeat("a", 40), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateName(tt.cluster)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateName(%q) = %v, want ok=%v", tt.cluster, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "--name") {
				t.Errorf("ValidateName(%q) = %q, want the fix (--name) in the message", tt.cluster, err)
			}
		})
	}
}

func TestSpecDefaults(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	s, err := Spec{}.Resolved()
	if err != nil {
		t.Fatalf("Resolved() = %v", err)
	}
	want := registry.Spec{Name: "kubox-registry", Image: "registry:2", Port: 5001, DataDir: "/data/kubox/registry", Network: "kind", User: s.Registry.User}
	if s.Registry != want {
		t.Errorf("Registry = %+v, want %+v", s.Registry, want)
	}
	if got := s.StorageDir(); got != "/data/kubox/clusters/kubox/storage" {
		t.Errorf("StorageDir() = %q", got)
	}
	if s.NodeImage != DefaultNodeImage || s.Context() != "kind-kubox" {
		t.Errorf("NodeImage, Context = %q, %q", s.NodeImage, s.Context())
	}
	if _, err := (Spec{Registry: registry.Spec{Port: 70000}}).Resolved(); err == nil || !strings.Contains(err.Error(), "--registry-port") {
		t.Errorf("port 70000: Resolved() = %v, want an error naming --registry-port", err)
	}
}

func TestKindConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
	}{
		{"single-node", Spec{Name: "kubox", NodeImage: "kindest/node:v1.37.2", DataDir: "/data/kubox"}},
		{"two-workers", Spec{Name: "dev", NodeImage: "example.com/node:air-gapped", DataDir: "/home/ds/.local/share/kubox", Workers: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := yaml.Marshal(KindConfig(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "kind-config-"+tt.name+".yaml"), got)
		})
	}
}

func TestRetainClass(t *testing.T) {
	t.Parallel()
	got, err := yaml.Marshal(RetainClass())
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "storageclass-kubox-retain.yaml"), got)
}

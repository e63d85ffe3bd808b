package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/internal/ignore"
	"github.com/kubox-dev/kubox/runtime"
)

func TestWorkflow(t *testing.T) {
	tests := []struct{ version, install string }{
		{"v1.2.3", "@v1.2.3"},
		{"(devel)", "@latest"},
		{"v0.0.0-20260101000000-abcdef123456+dirty", "@latest"},
		{"", "@latest"},
	}
	for _, tt := range tests {
		got, err := renderWorkflow(tt.version)
		if err != nil {
			t.Fatal(err)
		}
		if want := "CGO_ENABLED=0 go install github.com/kubox-dev/kubox/cmd/kubox" + tt.install + "\n"; !strings.Contains(string(got), want) {
			t.Errorf("renderWorkflow(%q) lacks %q", tt.version, want)
		}
		if tt.version == "v1.2.3" {
			golden.Assert(t, filepath.Join("testdata", "workflow.yml"), got)
		}
	}
}

func TestKuboxignoreKeepsTheModelWatched(t *testing.T) {
	dir := t.TempDir()
	if _, err := Init(context.Background(), Spec{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	m, err := ignore.Load(dir)
	if err != nil {
		t.Fatalf("ignore.Load(generated .kuboxignore) = %v", err)
	}
	tests := []struct {
		rel          string
		dir, ignored bool
	}{
		{"kubox.yaml", false, false}, {"model", true, false}, {"model/model.json", false, false},
		{"data", true, true}, {"data/train.csv", false, true}, {".venv", true, true},
		{"train.ipynb", false, true}, {".github", true, true},
	}
	for _, tt := range tests {
		if got := m(tt.rel, tt.dir); got != tt.ignored {
			t.Errorf("ignored(%q) = %v, want %v", tt.rel, got, tt.ignored)
		}
	}
}

func TestSamplesAreTheFixtures(t *testing.T) {
	// The embedded copies must never drift from testdata/models, which the
	// runtime's own tests check against the Python libraries.
	for _, format := range []string{runtime.FormatXGBoost, runtime.FormatONNX} {
		for _, name := range []string{sampleFile(format), "expected.json"} {
			embedded, err := samples.ReadFile(sampleDir(format) + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			fixture, err := os.ReadFile(filepath.Join(fixtures, "iris-"+format, name))
			if err != nil {
				t.Fatal(err)
			}
			if string(embedded) != string(fixture) {
				t.Errorf("scaffold/%s/%s differs from testdata/models/iris-%s/%s: copy it again", sampleDir(format), name, format, name)
			}
		}
	}
}

package scaffold

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
)

func TestInitFreshDirectory(t *testing.T) {
	tests := []struct {
		name, format string
		wantFormat   string
		fixture      string // testdata/models/<fixture>
		modelFile    string
	}{
		{"default is xgboost", "", "xgboost", "iris-xgboost", "model/model.json"},
		{"xgboost", "xgboost", "xgboost", "iris-xgboost", "model/model.json"},
		{"onnx", "onnx", "onnx", "iris-onnx", "model/model.onnx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			res, err := Init(context.Background(), Spec{Dir: dir, Name: "iris", Format: tt.format, Version: "v1.2.3"})
			if err != nil {
				t.Fatalf("Init() = %v", err)
			}
			wantFiles := []string{"kubox.yaml", tt.modelFile, ".kuboxignore", ".github/workflows/kubox.yml"}
			if !slices.Equal(res.Files, wantFiles) || res.Format != tt.wantFormat || res.Adopted != "" || res.Name != "iris" {
				t.Errorf("Init() = %+v, want files %v, format %s, nothing adopted", res, wantFiles, tt.wantFormat)
			}
			got, _ := os.ReadFile(filepath.Join(dir, tt.modelFile))
			want, _ := os.ReadFile(filepath.Join(fixtures, tt.fixture, filepath.Base(tt.modelFile)))
			if len(want) == 0 || string(got) != string(want) {
				t.Errorf("%s differs from the fixture %s", tt.modelFile, tt.fixture)
			}
			yaml, _ := os.ReadFile(filepath.Join(dir, "kubox.yaml"))
			golden.Assert(t, filepath.Join("testdata", "kubox-"+tt.wantFormat+".yaml"), yaml)

			p := loadProfile(t, dir)
			if string(p.Model.Format) != tt.wantFormat || p.Model.Path != filepath.Join(dir, "model") {
				t.Errorf("profile model = %+v, want %s in %s/model", p.Model, tt.wantFormat, dir)
			}
			if len(p.Samples) != 1 || len(p.Samples[0].Expect) == 0 || p.Samples[0].Tolerance != 1e-4 {
				t.Fatalf("profile samples = %+v, want one with expectations and tolerance 1e-4", p.Samples)
			}
			// The sample is the fixture's first row, its outputs what the
			// Python library computed for it...
			in, out := fixtureRow0(t, tt.fixture)
			s := p.Samples[0]
			if !closeTo(s.Inputs[0].Data, in, 1e-6) || !closeTo(s.Expect[0].Data, out, 1e-6) {
				t.Errorf("sample = %v -> %v, want the fixture's first row %v -> %v", s.Inputs[0].Data, s.Expect[0].Data, in, out)
			}
			// ...and the model, loaded as kubox serve loads it, gives them.
			if err := runSamples(t, p); err != nil {
				t.Errorf("the generated samples fail against the model: %v", err)
			}
		})
	}
}

// fixtureRow0 is the first row of a fixture's first input and output.

func fixtureRow0(t *testing.T, fixture string) (in, out []float64) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtures, fixture, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Inputs, Outputs []tensor }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	row := func(x tensor) []float64 { return x.Data[:len(x.Data)/int(x.Shape[0])] }
	return row(f.Inputs[0]), row(f.Outputs[0])
}

func closeTo(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			return false
		}
	}
	return true
}

func TestInitForce(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, dir, "kubox.yaml", "old")
	writeTestFile(t, dir, "notes.txt", "keep me")
	res, err := Init(context.Background(), Spec{Dir: dir, Force: true, Format: "onnx"})
	if err != nil {
		t.Fatalf("Init(force) = %v", err)
	}
	if !slices.Equal(res.Overwritten, []string{"kubox.yaml"}) {
		t.Errorf("Init(force).Overwritten = %v, want [kubox.yaml]", res.Overwritten)
	}
	if err := runSamples(t, loadProfile(t, dir)); err != nil {
		t.Errorf("samples after a forced init: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "keep me" {
		t.Errorf("Init(force) touched a file it does not write: %q", b)
	}
}

func TestInitAgainKeepsTheSample(t *testing.T) {
	// Running init again over its own sample must not mistake the sample
	// for the user's model and drop its expectations.
	for _, format := range []string{"xgboost", "onnx"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := Init(context.Background(), Spec{Dir: dir, Format: format}); err != nil {
				t.Fatal(err)
			}
			first := snapshot(t, dir)
			res, err := Init(context.Background(), Spec{Dir: dir, Force: true})
			if err != nil {
				t.Fatalf("Init(force) again = %v", err)
			}
			if res.Adopted != "" || res.Format != format {
				t.Errorf("Init(force) again adopted %q as %s, want the %s sample", res.Adopted, res.Format, format)
			}
			if second := snapshot(t, dir); !sameFiles(first, second) {
				t.Errorf("init, then init --force, gave a different project")
			}
		})
	}
}

func TestInitCreatesTheDirectoryAndNamesTheModelAfterIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Fraud Detector_v2")
	res, err := Init(context.Background(), Spec{Dir: dir})
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	if res.Name != "fraud-detector-v2" || res.Dir != dir {
		t.Errorf("Init() = name %q in %s, want fraud-detector-v2 in %s", res.Name, res.Dir, dir)
	}
	if p := loadProfile(t, dir); p.Name != "fraud-detector-v2" {
		t.Errorf("profile name = %q", p.Name)
	}
}

func TestInitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := Init(ctx, Spec{Dir: dir}); !errors.Is(err, context.Canceled) {
		t.Errorf("Init(cancelled) = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Init(cancelled) wrote %d entries", len(entries))
	}
}

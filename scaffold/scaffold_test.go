package scaffold

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/internal/ignore"
	"github.com/kubox-dev/kubox/runtime"
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

func TestInitAdoptsExistingModel(t *testing.T) {
	tests := []struct {
		name    string
		format  string            // --format
		files   map[string]string // project file -> fixture model
		adopted string
		want    string // format
		path    string // model.path in kubox.yaml, relative
		file    string // model.file
		shape   []int64
	}{
		{"onnx in ./model", "", map[string]string{"model/clf.onnx": "iris-onnx/model.onnx"}, "model/clf.onnx", "onnx", "model", "clf.onnx", []int64{1, 4}},
		{"onnx with a fixed batch", "", map[string]string{"model/model.onnx": "conv-onnx/model.onnx"}, "model/model.onnx", "onnx", "model", "", []int64{1, 1, 5, 5}},
		{"xgboost in ./model", "", map[string]string{"model/model.json": "regressor-xgboost/model.json"}, "model/model.json", "xgboost", "model", "", nil},
		{"xgboost beside kubox.yaml", "", map[string]string{"booster.json": "iris-xgboost-v2/model.json", "package.json": ""}, "booster.json", "xgboost", "booster.json", "", []int64{1, 4}},
		{"./model before the directory", "", map[string]string{"model/m.json": "iris-xgboost/model.json", "other.onnx": "iris-onnx/model.onnx"}, "model/m.json", "xgboost", "model", "m.json", []int64{1, 4}},
		{"unknown extension with --format", "onnx", map[string]string{"model/model.bin": "iris-onnx/model.onnx"}, "model/model.bin", "onnx", "model", "model.bin", []int64{1, 4}},
		{"--format picks among formats", "onnx", map[string]string{"model/a.json": "iris-xgboost/model.json", "model/b.onnx": "iris-onnx/model.onnx"}, "model/b.onnx", "onnx", "model", "b.onnx", []int64{1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for rel, fixture := range tt.files {
				if fixture == "" {
					writeTestFile(t, dir, rel, `{"name": "not a model"}`)
					continue
				}
				copyFixture(t, fixture, dir, rel)
			}
			res, err := Init(context.Background(), Spec{Dir: dir, Name: "mine", Format: tt.format})
			if err != nil {
				t.Fatalf("Init() = %v", err)
			}
			if res.Adopted != tt.adopted || res.Format != tt.want {
				t.Errorf("Init() adopted %q (%s), want %q (%s)", res.Adopted, res.Format, tt.adopted, tt.want)
			}
			if want := []string{"kubox.yaml", ".kuboxignore", ".github/workflows/kubox.yml"}; !slices.Equal(res.Files, want) {
				t.Errorf("Init() wrote %v, want %v (no sample model)", res.Files, want)
			}
			p := loadProfile(t, dir)
			if p.Model.Path != filepath.Join(dir, tt.path) || p.Model.File != tt.file || string(p.Model.Format) != tt.want {
				t.Errorf("profile model = %+v, want path %s, file %q, format %s", p.Model, tt.path, tt.file, tt.want)
			}
			if len(p.Samples) != 1 || len(p.Samples[0].Expect) != 0 {
				t.Fatalf("profile samples = %+v, want one without expect", p.Samples)
			}
			in := p.Samples[0].Inputs[0]
			if tt.shape != nil && !slices.Equal(in.Shape, tt.shape) {
				t.Errorf("sample shape = %v, want %v", in.Shape, tt.shape)
			}
			if slices.ContainsFunc(in.Data, func(v float64) bool { return v != 0 }) {
				t.Errorf("sample data = %v, want zeros", in.Data)
			}
			if err := runSamples(t, p); err != nil {
				t.Errorf("the model does not answer the generated sample: %v", err)
			}
		})
	}
}

func TestInitRefusesWithoutWriting(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		files  map[string]string // project file -> contents, or "fixture:" a model fixture
		errHas []string
	}{
		{"existing files", Spec{}, map[string]string{"kubox.yaml": "mine", ".kuboxignore": "mine"},
			[]string{"kubox.yaml, .kuboxignore already exist", "nothing was written", "--force"}},
		{"existing workflow", Spec{Format: "onnx"}, map[string]string{".github/workflows/kubox.yml": "mine"},
			[]string{".github/workflows/kubox.yml already exists", "--force"}},
		{"a file where a directory goes, even with --force", Spec{Force: true}, map[string]string{".github": "mine"},
			[]string{".github is a file", "move it away"}},
		{"unknown format", Spec{}, map[string]string{"model/model.pkl": "pickle"},
			[]string{"found model/model.pkl but cannot tell its format", "--format onnx"}},
		{"several models", Spec{}, map[string]string{"model/a.onnx": "fixture:iris-onnx/model.onnx", "model/b.onnx": "fixture:iris-onnx/model.onnx"},
			[]string{"found 2 models (model/a.onnx, model/b.onnx)", "keep the one to serve"}},
		{"--format disagrees with the model", Spec{Format: "onnx"}, map[string]string{"model/model.json": "fixture:iris-xgboost/model.json"},
			[]string{"model/model.json is an xgboost model, not onnx", "drop --format"}},
		{"a model that does not load", Spec{}, map[string]string{"model/model.onnx": "not onnx"},
			[]string{"adopting model/model.onnx as an onnx model", "export it again"}},
		{"bad --format", Spec{Format: "pytorch"}, nil, []string{`unknown format "pytorch"`, "--format onnx"}},
		{"bad --name", Spec{Name: "My_Model"}, nil, []string{`invalid name "My_Model"`, "--name my-model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for rel, data := range tt.files {
				if fixture, ok := strings.CutPrefix(data, "fixture:"); ok {
					copyFixture(t, fixture, dir, rel)
				} else {
					writeTestFile(t, dir, rel, data)
				}
			}
			before := snapshot(t, dir)
			tt.spec.Dir = dir
			_, err := Init(context.Background(), tt.spec)
			if err == nil {
				t.Fatal("Init() = nil, want an error")
			}
			for _, want := range tt.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Init() = %q, want it to contain %q", err, want)
				}
			}
			if after := snapshot(t, dir); !sameFiles(before, after) {
				t.Errorf("a refused Init changed the directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestInitExistsErrorListsEveryFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Init(context.Background(), Spec{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err := Init(context.Background(), Spec{Dir: dir})
	var exists *ExistsError
	if !errors.As(err, &exists) {
		t.Fatalf("second Init() = %v, want an *ExistsError", err)
	}
	want := []string{"kubox.yaml", "model/model.json", ".kuboxignore", ".github/workflows/kubox.yml"}
	if !slices.Equal(exists.Files, want) {
		t.Errorf("ExistsError.Files = %v, want %v", exists.Files, want)
	}
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

func TestInitRemovesWhatItWroteWhenAWriteFails(t *testing.T) {
	dir := t.TempDir()
	// A directory where the workflow goes: with --force, init tries to
	// replace it with a file, and the rename fails after kubox.yaml and
	// the model were written.
	writeTestFile(t, dir, ".github/workflows/kubox.yml/keep", "x")
	before := snapshot(t, dir)
	if _, err := Init(context.Background(), Spec{Dir: dir, Force: true}); err == nil {
		t.Fatal("Init() = nil, want the write error")
	}
	if after := snapshot(t, dir); !sameFiles(before, after) {
		t.Errorf("a failed Init left files behind:\nbefore %v\nafter  %v", before, after)
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

func TestBatchOfOne(t *testing.T) {
	tests := []struct {
		name  string
		spec  []int64
		shape []int64
		n     int64
	}{
		{"open batch", []int64{-1, 4}, []int64{1, 4}, 4},
		{"fixed", []int64{2, 3}, []int64{2, 3}, 6},
		{"scalar", []int64{}, []int64{}, 1},
		{"empty", []int64{-1, 0}, []int64{1, 0}, 0},
		{"image, over the limit", []int64{-1, 3, 224, 224}, []int64{1, 3, 224, 224}, maxSampleValues + 1},
		{"huge dimensions do not overflow", []int64{1 << 40, 1 << 40, 1 << 40}, []int64{1 << 40, 1 << 40, 1 << 40}, maxSampleValues + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape, n := batchOfOne(tt.spec)
			if !reflect.DeepEqual(shape, tt.shape) || n != tt.n {
				t.Errorf("batchOfOne(%v) = %v, %d, want %v, %d", tt.spec, shape, n, tt.shape, tt.n)
			}
		})
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

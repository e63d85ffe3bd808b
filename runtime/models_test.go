package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// modelsDir holds the fixtures that testdata/models/generate.py writes
// with the real Python libraries.
const modelsDir = "../testdata/models"

// A prediction matches the library's when |got-want| <= absTol +
// relTol*|want| (numpy.isclose's rule), with both at 1e-5: XGBoost and
// numpy compute in float32, whose rounding differs with summation order
// by about 1e-7 relative.
const (
	absTol = 1e-5
	relTol = 1e-5
)

type modelFixture struct {
	name    string
	dir     string
	format  string
	inputs  []Tensor
	outputs []Tensor
}

// expectedTensor is a tensor of expected.json, where null is NaN.
type expectedTensor struct {
	Name     string     `json:"name"`
	Datatype Datatype   `json:"datatype"`
	Shape    []int64    `json:"shape"`
	Data     []*float64 `json:"data"`
}

func (e expectedTensor) tensor() Tensor {
	t := Tensor{Name: e.Name, Datatype: e.Datatype, Shape: e.Shape, Data: make([]float64, len(e.Data))}
	for i, v := range e.Data {
		t.Data[i] = math.NaN()
		if v != nil {
			t.Data[i] = *v
		}
	}
	return t
}

func loadFixture(t testing.TB, name string) modelFixture {
	t.Helper()
	dir := filepath.Join(modelsDir, name)
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Inputs  []expectedTensor `json:"inputs"`
		Outputs []expectedTensor `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f := modelFixture{name: name, dir: dir, format: FormatXGBoost}
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err == nil {
		f.format = FormatONNX
	}
	for _, x := range e.Inputs {
		f.inputs = append(f.inputs, x.tensor())
	}
	for _, x := range e.Outputs {
		f.outputs = append(f.outputs, x.tensor())
	}
	return f
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(modelsDir, "*", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no fixtures in %s: run testdata/models/generate.py", modelsDir)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(filepath.Dir(p))
	}
	return names
}

// compareOutputs reports the largest absolute difference between got and want,
// or an error if they differ in form or beyond the tolerance.
func compareOutputs(got, want []Tensor) (float64, error) {
	if len(got) != len(want) {
		return 0, fmt.Errorf("%d outputs, want %d", len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Datatype != w.Datatype || !reflect.DeepEqual(g.Shape, w.Shape) || len(g.Data) != len(w.Data) {
			return 0, fmt.Errorf("output %d is %s %s %v (%d values), want %s %s %v (%d values)",
				i, g.Name, g.Datatype, g.Shape, len(g.Data), w.Name, w.Datatype, w.Shape, len(w.Data))
		}
		for j := range w.Data {
			d := math.Abs(g.Data[j] - w.Data[j])
			if !(d <= absTol+relTol*math.Abs(w.Data[j])) {
				return d, fmt.Errorf("output %s[%d] = %v, want %v", w.Name, j, g.Data[j], w.Data[j])
			}
			worst = math.Max(worst, d)
		}
	}
	return worst, nil
}

// TestFixtures loads every fixture from its directory, as kubox serve
// does, and checks its predictions against the library's.
func TestFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := loadFixture(t, name)
			m, err := Load(f.format, f.dir)
			if err != nil {
				t.Fatalf("Load() = %v", err)
			}
			specs := m.Inputs()
			if len(specs) != len(f.inputs) {
				t.Fatalf("Inputs() has %d tensors, want %d", len(specs), len(f.inputs))
			}
			for i, in := range f.inputs {
				if specs[i].Name != in.Name || specs[i].Datatype != in.Datatype {
					t.Errorf("Inputs()[%d] = %s %s, want %s %s", i, specs[i].Name, specs[i].Datatype, in.Name, in.Datatype)
				}
				if err := CheckShape(specs[i].Shape, in.Shape); err != nil {
					t.Errorf("Inputs()[%d]: %v", i, err)
				}
			}
			got, err := m.Infer(context.Background(), f.inputs)
			if err != nil {
				t.Fatalf("Infer() = %v", err)
			}
			for i, out := range m.Outputs() {
				if err := CheckShape(out.Shape, got[i].Shape); err != nil {
					t.Errorf("Outputs()[%d] does not describe the result: %v", i, err)
				}
			}
			worst, err := compareOutputs(got, f.outputs)
			if err != nil {
				t.Fatalf("Infer() differs from the library: %v", err)
			}
			t.Logf("largest |got-want| %.3g", worst)
		})
	}
}

func TestModelSpecs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		inputs  []TensorSpec
		outputs []TensorSpec
	}{
		{"softprob", "iris-xgboost",
			[]TensorSpec{{"input", FP32, []int64{-1, 4}}},
			[]TensorSpec{{"predict", FP32, []int64{-1, 3}}}},
		{"softmax is a class index", "softmax-xgboost",
			[]TensorSpec{{"input", FP32, []int64{-1, 4}}},
			[]TensorSpec{{"predict", FP32, []int64{-1}}}},
		{"regression", "regressor-xgboost",
			[]TensorSpec{{"input", FP32, []int64{-1, 6}}},
			[]TensorSpec{{"predict", FP32, []int64{-1}}}},
		{"binary", "binary-xgboost",
			[]TensorSpec{{"input", FP32, []int64{-1, 5}}},
			[]TensorSpec{{"predict", FP32, []int64{-1}}}},
		{"onnx mlp", "iris-onnx",
			[]TensorSpec{{"input", FP32, []int64{-1, 4}}},
			[]TensorSpec{{"probabilities", FP32, []int64{-1, 3}}}},
		{"onnx datatypes, initializers not inputs", "dtypes-onnx",
			[]TensorSpec{{"x", FP64, []int64{-1, 3}}, {"k", INT64, []int64{-1}}, {"j", INT32, []int64{-1, 2}}, {"b", BOOL, []int64{-1}}},
			[]TensorSpec{{"x_out", FP64, []int64{-1, 3}}, {"k_out", INT64, []int64{-1}}, {"j_out", INT32, []int64{-1, 2}}, {"b_out", BOOL, []int64{-1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := loadFixture(t, tt.fixture)
			m, err := Load(f.format, f.dir)
			if err != nil {
				t.Fatalf("Load() = %v", err)
			}
			if got := m.Inputs(); !reflect.DeepEqual(got, tt.inputs) {
				t.Errorf("Inputs() = %v, want %v", got, tt.inputs)
			}
			if got := m.Outputs(); !reflect.DeepEqual(got, tt.outputs) {
				t.Errorf("Outputs() = %v, want %v", got, tt.outputs)
			}
		})
	}
}

// TestFixtureVersionsDiffer guards what the demo shows: deploying v2 must
// change the answers.
func TestFixtureVersionsDiffer(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"iris-xgboost", "iris-onnx"} {
		v1, v2 := loadFixture(t, name), loadFixture(t, name+"-v2")
		if !reflect.DeepEqual(v1.inputs, v2.inputs) {
			t.Errorf("%s and %s-v2 are checked on different inputs", name, name)
		}
		if worst, err := compareOutputs(v2.outputs, v1.outputs); err == nil || worst < 1e-3 {
			t.Errorf("%s-v2 predicts what %s does (largest difference %g)", name, name, worst)
		}
	}
}

// TestInferConcurrent runs one model from many goroutines, as the server
// does; run it with -race.
func TestInferConcurrent(t *testing.T) {
	t.Parallel()
	// conv-onnx: gonnx's Conv reshapes its bias in place; see onnxModel.
	for _, name := range []string{"iris-xgboost", "iris-onnx", "dtypes-onnx", "conv-onnx"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := loadFixture(t, name)
			m, err := Load(f.format, f.dir)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 10 {
						got, err := m.Infer(context.Background(), f.inputs)
						if err == nil {
							_, err = compareOutputs(got, f.outputs)
						}
						if err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("concurrent Infer() = %v", err)
			}
		})
	}
}

func TestInferCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range []string{"iris-xgboost", "iris-onnx"} {
		f := loadFixture(t, name)
		m, err := Load(f.format, f.dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Infer(ctx, f.inputs); err != context.Canceled {
			t.Errorf("%s: Infer(cancelled) = %v, want %v", name, err, context.Canceled)
		}
	}
}

// benchInputs repeats the fixture's rows up to rows rows.
func benchInputs(f modelFixture, rows int) []Tensor {
	in := f.inputs[0]
	width := int(in.Shape[1])
	data := make([]float64, rows*width)
	for i := range data {
		data[i] = in.Data[i%len(in.Data)]
	}
	return []Tensor{{Name: in.Name, Datatype: in.Datatype, Shape: []int64{int64(rows), int64(width)}, Data: data}}
}

func benchmarkInfer(b *testing.B, fixtures ...string) {
	for _, name := range fixtures {
		f := loadFixture(b, name)
		m, err := Load(f.format, f.dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{1, 100} {
			inputs := benchInputs(f, rows)
			b.Run(fmt.Sprintf("%s/rows=%d", name, rows), func(b *testing.B) {
				b.ReportAllocs()
				ctx := context.Background()
				for b.Loop() {
					if _, err := m.Infer(ctx, inputs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			})
		}
	}
}

// BenchmarkXGBoostInfer: the demo model (30 trees of depth 3) and a
// deeper regressor (30 trees of depth 4, with missing values).
func BenchmarkXGBoostInfer(b *testing.B) {
	benchmarkInfer(b, "iris-xgboost", "regressor-xgboost")
}

// BenchmarkONNXInfer: a 4-8-3 MLP through gonnx.
func BenchmarkONNXInfer(b *testing.B) {
	benchmarkInfer(b, "iris-onnx")
}

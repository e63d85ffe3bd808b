package runtime

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseBaseScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []float32
	}{
		{"xgboost 1.x", "5E-1", []float32{0.5}},
		{"xgboost 2.x", "[5E-1]", []float32{0.5}},
		{"one per output", "[1E-1, 2.5E-1]", []float32{0.1, 0.25}},
		{"plain decimal", "0.3", []float32{0.3}},
		{"absent", "", []float32{0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseBaseScore(tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseBaseScore(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"x", "[]", "[NaN]", "[5E-1,]"} {
		if got, err := parseBaseScore(bad); err == nil {
			t.Errorf("parseBaseScore(%q) = %v, want an error", bad, got)
		}
	}
}

func TestQuoteNonFinite(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`[NaN,1E0,-Infinity,Infinity]`, `["NaN",1E0,"-Infinity","Infinity"]`},
		{`{"name":"NaN \"Infinity\" -Infinity","v":[NaN]}`, `{"name":"NaN \"Infinity\" -Infinity","v":["NaN"]}`},
		{`{"a":[1,-2E-1]}`, `{"a":[1,-2E-1]}`},
		{`NaN`, `"NaN"`},
	}
	for _, tt := range tests {
		if got := string(quoteNonFinite([]byte(tt.in))); got != tt.want {
			t.Errorf("quoteNonFinite(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestXGBoostNonFiniteSplit loads a split on Infinity, which XGBoost
// writes as a bare literal, and checks that every present value goes left.
func TestXGBoostNonFiniteSplit(t *testing.T) {
	t.Parallel()
	data := mutateXGBoost(t, func(l map[string]any) {
		firstTree(l)["split_conditions"].([]any)[0] = "INF_HERE"
	})
	data = []byte(strings.Replace(string(data), `"INF_HERE"`, "Infinity", 1))
	m, err := decodeXGBoost(data)
	if err != nil {
		t.Fatalf("decodeXGBoost() = %v", err)
	}
	if root := m.roots[0]; !math.IsInf(float64(m.value[root]), 1) {
		t.Errorf("root split = %v, want +Inf", m.value[root])
	}
}

func TestXGBoostInputs(t *testing.T) {
	t.Parallel()
	f := loadFixture(t, "iris-xgboost")
	m, err := Load(f.format, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// XGBoost rounds features to float32 whatever they came as.
	fp64 := f.inputs[0]
	fp64.Datatype = FP64
	got, err := m.Infer(ctx, []Tensor{fp64})
	if err != nil {
		t.Fatalf("Infer(FP64) = %v", err)
	}
	if _, err := compareOutputs(got, f.outputs); err != nil {
		t.Errorf("Infer(FP64) differs from FP32: %v", err)
	}

	empty := Tensor{Name: "input", Datatype: FP32, Shape: []int64{0, 4}}
	if got, err := m.Infer(ctx, []Tensor{empty}); err != nil || !reflect.DeepEqual(got[0].Shape, []int64{0, 3}) {
		t.Errorf("Infer(0 rows) = %v, %v, want shape [0 3]", got, err)
	}

	bad := []struct {
		name  string
		input Tensor
		want  string
	}{
		{"wrong name", Tensor{Name: "x", Datatype: FP32, Shape: []int64{1, 4}, Data: make([]float64, 4)}, `no input tensor named "input"`},
		{"wrong width", Tensor{Name: "input", Datatype: FP32, Shape: []int64{1, 5}, Data: make([]float64, 5)}, "does not match"},
		{"data short of shape", Tensor{Name: "input", Datatype: FP32, Shape: []int64{2, 4}, Data: make([]float64, 4)}, "4 values for shape [2 4]"},
	}
	for _, tt := range bad {
		if _, err := m.Infer(ctx, []Tensor{tt.input}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Infer() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestRegressorFixtureCoversMissing checks the fixture does what it is for:
// missing values that take both default directions.
func TestRegressorFixtureCoversMissing(t *testing.T) {
	t.Parallel()
	f := loadFixture(t, "regressor-xgboost")
	model, err := Load(f.format, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	m := model.(*xgboostModel)
	var left, right int
	for n := range m.left {
		switch {
		case m.left[n] < 0:
		case m.missing[n] == m.left[n]:
			left++
		default:
			right++
		}
	}
	nan := 0
	for _, v := range f.inputs[0].Data {
		if math.IsNaN(v) {
			nan++
		}
	}
	if left == 0 || right == 0 || nan == 0 {
		t.Errorf("regressor-xgboost has %d default-left and %d default-right splits and %d missing inputs, want some of each", left, right, nan)
	}
}

// FuzzDecodeXGBoost feeds mangled models to the decoder: each must be an
// error or a model whose Infer neither panics nor loops.
func FuzzDecodeXGBoost(f *testing.F) {
	for _, name := range []string{"softmax-xgboost", "logistic-xgboost", "dart-xgboost"} {
		data, err := os.ReadFile(filepath.Join(modelsDir, name, "model.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"learner":{"gradient_booster":{"name":"gbtree"},"objective":{"name":"reg:squarederror"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeXGBoost(data)
		if err != nil || m.numFeature > 1<<16 {
			return // wide models are fine, but too slow to fuzz
		}
		row := make([]float64, 2*m.numFeature)
		for i := range row[:m.numFeature] {
			row[i] = math.NaN()
		}
		in := Tensor{Name: "input", Datatype: FP32, Shape: []int64{2, int64(m.numFeature)}, Data: row}
		if _, err := m.Infer(context.Background(), []Tensor{in}); err != nil {
			t.Errorf("Infer() = %v", err)
		}
	})
}

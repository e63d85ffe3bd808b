package runtime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestONNXInferErrors(t *testing.T) {
	t.Parallel()
	f := loadFixture(t, "iris-onnx")
	m, err := Load(f.format, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input Tensor
		want  string
	}{
		{"wrong name", Tensor{Name: "x", Datatype: FP32, Shape: []int64{1, 4}, Data: make([]float64, 4)},
			`no input tensor named "input": the model takes "input"`},
		{"wrong width reaches gonnx", Tensor{Name: "input", Datatype: FP32, Shape: []int64{1, 5}, Data: make([]float64, 5)},
			"running the ONNX graph"},
		{"data short of shape", Tensor{Name: "input", Datatype: FP32, Shape: []int64{2, 4}, Data: make([]float64, 4)},
			"4 values for shape [2 4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := m.Infer(context.Background(), []Tensor{tt.input}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Infer() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzDecodeONNX feeds mangled models to gonnx through decodeONNX, which
// must turn every failure, panics included, into an error.
func FuzzDecodeONNX(f *testing.F) {
	for _, name := range []string{"iris-onnx", "dtypes-onnx"} {
		data, err := os.ReadFile(filepath.Join(modelsDir, name, "model.onnx"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeONNX(data)
		if err != nil {
			return
		}
		var inputs []Tensor
		for _, spec := range m.Inputs() {
			in := Tensor{Name: spec.Name, Datatype: spec.Datatype, Shape: make([]int64, len(spec.Shape))}
			for i, d := range spec.Shape {
				in.Shape[i] = max(d, 2)
			}
			if in.Elements() > 1<<16 {
				return // a mangled dimension; too big to feed
			}
			in.Data = make([]float64, in.Elements())
			inputs = append(inputs, in)
		}
		m.Infer(context.Background(), inputs) // an error is fine, a panic is not
	})
}

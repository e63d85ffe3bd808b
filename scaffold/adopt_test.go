package scaffold

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

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

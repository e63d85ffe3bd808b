package runtime

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx"
	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

func readFixture(t *testing.T, name, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(modelsDir, name, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutateXGBoost returns the iris-xgboost model after change edits its
// decoded JSON.
func mutateXGBoost(t *testing.T, change func(learner map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFixture(t, "iris-xgboost", "model.json"), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc["learner"].(map[string]any))
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstTree returns tree 0 of the iris-xgboost learner.
func firstTree(learner map[string]any) map[string]any {
	model := learner["gradient_booster"].(map[string]any)["model"].(map[string]any)
	return model["trees"].([]any)[0].(map[string]any)
}

// mutateONNX returns the iris-onnx model after change edits it.
func mutateONNX(t *testing.T, change func(*onnx.ModelProto)) []byte {
	t.Helper()
	mp, err := gonnx.ModelProtoFromBytes(readFixture(t, "iris-onnx", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	change(mp)
	b, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	xgbJSON := readFixture(t, "iris-xgboost", "model.json")
	onnxBytes := readFixture(t, "iris-onnx", "model.onnx")

	tests := []struct {
		name   string
		format string
		files  map[string][]byte // written to a new directory
		path   string            // in that directory; "" is the directory
		want   []string          // each is in the error
	}{
		{"unknown format", "pytorch", map[string][]byte{"model.json": xgbJSON}, "",
			[]string{`unknown model format "pytorch"`, "model.format"}},
		{"path does not exist", FormatONNX, nil, "missing",
			[]string{"does not exist", "model.path"}},
		{"empty directory, xgboost", FormatXGBoost, nil, "",
			[]string{"has no .json file", `save_model("model.json")`}},
		{"empty directory, onnx", FormatONNX, nil, "",
			[]string{"has no .onnx file", "export the model"}},
		{"only expected.json is not a model", FormatXGBoost, map[string][]byte{"expected.json": []byte("{}")}, "",
			[]string{"has no .json file"}},
		{"directory of the other format", FormatONNX, map[string][]byte{"model.json": xgbJSON}, "",
			[]string{"has no .onnx file (it has model.json)"}},
		{"two onnx files", FormatONNX, map[string][]byte{"a.onnx": onnxBytes, "b.onnx": onnxBytes}, "",
			[]string{"has 2 .onnx files (a.onnx, b.onnx)", "keep one", "model.file"}},
		{"two json files", FormatXGBoost, map[string][]byte{"a.json": xgbJSON, "b.json": xgbJSON, "expected.json": nil}, "",
			[]string{"has 2 .json files (a.json, b.json)"}},
		{"corrupt onnx", FormatONNX, map[string][]byte{"model.onnx": randomBytes(600)}, "",
			[]string{"model.onnx: ", "corrupt, truncated or not ONNX"}},
		{"truncated onnx", FormatONNX, map[string][]byte{"model.onnx": onnxBytes[:len(onnxBytes)/2]}, "",
			[]string{"corrupt, truncated or not ONNX"}},
		{"empty onnx file", FormatONNX, map[string][]byte{"model.onnx": nil}, "",
			[]string{"no ONNX graph"}},
		{"corrupt xgboost", FormatXGBoost, map[string][]byte{"model.json": randomBytes(600)}, "",
			[]string{"not an XGBoost JSON model", `save it again with Booster.save_model("model.json")`}},
		{"truncated xgboost", FormatXGBoost, map[string][]byte{"model.json": xgbJSON[:len(xgbJSON)/2]}, "",
			[]string{"not an XGBoost JSON model", "corrupt, truncated"}},
		{"empty xgboost file", FormatXGBoost, map[string][]byte{"model.json": nil}, "",
			[]string{"not an XGBoost JSON model"}},
		{"UBJSON", FormatXGBoost, map[string][]byte{"model.json": []byte("{L\x00\x00\x00\x00\x00\x00\x00\x07learner{")}, "",
			[]string{"binary UBJSON format", `save it again with Booster.save_model("model.json")`}},
		{"JSON that is not a model", FormatXGBoost, map[string][]byte{"model.json": []byte(`{"weights": [1, 2]}`)}, "",
			[]string{"no learner.gradient_booster"}},
		{"onnx file loaded as xgboost", FormatXGBoost, map[string][]byte{"model.json": onnxBytes}, "",
			[]string{"not an XGBoost JSON model", "looks like an onnx model: set model.format: onnx"}},
		{"xgboost file loaded as onnx", FormatONNX, map[string][]byte{"model.onnx": xgbJSON}, "",
			[]string{"looks like an xgboost model: set model.format: xgboost"}},
		{"categorical splits", FormatXGBoost, map[string][]byte{"model.json": readFixture(t, "invalid", "categorical.json")}, "",
			[]string{"unsupported: categorical splits", "one-hot encode"}},
		{"gblinear", FormatXGBoost, map[string][]byte{"model.json": readFixture(t, "invalid", "gblinear.json")}, "",
			[]string{`unsupported booster "gblinear"`, `booster="gbtree"`}},
		{"unsupported objective", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			l["objective"].(map[string]any)["name"] = "survival:cox"
		})}, "", []string{`unsupported objective "survival:cox"`, "multi:softprob"}},
		{"logistic base_score outside (0, 1)", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			l["objective"].(map[string]any)["name"] = "binary:logistic"
			l["learner_model_param"].(map[string]any)["num_class"] = "0"
			l["learner_model_param"].(map[string]any)["base_score"] = "1E0"
		})}, "", []string{"base_score 1 of objective binary:logistic is not a probability"}},
		{"child points back to the root", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			firstTree(l)["left_children"].([]any)[0] = 0
		})}, "", []string{"tree 0: node 0 has children 0 and"}},
		{"node reached twice", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			tree := firstTree(l)
			tree["right_children"].([]any)[0] = tree["left_children"].([]any)[0]
		})}, "", []string{"tree 0: node 1 is reached twice"}},
		{"split on a feature the model lacks", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			firstTree(l)["split_indices"].([]any)[0] = 4
		})}, "", []string{"tree 0: node 0 splits on feature 4, but the model has 4 features"}},
		{"node arrays of different lengths", FormatXGBoost, map[string][]byte{"model.json": mutateXGBoost(t, func(l map[string]any) {
			tree := firstTree(l)
			tree["split_conditions"] = tree["split_conditions"].([]any)[1:]
		})}, "", []string{"tree 0: node arrays have different lengths"}},
		{"onnx opset 17", FormatONNX, map[string][]byte{"model.onnx": mutateONNX(t, func(mp *onnx.ModelProto) {
			mp.OpsetImport[0].Version = 17
		})}, "", []string{"uses ONNX opset 17", "opset_version=13"}},
		{"onnx operator gonnx lacks", FormatONNX, map[string][]byte{"model.onnx": mutateONNX(t, func(mp *onnx.ModelProto) {
			mp.Graph.Node[1].OpType = "Elu"
		})}, "", []string{"unsupported operators Elu", "export the model without them"}},
		{"onnx string input", FormatONNX, map[string][]byte{"model.onnx": mutateONNX(t, func(mp *onnx.ModelProto) {
			mp.Graph.Input[0].Type.GetTensorType().ElemType = int32(onnx.TensorProto_STRING)
		})}, "", []string{`input "input" has element type STRING`, "cast it in the graph"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := Load(tt.format, filepath.Join(dir, tt.path))
			if err == nil {
				t.Fatalf("Load() = %T, want an error", m)
			}
			t.Logf("Load() = %v", err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Load() = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

// TestLoadPicksFile checks which file of a directory Load reads.
func TestLoadPicksFile(t *testing.T) {
	t.Parallel()
	xgbJSON := readFixture(t, "iris-xgboost", "model.json")
	onnxBytes := readFixture(t, "iris-onnx", "model.onnx")
	tests := []struct {
		name   string
		format string
		files  map[string][]byte
		want   string
	}{
		{"model.json beside expected.json", FormatXGBoost, map[string][]byte{"model.json": xgbJSON, "expected.json": nil}, "model.json"},
		{"model.json beside another json", FormatXGBoost, map[string][]byte{"model.json": xgbJSON, "other.json": nil}, "model.json"},
		{"the only json file", FormatXGBoost, map[string][]byte{"iris.json": xgbJSON, "expected.json": nil, "notes.txt": nil}, "iris.json"},
		{"the only onnx file", FormatONNX, map[string][]byte{"mlp.onnx": onnxBytes, "model.json": nil}, "mlp.onnx"},
		{"model.onnx beside another onnx", FormatONNX, map[string][]byte{"model.onnx": onnxBytes, "old.onnx": nil}, "model.onnx"},
		{"extension in capitals", FormatONNX, map[string][]byte{"MLP.ONNX": onnxBytes}, "MLP.ONNX"},
		{"hidden files are not models", FormatONNX, map[string][]byte{"mlp.onnx": onnxBytes, "._mlp.onnx": nil, ".old.onnx": nil}, "mlp.onnx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ext, _ := formatExt(tt.format)
			got, err := modelFile(dir, tt.format, ext)
			if err != nil {
				t.Fatalf("modelFile() = %v", err)
			}
			if want := filepath.Join(dir, tt.want); got != want {
				t.Errorf("modelFile() = %s, want %s", got, want)
			}
			if _, err := Load(tt.format, dir); err != nil {
				t.Errorf("Load() = %v", err)
			}
		})
	}
}

// TestLoadFile loads a model named by its file rather than its directory.
func TestLoadFile(t *testing.T) {
	t.Parallel()
	for format, file := range map[string]string{
		FormatXGBoost: filepath.Join(modelsDir, "iris-xgboost", "model.json"),
		FormatONNX:    filepath.Join(modelsDir, "iris-onnx", "model.onnx"),
	} {
		if _, err := Load(format, file); err != nil {
			t.Errorf("Load(%s, %s) = %v", format, file, err)
		}
	}
}

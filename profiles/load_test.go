package profiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree makes files under dir: a name ending in "/" is a directory,
// anything else a file.
func writeTree(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		path := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadChecksFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tree  []string
		extra string // model and runtime, after the header
		errs  []string
	}{
		{"model directory", []string{"model/"}, "model:\n  path: model\n  format: onnx\n", nil},
		{"model file", []string{"model.onnx"}, "model:\n  path: model.onnx\n  format: onnx\n", nil},
		{"model file in a directory", []string{"model/v1/model.onnx"}, "model:\n  path: model\n  format: onnx\n  file: v1/model.onnx\n", nil},
		{"no model", nil, "model:\n  path: ./model\n  format: onnx\n",
			[]string{"5:9: model.path: DIR/model does not exist; point it at the model, relative to the profile's directory"}},
		{"no model file", []string{"model/"}, "model:\n  path: model\n  format: onnx\n  file: model.onnx\n",
			[]string{"7:9: model.file: DIR/model/model.onnx does not exist"}},
		{"model file is a directory", []string{"model/model.onnx/"}, "model:\n  path: model\n  format: onnx\n  file: model.onnx\n",
			[]string{"model.file: DIR/model/model.onnx is not a file"}},
		{"file with a model file", []string{"model.onnx"}, "model:\n  path: model.onnx\n  format: onnx\n  file: model.onnx\n",
			[]string{"model.file: model.path DIR/model.onnx is a file; model.file picks a file inside a directory"}},
		{"Dockerfile", []string{"model/", "Dockerfile"}, model + "runtime:\n  dockerfile: Dockerfile\n", nil},
		{"Dockerfile and context", []string{"model/", "build/Dockerfile", "src/"}, model + "runtime:\n  dockerfile: build/Dockerfile\n  context: src\n", nil},
		{"no Dockerfile", []string{"model/"}, model + "runtime:\n  dockerfile: Dockerfile\n", []string{"runtime.dockerfile: DIR/Dockerfile does not exist"}},
		{"Dockerfile is a directory", []string{"model/", "Dockerfile/"}, model + "runtime:\n  dockerfile: Dockerfile\n", []string{"runtime.dockerfile: DIR/Dockerfile is not a file"}},
		{"no context", []string{"model/", "Dockerfile"}, model + "runtime:\n  dockerfile: Dockerfile\n  context: src\n", []string{"runtime.context: DIR/src does not exist"}},
		{"context is a file", []string{"model/", "Dockerfile", "src"}, model + "runtime:\n  dockerfile: Dockerfile\n  context: src\n", []string{"runtime.context: DIR/src is not a directory"}},
		{"all at once with other errors", nil, "model:\n  path: model\n  format: onnx\nruntime:\n  dockerfile: Dockerfile\n  port: 0\n",
			[]string{"model.path: DIR/model does not exist", "runtime.dockerfile: DIR/Dockerfile does not exist", "runtime.port: want a port"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, tt.tree...)
			path := filepath.Join(dir, DefaultFile)
			if err := os.WriteFile(path, []byte(head+tt.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			p, _, err := Load(path)
			var got []string
			if err != nil {
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("Load() = %v, want an ErrorList", err)
				}
				got = strings.Split(strings.ReplaceAll(err.Error(), dir, "DIR"), "\n")
			} else if p.Dir != dir {
				t.Errorf("Load().Dir = %q, want %q", p.Dir, dir)
			}
			want := tt.errs
			matchLines(t, "errors", got, want)
		})
	}
}

func TestParseLeavesTheFilesystemAlone(t *testing.T) {
	t.Parallel()
	src := head + "model:\n  path: nowhere\n  format: onnx\nruntime:\n  dockerfile: nowhere/Dockerfile\n"
	p, _, err := Parse([]byte(src), "kubox.yaml", "/does/not/exist")
	if err != nil {
		t.Fatalf("Parse() = %v, want no error: it must not look at files", err)
	}
	if p.Model.Path != "/does/not/exist/nowhere" {
		t.Errorf("Model.Path = %q, want it resolved against dir", p.Model.Path)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, _, err := Load(filepath.Join(t.TempDir(), DefaultFile))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load() = %v, want an error matching fs.ErrNotExist", err)
	}
}

func TestLoadRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "iris/model/")
	if err := os.WriteFile(filepath.Join(dir, "iris", DefaultFile), []byte(head+model), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	p, _, err := Load(filepath.Join("iris", DefaultFile))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if want := filepath.Join(dir, "iris"); p.Dir != want || p.Model.Path != filepath.Join(want, "model") {
		t.Errorf("Dir, Model.Path = %q, %q, want absolute paths under %q", p.Dir, p.Model.Path, want)
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tree     []string
		found    bool
		notExist bool   // the error matches fs.ErrNotExist
		msg      string // part of the error
	}{
		{"present", []string{DefaultFile}, true, false, ""},
		{"absent", nil, false, true, "no kubox.yaml in DIR: write one"},
		{"yml", []string{"kubox.yml"}, false, false, "found DIR/kubox.yml, but kubox reads kubox.yaml: rename it"},
		{"directory", []string{DefaultFile + "/"}, false, false, "DIR/kubox.yaml is not a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, tt.tree...)
			got, err := Find(dir)
			if tt.found {
				if err != nil || got != filepath.Join(dir, DefaultFile) {
					t.Errorf("Find() = %q, %v, want %q", got, err, filepath.Join(dir, DefaultFile))
				}
				return
			}
			if err == nil {
				t.Fatalf("Find() = %q, want an error", got)
			}
			if errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Errorf("errors.Is(Find(), fs.ErrNotExist) = %v, want %v", !tt.notExist, tt.notExist)
			}
			if msg := strings.ReplaceAll(err.Error(), dir, "DIR"); !strings.Contains(msg, tt.msg) {
				t.Errorf("Find() = %q, want it to contain %q", msg, tt.msg)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want func(p *Profile) any // what the profile holds
		exp  any
	}{
		{"replicas", head + model, func(p *Profile) any { return p.Serving.Replicas }, 1},
		{"port", head + model, func(p *Profile) any { return p.Serving.Port }, 8080},
		{"dir", head + model, func(p *Profile) any { return p.Dir }, "/profile"},
		{"model path", head + model, func(p *Profile) any { return p.Model.Path }, "/profile/model"},
		{"absolute model path", head + "model:\n  path: /srv/iris/\n  format: onnx\n", func(p *Profile) any { return p.Model.Path }, "/srv/iris"},
		{"model file stays relative", head + model + "  file: v1/model.json\n", func(p *Profile) any { return p.Model.File }, "v1/model.json"},
		{"built-in runtime has no port", head + model, func(p *Profile) any { return p.Runtime.Port }, 0},
		{"image port", head + model + "runtime:\n  image: a/b:1\nserving:\n  port: 9000\n", func(p *Profile) any { return p.Runtime.Port }, 9000},
		{"image port kept", head + model + "runtime:\n  image: a/b:1\n  port: 8000\n", func(p *Profile) any { return p.Runtime.Port }, 8000},
		{"dockerfile", head + model + "runtime:\n  dockerfile: build/Dockerfile\n", func(p *Profile) any { return p.Runtime.Dockerfile }, "/profile/build/Dockerfile"},
		{"context", head + model + "runtime:\n  dockerfile: build/Dockerfile\n", func(p *Profile) any { return p.Runtime.Context }, "/profile"},
		{"context kept", head + model + "runtime:\n  dockerfile: Dockerfile\n  context: ../src\n", func(p *Profile) any { return p.Runtime.Context }, "/src"},
		{"no autoscaling", head + model, func(p *Profile) any { return p.Serving.Autoscaling }, (*Autoscaling)(nil)},
		{"autoscaling", head + model + "serving:\n  resources: {cpu: 1}\n  autoscaling: {maxReplicas: 3}\n",
			func(p *Profile) any { return *p.Serving.Autoscaling }, Autoscaling{MinReplicas: 1, MaxReplicas: 3, TargetCPU: 80}},
		{"inference log", head + model + "serving:\n  inferenceLog: {enabled: true}\n",
			func(p *Profile) any { return *p.Serving.InferenceLog }, InferenceLog{Enabled: true, Size: "1Gi"}},
		{"toleration operator", head + model + "serving:\n  tolerations: [{key: gpu}, {operator: Exists}]\n",
			func(p *Profile) any {
				return []string{p.Serving.Tolerations[0].Operator, p.Serving.Tolerations[1].Operator}
			}, []string{"Equal", "Exists"}},
		{"tolerance", head + model + "samples:\n- {name: a, inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]}\n",
			func(p *Profile) any { return p.Samples[0].Tolerance }, 1e-4},
		{"tolerance zero kept", head + model + "samples:\n- {name: a, tolerance: 0, inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]}\n",
			func(p *Profile) any { return p.Samples[0].Tolerance }, 0.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _, err := Parse([]byte(tt.yaml), "kubox.yaml", "/profile")
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			if got := tt.want(p); !reflect.DeepEqual(got, tt.exp) {
				t.Errorf("Parse() %s = %#v, want %#v", tt.name, got, tt.exp)
			}
		})
	}
}

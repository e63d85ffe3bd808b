//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fixture is a testdata model with the inputs and outputs its own library
// (xgboost, onnx) recorded.
type fixture struct {
	Inputs  []tensorJSON `json:"inputs"`
	Outputs []tensorJSON `json:"outputs"`
}

type tensorJSON struct {
	Name     string    `json:"name"`
	Datatype string    `json:"datatype"`
	Shape    []int64   `json:"shape"`
	Data     []float64 `json:"data"`
}

func loadFixture(t *testing.T, model string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "models", model, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// request is the fixture's whole batch as an inference request.
func (f fixture) request() string {
	b, _ := json.Marshal(map[string]any{"inputs": f.Inputs})
	return string(b)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

// project is a user's model directory: a kubox.yaml and the model files.
type project struct {
	dir string
}

func newProject(t *testing.T, profile string) project {
	t.Helper()
	p := project{dir: t.TempDir()}
	p.writeProfile(t, profile)
	return p
}

func (p project) writeProfile(t *testing.T, profile string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, "kubox.yaml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
}

// useModel copies a testdata model file into the project's model directory
// as name, atomically, as a training script saving it would.
func (p project) useModel(t *testing.T, fixtureName, file, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "models", fixtureName, file))
	if err != nil {
		t.Fatal(err)
	}
	p.writeModel(t, name, b)
}

func (p project) writeModel(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := filepath.Join(p.dir, "model")
	os.MkdirAll(dir, 0o755)
	tmp := filepath.Join(dir, ".tmp-"+name)
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// predictResponse is what `kubox predict` prints.
type predictResponse struct {
	ModelName    string       `json:"model_name"`
	ModelVersion string       `json:"model_version"`
	Outputs      []tensorJSON `json:"outputs"`
}

func predict(t *testing.T, dir string, args ...string) predictResponse {
	t.Helper()
	return predictWithInput(t, dir, "", args...)
}

func predictWithInput(t *testing.T, dir, stdin string, args ...string) predictResponse {
	t.Helper()
	r := kuboxWithInput(context.Background(), dir, stdin, append([]string{"predict"}, args...)...)
	if r.code != 0 {
		t.Fatalf("kubox predict: %s", r)
	}
	var resp predictResponse
	if err := json.Unmarshal([]byte(r.stdout), &resp); err != nil {
		t.Fatalf("kubox predict printed no response JSON: %v\n%s", err, r.stdout)
	}
	return resp
}

// assertOutputs compares a response with a fixture's recorded outputs.
func assertOutputs(t *testing.T, got predictResponse, want fixture, tolerance float64) {
	t.Helper()
	for _, w := range want.Outputs {
		found := false
		for _, g := range got.Outputs {
			if g.Name != w.Name {
				continue
			}
			found = true
			if len(g.Data) != len(w.Data) {
				t.Fatalf("output %s has %d values, want %d", w.Name, len(g.Data), len(w.Data))
			}
			worst := 0.0
			for i := range w.Data {
				worst = math.Max(worst, math.Abs(g.Data[i]-w.Data[i]))
			}
			if worst > tolerance {
				t.Errorf("output %s differs from the library's by up to %g (tolerance %g)\ngot  %v\nwant %v", w.Name, worst, tolerance, g.Data, w.Data)
			}
		}
		if !found {
			t.Errorf("no output %s in %+v", w.Name, got)
		}
	}
}

const onnxProfile = `apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris-onnx
model:
  path: ./model
  format: FORMAT
samples:
  - name: one-flower
    inputs:
      - {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}
`

// xgboostProfile expects the v1 model's probabilities for its sample.
const xgboostProfile = `apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris-xgb
model:
  path: ./model
  format: xgboost
samples:
  - name: setosa
    inputs:
      - {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}
    expect:
      - {name: predict, data: [0.953119, 0.024485, 0.022396]}
    tolerance: 0.0001
`

// pythonProfile serves the XGBoost model with the xgboost library itself,
// from a server built from a Dockerfile (testdata/custom-python).
const pythonProfile = `apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris-python
model:
  path: ./model
  format: custom
runtime:
  dockerfile: ./Dockerfile
  buildArgs: {BASE: kubox-offline/python:3-bookworm}
samples:
  - name: setosa
    inputs:
      - {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}
    expect:
      - {name: predict, data: [0.953119, 0.024485, 0.022396]}
    tolerance: 0.0001
`

// copyDir copies the files of a testdata directory into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestE2EServing deploys models to a real cluster and checks, through
// `kubox predict`, that they answer what their own libraries computed.
func TestE2EServing(t *testing.T) {
	empty := t.TempDir() // no kubox.yaml: the demo model
	onnx := newProject(t, strings.Replace(onnxProfile, "FORMAT", "onnx", 1))
	xgb := newProject(t, xgboostProfile)
	python := newProject(t, pythonProfile)
	copyDir(t, filepath.Join(repoRoot(t), "testdata", "custom-python"), python.dir)
	var onnxVersion string

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"kubox up serves the demo model and kubox predict answers", func(t *testing.T) {
			r := kuboxIn(context.Background(), empty, "up")
			if r.code != 0 {
				t.Fatalf("kubox up: %s", r)
			}
			t.Logf("kubox up with the demo model from nothing: %s", r.elapsed)
			if !strings.Contains(r.stdout, "model     iris version") {
				t.Errorf("up does not print the model's endpoint:\n%s", r.stdout)
			}
			got := predict(t, empty)
			want := fixture{Outputs: []tensorJSON{{Name: "predict", Data: []float64{0.953119, 0.024485, 0.022396}}}}
			if got.ModelName != "iris" {
				t.Errorf("model_name = %q, want iris", got.ModelName)
			}
			assertOutputs(t, got, want, 1e-5)
		}},
		{"an ONNX model serves its library's outputs", func(t *testing.T) {
			onnx.useModel(t, "iris-onnx", "model.onnx", "model.onnx")
			if r := kuboxIn(context.Background(), onnx.dir, "deploy"); r.code != 0 {
				t.Fatalf("kubox deploy: %s", r)
			}
			f := loadFixture(t, "iris-onnx")
			got := predict(t, onnx.dir, "--data", f.request())
			assertOutputs(t, got, f, 1e-5)
			onnxVersion = got.ModelVersion
		}},
		{"an XGBoost model serves its library's outputs", func(t *testing.T) {
			xgb.useModel(t, "iris-xgboost", "model.json", "model.json")
			if r := kuboxIn(context.Background(), xgb.dir, "deploy"); r.code != 0 {
				t.Fatalf("kubox deploy: %s", r)
			}
			f := loadFixture(t, "iris-xgboost")
			assertOutputs(t, predictWithInput(t, xgb.dir, f.request(), "--data", "-"), f, 1e-5)
		}},
		{"a changed model serves its new outputs", func(t *testing.T) {
			onnx.useModel(t, "iris-onnx-v2", "model.onnx", "model.onnx")
			r := kuboxIn(context.Background(), onnx.dir, "deploy")
			if r.code != 0 {
				t.Fatalf("kubox deploy: %s", r)
			}
			f := loadFixture(t, "iris-onnx-v2")
			got := predict(t, onnx.dir, "--data", f.request())
			assertOutputs(t, got, f, 1e-5)
			if got.ModelVersion == onnxVersion {
				t.Errorf("model_version stayed %s after the model changed", got.ModelVersion)
			}
		}},
		{"a corrupt model is rolled back and the old version answers", func(t *testing.T) {
			onnx.writeModel(t, "model.onnx", []byte("this is not an onnx model"))
			r := kuboxIn(context.Background(), onnx.dir, "deploy")
			if r.code != 1 || !strings.Contains(r.stderr, "rolled back to revision") || !strings.Contains(r.stderr, "loading model") {
				t.Errorf("deploy of a corrupt model: %s", r)
			}
			t.Logf("what the user sees:\n%s", r.stderr)
			f := loadFixture(t, "iris-onnx-v2")
			assertOutputs(t, predict(t, onnx.dir, "--data", f.request()), f, 1e-5)
		}},
		{"a wrong format is rolled back and the old version answers", func(t *testing.T) {
			onnx.useModel(t, "iris-onnx-v2", "model.onnx", "model.onnx")
			onnx.writeProfile(t, strings.Replace(onnxProfile, "FORMAT", "xgboost", 1))
			defer onnx.writeProfile(t, strings.Replace(onnxProfile, "FORMAT", "onnx", 1))
			r := kuboxIn(context.Background(), onnx.dir, "deploy")
			if r.code != 1 || !strings.Contains(r.stderr, "rolled back to revision") {
				t.Errorf("deploy with the wrong format: %s", r)
			}
			f := loadFixture(t, "iris-onnx-v2")
			assertOutputs(t, predict(t, onnx.dir, "--data", f.request()), f, 1e-5)
		}},
		{"a version failing its sample is rolled back and the old one answers", func(t *testing.T) {
			xgb.useModel(t, "iris-xgboost-v2", "model.json", "model.json")
			r := kuboxIn(context.Background(), xgb.dir, "deploy")
			if r.code != 1 || !strings.Contains(r.stderr, `sample \"setosa\"`) && !strings.Contains(r.stderr, `sample "setosa"`) || !strings.Contains(r.stderr, "rolled back to revision") {
				t.Errorf("deploy of a version that fails its sample: %s", r)
			}
			assertOutputs(t, predict(t, xgb.dir, "--data", loadFixture(t, "iris-xgboost").request()), loadFixture(t, "iris-xgboost"), 1e-5)
		}},
		{"a custom Python server built from a Dockerfile serves the library's outputs", func(t *testing.T) {
			python.useModel(t, "iris-xgboost", "model.json", "model.json")
			r := kuboxIn(context.Background(), python.dir, "deploy")
			if r.code != 0 {
				t.Fatalf("kubox deploy: %s", r)
			}
			t.Logf("deploy of a Dockerfile server: %s", r.elapsed)
			f := loadFixture(t, "iris-xgboost")
			assertOutputs(t, predict(t, python.dir, "--data", f.request()), f, 1e-5)
		}},
		{"a custom server answering wrongly never takes traffic", func(t *testing.T) {
			python.useModel(t, "iris-xgboost-v2", "model.json", "model.json")
			r := kuboxIn(context.Background(), python.dir, "deploy")
			if r.code != 1 || !strings.Contains(r.stderr, `sample "setosa"`) || !strings.Contains(r.stderr, "the release was not touched") {
				t.Errorf("deploy of a custom server failing its sample: %s", r)
			}
			f := loadFixture(t, "iris-xgboost")
			assertOutputs(t, predict(t, python.dir, "--data", f.request()), f, 1e-5)
			pods, err := kubeClient(t).CoreV1().Pods("kubox").List(context.Background(), metav1.ListOptions{LabelSelector: "dev.kubox.trial"})
			if err != nil || len(pods.Items) > 0 && pods.Items[0].DeletionTimestamp == nil {
				t.Errorf("trial pods left: %v %v", err, pods.Items)
			}
		}},
		{"model pods run where the restricted Pod Security Standard is enforced", func(t *testing.T) {
			kube := kubeClient(t)
			ns, err := kube.CoreV1().Namespaces().Get(context.Background(), "kubox", metav1.GetOptions{})
			if err != nil || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
				t.Fatalf("namespace kubox: %v, labels %v", err, ns.Labels)
			}
			pods, err := kube.CoreV1().Pods("kubox").List(context.Background(), metav1.ListOptions{})
			if err != nil || len(pods.Items) < 4 {
				t.Fatalf("pods in kubox: %v (%d)", err, len(pods.Items))
			}
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodRunning {
					t.Errorf("pod %s is %s", p.Name, p.Status.Phase)
				}
			}
			// The enforcement is real: a privileged pod is refused.
			privileged := true
			_, err = kube.CoreV1().Pods("kubox").Create(context.Background(), &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: "privileged"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10.2",
					SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}},
			}, metav1.CreateOptions{})
			if !apierrors.IsForbidden(err) {
				t.Errorf("a privileged pod in namespace kubox: err = %v, want Forbidden", err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}

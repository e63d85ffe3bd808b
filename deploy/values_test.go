package deploy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
	"github.com/kubox-dev/kubox/profiles"
)

const image = "kubox-registry:5000/kubox/iris@sha256:2f4e6a8c0b1d3e5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f"

// TestRenderProfiles renders what a deploy of each profile would apply:
// the profile's values must pass the chart's schema and checks, and the
// manifests are kept as golden files.
func TestRenderProfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, profile string
	}{
		{"minimal", `
apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris
model: {path: ./model, format: xgboost}
`},
		{"full", `
apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris
model: {path: ./model, format: onnx}
runtime:
  env: [{name: OMP_NUM_THREADS, value: "1"}]
serving:
  replicas: 2
  port: 9000
  resources: {cpu: 500m, memory: 1Gi, gpu: 1}
  inferenceLog: {enabled: true}
  nodeSelector: {nvidia.com/gpu.present: "true"}
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
`},
		{"autoscaling", `
apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris
model: {path: ./model, format: xgboost}
serving:
  resources: {cpu: 250m}
  autoscaling: {minReplicas: 2, maxReplicas: 6, targetCPU: 60}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _, err := profiles.Parse([]byte(tt.profile), "kubox.yaml", "/work/iris")
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			manifest, err := Render(context.Background(), p.Name, "kubox", Values(p, image, Env{}))
			if err != nil {
				t.Fatalf("Render(Values(%s)) = %v", tt.name, err)
			}
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "deploy", tt.name+".yaml"), []byte(manifest))
			if !strings.Contains(manifest, `image: "`+image+`"`) {
				t.Errorf("manifest does not run %s", image)
			}
		})
	}
}

func TestSampleRequest(t *testing.T) {
	t.Parallel()
	s := profiles.Sample{Name: "s1", Inputs: []profiles.Input{
		{Name: "x", Datatype: "FP32", Shape: []int64{1, 2}, Data: []float64{0.5, 2}},
		{Name: "mask", Datatype: "BOOL", Shape: []int64{2}, Data: []float64{1, 0}},
	}}
	want := `{"id":"s1","inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[0.5,2]},{"name":"mask","datatype":"BOOL","shape":[2],"data":[true,false]}]}`
	if got := string(SampleRequest(s)); got != want {
		t.Errorf("SampleRequest() = %s\nwant %s", got, want)
	}
}

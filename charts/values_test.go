package charts

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestGoValues renders values built in Go rather than parsed from YAML: numbers arrive as int
// or float64 (from encoding/json) instead of json.Number, and must render the same.
// Collections must be JSON-shaped (map[string]any, []any): Helm's schema validator refuses
// typed ones such as []string.
func TestGoValues(t *testing.T) {
	t.Parallel()
	want, err := render(t, "iris", minimalValues+`
port: 9000
replicas: 2
gpu: 2
preStopSleepSeconds: 5
terminationGracePeriodSeconds: 20
command: [serve]
pdb: {enabled: true, minAvailable: 1}
autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 60}
`)
	if err != nil {
		t.Fatalf("render() error = %v", err)
	}
	for _, tc := range []struct {
		name string
		num  func(int) any
	}{
		{name: "int", num: func(n int) any { return n }},
		{name: "int64", num: func(n int) any { return int64(n) }},
		{name: "float64", num: func(n int) any { return float64(n) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vals := map[string]any{
				"model":                         map[string]any{"name": "iris"},
				"image":                         map[string]any{"repository": "localhost:5001/team/iris", "digest": digest},
				"port":                          tc.num(9000),
				"replicas":                      tc.num(2),
				"gpu":                           tc.num(2),
				"preStopSleepSeconds":           tc.num(5),
				"terminationGracePeriodSeconds": tc.num(20),
				"command":                       []any{"serve"},
				"pdb":                           map[string]any{"enabled": true, "minAvailable": tc.num(1)},
				"autoscaling":                   map[string]any{"enabled": true, "minReplicas": tc.num(2), "maxReplicas": tc.num(4), "targetCPUUtilizationPercentage": tc.num(60)},
			}
			got, err := renderValues(t, "iris", vals)
			if err != nil {
				t.Fatalf("renderValues() error = %v", err)
			}
			if got.Manifest != want.Manifest {
				t.Errorf("renderValues() manifest differs from the YAML-valued render:\n--- got\n%s\n--- want\n%s", got.Manifest, want.Manifest)
			}
		})
	}
}

// TestDropDefaultLimit checks the way out the request-above-limit error points to: null
// removes the chart's default memory limit.
func TestDropDefaultLimit(t *testing.T) {
	t.Parallel()
	rel, err := render(t, "iris", minimalValues+"resources: {requests: {memory: 1Gi}, limits: {memory: null}}\n")
	if err != nil {
		t.Fatalf("render() error = %v", err)
	}
	for _, o := range decodeManifest(t, rel.Manifest) {
		if d, ok := o.obj.(*appsv1.Deployment); ok {
			res := d.Spec.Template.Spec.Containers[0].Resources
			if _, ok := res.Limits[corev1.ResourceMemory]; ok || res.Requests.Memory().String() != "1Gi" {
				t.Errorf("resources = %+v, want a 1Gi memory request and no memory limit", res)
			}
		}
	}
}

func TestRejectsValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		release string
		values  string
		want    []string // all must appear in the error
	}{
		{
			name:   "missing model name",
			values: "image: {repository: localhost:5001/iris, digest: " + digest + "}\n",
			want:   []string{"model-serving:", "/model/name", "minLength"},
		},
		{
			name:   "missing image repository",
			values: "model: {name: iris}\nimage: {digest: " + digest + "}\n",
			want:   []string{"/image/repository", "minLength"},
		},
		{
			name:   "neither digest nor tag",
			values: "model: {name: iris}\nimage: {repository: localhost:5001/iris}\n",
			want:   []string{"/image", "anyOf", "/image/digest", "/image/tag"},
		},
		{
			name:   "malformed digest",
			values: "model: {name: iris}\nimage: {repository: localhost:5001/iris, digest: sha256:abc}\n",
			want:   []string{"/image/digest"},
		},
		{
			name:   "model name not a label value",
			values: "model: {name: 'iris v2'}\nimage: {repository: localhost:5001/iris, digest: " + digest + "}\n",
			want:   []string{"/model/name", "does not match pattern"},
		},
		{
			name:   "unknown top-level key",
			values: minimalValues + "replica: 2\n",
			want:   []string{"additional properties 'replica' not allowed"},
		},
		{
			name:   "unknown nested key",
			values: minimalValues + "ingress: {enabled: true, hosts: [iris.example.com]}\n",
			want:   []string{"/ingress", "additional properties 'hosts' not allowed"},
		},
		{
			name:   "wrong type",
			values: minimalValues + "replicas: two\n",
			want:   []string{"/replicas", "got string, want integer"},
		},
		{
			name:   "root user",
			values: minimalValues + "securityContext: {runAsUser: 0}\n",
			want:   []string{"/securityContext/runAsUser", "minimum"},
		},
		{
			name:   "bad pull policy",
			values: "model: {name: iris}\nimage: {repository: localhost:5001/iris, digest: " + digest + ", pullPolicy: Sometimes}\n",
			want:   []string{"/image/pullPolicy", "value must be one of"},
		},
		{
			name:   "preStop sleep outlasts the grace period",
			values: minimalValues + "terminationGracePeriodSeconds: 5\npreStopSleepSeconds: 5\n",
			want:   []string{"preStopSleepSeconds (5) must be less than terminationGracePeriodSeconds (5)"},
		},
		{
			name:   "autoscaling max below min",
			values: minimalValues + "autoscaling: {enabled: true, minReplicas: 4, maxReplicas: 2}\n",
			want:   []string{"autoscaling.maxReplicas (2) must be at least autoscaling.minReplicas (4)"},
		},
		{
			name:   "autoscaling without a CPU request",
			values: minimalValues + "autoscaling: {enabled: true}\nresources: {requests: {cpu: null}}\n",
			want:   []string{"autoscaling.enabled needs resources.requests.cpu"},
		},
		{
			name:   "request above the default limit",
			values: minimalValues + "resources: {requests: {memory: 1Gi}}\n",
			want:   []string{"resources.requests.memory (1Gi) is more than resources.limits.memory (512Mi)", "set it to null"},
		},
		{
			name:   "CPU request above its limit",
			values: minimalValues + "resources: {requests: {cpu: 1500m}, limits: {cpu: 1.2}}\n",
			want:   []string{"resources.requests.cpu (1500m) is more than resources.limits.cpu (1.2)"},
		},
		{
			name:    "release name that cannot name a Service",
			release: "1iris",
			values:  minimalValues,
			want:    []string{`release name "1iris" cannot name a Service`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			releaseName := tc.release
			if releaseName == "" {
				releaseName = "iris"
			}
			_, err := render(t, releaseName, tc.values)
			if err == nil {
				t.Fatalf("render() error = nil, want one mentioning %q", tc.want)
			}
			t.Logf("render() error = %v", err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("render() error = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

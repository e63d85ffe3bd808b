package charts

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"

	"github.com/kubox-dev/kubox/internal/golden"
)

// digest is a well-formed image digest for values that need one.
const digest = "sha256:2f4e6a8c0b1d3e5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f"

// minimalValues is the least a deploy passes.
const minimalValues = `
model: {name: iris}
image: {repository: localhost:5001/team/iris, digest: ` + digest + `}
`

// goldenCase is a value set whose rendering is kept in testdata/golden/chart/<name>.yaml.
type goldenCase struct {
	name   string
	values string
}

// goldenCases cover every template and option.
func goldenCases() []goldenCase {
	return []goldenCase{
		{name: "minimal", values: minimalValues},
		{name: "gpu", values: minimalValues + `
gpu: 1
resources:
  requests: {cpu: "2", memory: 8Gi}
  limits: {memory: 16Gi}
nodeSelector: {nvidia.com/gpu.present: "true"}
tolerations:
  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
imagePullSecrets: [regcred, {name: mirror-cred}]
`},
		{name: "autoscaling-pdb", values: minimalValues + `
replicas: 2
autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70}
pdb: {enabled: true, minAvailable: 1}
podAnnotations: {prometheus.io/scrape: "true", prometheus.io/port: "8080", prometheus.io/path: /metrics}
podLabels: {team: vision, app.kubernetes.io/name: not-this}
`},
		{name: "ingress-inference-log", values: minimalValues + `
ingress: {enabled: true, className: nginx, host: iris.example.com, path: /, tlsSecret: iris-tls, annotations: {cert-manager.io/cluster-issuer: letsencrypt}}
inferenceLog: {enabled: true, storageClassName: kubox-retain, size: 5Gi}
env:
  - {name: LOG_LEVEL, value: debug}
`},
		{name: "ingress-any-host", values: minimalValues + `
ingress: {enabled: true}
service: {port: 8080}
`},
		{name: "custom-runtime", values: `
model: {name: sklearn-iris}
image: {repository: docker.io/seldonio/mlserver, tag: 1.6.1, pullPolicy: Always}
command: [mlserver]
args: [start, /mnt/models]
env:
  - {name: MLSERVER_HTTP_PORT, value: "9000"}
  - {name: MLSERVER_MODEL_NAME, value: sklearn-iris}
  - name: API_KEY
    valueFrom: {secretKeyRef: {name: iris-api, key: key}}
port: 9000
service: {port: 8000}
securityContext: {runAsUser: 1000, runAsGroup: 1000}
terminationGracePeriodSeconds: 60
preStopSleepSeconds: 0
probes: {readinessPath: /v2/health/ready, livenessPath: /v2/health/live}
`},
	}
}

// render installs the embedded chart as release in a client-only dry run: the real template
// engine, schema validation and manifest sorting of `helm install --dry-run`, with the
// in-memory release driver and no cluster.
func render(t *testing.T, releaseName, values string) (*release.Release, error) {
	t.Helper()
	vals, err := chartutil.ReadValues([]byte(values))
	if err != nil {
		t.Fatalf("parsing values: %v", err)
	}
	return renderValues(t, releaseName, vals.AsMap())
}

// renderValues is render for values already in Go form, as the deploy code passes them.
func renderValues(t *testing.T, releaseName string, vals map[string]any) (*release.Release, error) {
	t.Helper()
	c, err := ModelServing()
	if err != nil {
		t.Fatalf("ModelServing() error = %v", err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.ReleaseName = releaseName
	install.Namespace = "models"
	install.DryRun = true
	install.ClientOnly = true
	// Helm's client-only default is Kubernetes 1.20; say what kubox's clusters run.
	install.KubeVersion = &chartutil.KubeVersion{Version: "v1.37.0", Major: "1", Minor: "37"}
	return install.RunWithContext(t.Context(), c, vals)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rel, err := render(t, "iris", tc.values)
			if err != nil {
				t.Fatalf("render() error = %v", err)
			}
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "chart", tc.name+".yaml"), []byte(rel.Manifest))
			checkObjects(t, "iris", rel.Manifest)
		})
	}
}

func TestGoldenNotes(t *testing.T) {
	t.Parallel()
	var values string
	for _, tc := range goldenCases() {
		if tc.name == "ingress-inference-log" {
			values = tc.values
		}
	}
	rel, err := render(t, "iris", values)
	if err != nil {
		t.Fatalf("render() error = %v", err)
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "chart", "notes.txt"), []byte(rel.Info.Notes))
}

// object is one rendered manifest, decoded strictly into its API type.
type object struct {
	kind   string
	name   string
	labels map[string]string
	obj    any
}

// decodeManifest splits a rendered manifest into objects, failing on any field the API types
// do not have: a misspelt field would otherwise be dropped by the API server without a word.
func decodeManifest(t *testing.T, manifest string) []object {
	t.Helper()
	var objs []object
	for _, doc := range strings.Split(manifest, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("parsing manifest: %v\n%s", err, doc)
		}
		var obj any
		switch head.Kind {
		case "Deployment":
			obj = &appsv1.Deployment{}
		case "Service":
			obj = &corev1.Service{}
		case "PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		case "Ingress":
			obj = &networkingv1.Ingress{}
		case "HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		case "PodDisruptionBudget":
			obj = &policyv1.PodDisruptionBudget{}
		default:
			t.Fatalf("unexpected kind %q in manifest", head.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("decoding %s strictly: %v\n%s", head.Kind, err, doc)
		}
		m := obj.(metav1.Object)
		objs = append(objs, object{kind: head.Kind, name: m.GetName(), labels: m.GetLabels(), obj: obj})
	}
	return objs
}

// checkObjects holds every rendered object to the naming and labelling contract.
func checkObjects(t *testing.T, releaseName, manifest string) {
	t.Helper()
	wantLabels := []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "helm.sh/chart", "kubox.dev/model"}
	for _, o := range decodeManifest(t, manifest) {
		if o.name != releaseName {
			t.Errorf("%s name = %q, want the release name %q", o.kind, o.name, releaseName)
		}
		for _, l := range wantLabels {
			if o.labels[l] == "" {
				t.Errorf("%s %s has no label %s", o.kind, o.name, l)
			}
		}
		if d, ok := o.obj.(*appsv1.Deployment); ok {
			want := map[string]string{"app.kubernetes.io/name": "model-serving", "app.kubernetes.io/instance": releaseName}
			if got := d.Spec.Selector.MatchLabels; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Deployment selector = %v, want %v", got, want)
			}
			for k, v := range want {
				if d.Spec.Template.Labels[k] != v {
					t.Errorf("pod label %s = %q, want %q: the selector must match the pods", k, d.Spec.Template.Labels[k], v)
				}
			}
		}
	}
}

func TestMinimalContract(t *testing.T) {
	t.Parallel()
	rel, err := render(t, "iris", minimalValues)
	if err != nil {
		t.Fatalf("render() error = %v", err)
	}
	var d *appsv1.Deployment
	var svc *corev1.Service
	kinds := map[string]bool{}
	for _, o := range decodeManifest(t, rel.Manifest) {
		kinds[o.kind] = true
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			d = v
		case *corev1.Service:
			svc = v
		}
	}
	if len(kinds) != 2 || d == nil || svc == nil {
		t.Fatalf("kinds = %v, want only a Deployment and a Service by default", kinds)
	}

	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas = %v, want 1", d.Spec.Replicas)
	}
	ru := d.Spec.Strategy.RollingUpdate
	if ru == nil || ru.MaxUnavailable.IntValue() != 0 || ru.MaxSurge.IntValue() != 1 {
		t.Errorf("rollingUpdate = %+v, want maxUnavailable 0, maxSurge 1", ru)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if got, want := c.Image, "localhost:5001/team/iris@"+digest; got != want {
		t.Errorf("image = %q, want %q", got, want)
	}
	r := c.ReadinessProbe
	if r == nil || r.HTTPGet == nil || r.HTTPGet.Path != "/v2/models/iris/ready" || r.HTTPGet.Port.String() != "http" ||
		r.PeriodSeconds != 1 || r.FailureThreshold != 2 || r.SuccessThreshold != 1 || r.TimeoutSeconds != 1 {
		t.Errorf("readinessProbe = %+v, want GET /v2/models/iris/ready on http every 1s, failing after 2", r)
	}
	l := c.LivenessProbe
	if l == nil || l.HTTPGet == nil || l.HTTPGet.Path != "/v2/health/live" || l.PeriodSeconds != 10 || l.FailureThreshold != 3 {
		t.Errorf("livenessProbe = %+v, want GET /v2/health/live every 10s, failing after 3", l)
	}
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Sleep.Seconds != 3 {
		t.Errorf("lifecycle = %+v, want preStop sleep 3s", c.Lifecycle)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports = %+v, want http 8080", c.Ports)
	}

	if svc.Spec.Type != corev1.ServiceTypeClusterIP || len(svc.Spec.Ports) != 1 ||
		svc.Spec.Ports[0].Name != "http" || svc.Spec.Ports[0].Port != 80 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service spec = %+v, want ClusterIP http 80 -> http", svc.Spec)
	}
}

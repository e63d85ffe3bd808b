package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/profiles"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

// localCluster is what `kubox up` makes: a published registry, a default
// StorageClass, a default IngressClass.
func localCluster() kubernetes.Interface {
	return fake.NewClientset(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "local-registry-hosting", Namespace: "kube-public"},
			Data: map[string]string{"localRegistryHosting.v1": "host: \"localhost:5001\"\nhostFromContainerRuntime: \"kubox-registry:5000\"\n"}},
		&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}}},
		&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "kubox-retain"}},
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx", Annotations: map[string]string{"ingressclass.kubernetes.io/is-default-class": "true"}}},
	)
}

func TestResolveEnv(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	tests := []struct {
		name    string
		kube    kubernetes.Interface
		in      Inputs
		getenv  func(string) string
		want    map[string]string // binding -> "value source"
		local   bool
		wantErr string
	}{
		{"local cluster", localCluster(), Inputs{}, noEnv, map[string]string{
			"registry": "localhost:5001 cluster", "pull registry": "kubox-registry:5000 cluster",
			"storage class": "standard cluster", "ingress class": "nginx cluster", "pull secret": " default"}, true, ""},
		{"flag beats variable beats cluster", localCluster(), Inputs{Registry: "reg.example.com/ml", StorageClass: "fast"},
			func(k string) string {
				return map[string]string{"KUBOX_REGISTRY": "env.example.com", "KUBOX_STORAGE_CLASS": "env-class", "KUBOX_PULL_SECRET": "regcred"}[k]
			},
			map[string]string{"registry": "reg.example.com/ml flag", "pull registry": "reg.example.com/ml default",
				"storage class": "fast flag", "pull secret": "regcred environment", "ingress class": "nginx cluster"}, true, ""},
		{"a production cluster names nothing", fake.NewClientset(), Inputs{Registry: "reg.example.com", PullRegistry: "mirror.internal"}, noEnv,
			map[string]string{"registry": "reg.example.com flag", "pull registry": "mirror.internal flag", "storage class": " default"}, false, ""},
		{"no cluster at all", nil, Inputs{}, func(k string) string { return map[string]string{"KUBOX_REGISTRY": "reg.example.com"}[k] }, map[string]string{"registry": "reg.example.com environment"}, false, ""},
		{"no registry anywhere", fake.NewClientset(), Inputs{}, noEnv, nil, false, "--registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, err := ResolveEnv(context.Background(), tt.kube, tt.in, tt.getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ResolveEnv() = %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, b := range env.Bindings {
				got[b.Name] = b.Value + " " + b.Source
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("binding %s = %q, want %q", k, got[k], v)
				}
			}
			if env.Local != tt.local {
				t.Errorf("Local = %v, want %v", env.Local, tt.local)
			}
			if !strings.Contains(env.Explain(), "registry") {
				t.Errorf("Explain() = %q", env.Explain())
			}
		})
	}
}

func node(name string, cpu, mem string, gpus int64, lbls map[string]string) corev1.Node {
	n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}, Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}}}
	if gpus > 0 {
		n.Status.Allocatable[gpuResource] = *resource.NewQuantity(gpus, resource.DecimalSI)
	}
	return n
}

func TestCapacity(t *testing.T) {
	t.Parallel()
	two := []corev1.Node{node("a", "4", "8Gi", 0, map[string]string{"pool": "cpu"}), node("b", "4", "8Gi", 0, map[string]string{"pool": "cpu"})}
	gpuNode := append(two, node("g", "8", "32Gi", 1, map[string]string{"pool": "gpu"}))
	tests := []struct {
		name    string
		serving profiles.Serving
		nodes   []corev1.Node
		want    string // "" = fits
	}{
		{"fits", profiles.Serving{Replicas: 2, Resources: profiles.Resources{CPU: "1", Memory: "1Gi"}}, two, ""},
		{"chart defaults fit", profiles.Serving{Replicas: 1}, two, ""},
		{"gpu on a cluster without", profiles.Serving{Replicas: 1, Resources: profiles.Resources{GPU: 1}}, two, "no node offers that many"},
		{"gpu where there is one", profiles.Serving{Replicas: 1, Resources: profiles.Resources{GPU: 1}}, gpuNode, ""},
		{"pod larger than any node", profiles.Serving{Replicas: 1, Resources: profiles.Resources{CPU: "6"}}, two, "the largest node offers 4"},
		{"more replicas than fit", profiles.Serving{Replicas: 5, Resources: profiles.Resources{Memory: "4Gi"}}, two, "5 replicas x 4Gi memory = 20Gi"},
		{"selector matches nothing", profiles.Serving{Replicas: 1, NodeSelector: map[string]string{"pool": "tpu"}}, gpuNode, "no node has the labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &profiles.Profile{Name: "iris", Serving: tt.serving}
			req, err := podRequests(p)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(capacity(p, req, tt.nodes), "; ")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("capacity() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPortability(t *testing.T) {
	t.Parallel()
	prod := Env{Registry: Registry{Push: "reg.example.com", Pull: "reg.example.com"}}
	tests := []struct {
		name  string
		image string
		env   Env
		want  string
	}{
		{"portable", "", prod, ""},
		{"nodes pulling from localhost", "", Env{Registry: Registry{Push: "localhost:5001", Pull: "localhost:5001"}}, "a name of this machine"},
		{"latest runtime image", "seldonio/mlserver:latest", prod, "no pinned version"},
		{"untagged runtime image", "seldonio/mlserver", prod, "no pinned version"},
		{"pinned runtime image", "seldonio/mlserver:1.6.1", prod, ""},
		{"runtime image on this machine", "localhost:5001/team/server:1", prod, "on this machine"},
		{"anything goes locally", "seldonio/mlserver", Env{Local: true, Registry: Registry{Push: "localhost:5001", Pull: "localhost:5001"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(portability(&profiles.Profile{Name: "iris", Runtime: profiles.Runtime{Image: tt.image}}, tt.env), "; ")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("portability() = %q, want %q", got, tt.want)
			}
		})
	}
}

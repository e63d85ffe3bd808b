package deploy

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// Inputs are the environment bindings given on the command line; empty
// means not given.
type Inputs struct {
	Registry, PullRegistry, StorageClass, IngressClass, IngressHost, PullSecret string
}

// envVar is the environment variable that sets a binding.
func envVar(binding string) string {
	return "KUBOX_" + strings.ToUpper(strings.ReplaceAll(binding, " ", "_"))
}

// Binding is one value that differs between clusters, and where it came from.
type Binding struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"` // flag, environment, cluster or default
	From   string `json:"from"`   // the flag, the variable, the cluster object
}

// Env is everything about the target cluster a deploy needs and a profile
// must not say: resolved from flags, then environment variables, then the
// cluster itself, then defaults.
type Env struct {
	Registry     Registry
	StorageClass string
	IngressClass string
	IngressHost  string
	PullSecret   string
	// Local is set when the cluster publishes a local registry (KEP-1755),
	// as kubox's and kind's development clusters do.
	Local bool
	// Bindings explains each value, for `kubox render --explain`.
	Bindings []Binding
}

// ResolveEnv binds a deploy to a cluster. kube may be nil when there is no
// cluster to ask (rendering for GitOps); flags and variables must then say
// what the cluster would have.
func ResolveEnv(ctx context.Context, kube kubernetes.Interface, in Inputs, getenv func(string) string) (Env, error) {
	var env Env
	cluster := clusterFacts(ctx, kube)
	env.Local = cluster.registry.Push != ""
	pick := func(name, flagName, flag, fromCluster, clusterObj, def string) string {
		b := Binding{Name: name}
		switch v := getenv(envVar(name)); {
		case flag != "":
			b.Value, b.Source, b.From = flag, "flag", "--"+flagName
		case v != "":
			b.Value, b.Source, b.From = v, "environment", envVar(name)
		case fromCluster != "":
			b.Value, b.Source, b.From = fromCluster, "cluster", clusterObj
		default:
			b.Value, b.Source, b.From = def, "default", "-"
		}
		env.Bindings = append(env.Bindings, b)
		return b.Value
	}
	env.Registry.Push = pick("registry", "registry", in.Registry, cluster.registry.Push, "kube-public/local-registry-hosting (host)", "")
	pullFromCluster := cluster.registry.Pull
	if in.Registry != "" || getenv(envVar("registry")) != "" {
		// An explicit registry is one name for the machine and the nodes
		// unless a pull name is given too.
		pullFromCluster = ""
	}
	env.Registry.Pull = pick("pull registry", "pull-registry", in.PullRegistry, pullFromCluster, "kube-public/local-registry-hosting (hostFromContainerRuntime)", env.Registry.Push)
	env.StorageClass = pick("storage class", "storage-class", in.StorageClass, cluster.storageClass, "default StorageClass", "")
	env.IngressClass = pick("ingress class", "ingress-class", in.IngressClass, cluster.ingressClass, "default IngressClass", "")
	env.IngressHost = pick("ingress host", "ingress-host", in.IngressHost, "", "", "")
	env.PullSecret = pick("pull secret", "pull-secret", in.PullSecret, "", "", "")
	if env.Registry.Push == "" {
		return env, fmt.Errorf("no registry to push to: the cluster publishes none (kube-public/local-registry-hosting), so name one with --registry or KUBOX_REGISTRY")
	}
	return env, nil
}

type facts struct {
	registry                   Registry
	storageClass, ingressClass string
}

// clusterFacts reads what the cluster says about itself; whatever cannot
// be read is left empty.
func clusterFacts(ctx context.Context, kube kubernetes.Interface) facts {
	var f facts
	if kube == nil {
		return f
	}
	if cm, err := kube.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting", metav1.GetOptions{}); err == nil {
		var h struct {
			Host                     string `json:"host"`
			HostFromContainerRuntime string `json:"hostFromContainerRuntime"`
		}
		if yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &h) == nil && h.Host != "" {
			f.registry = Registry{Push: h.Host, Pull: h.HostFromContainerRuntime}
		}
	}
	if scs, err := kube.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{}); err == nil {
		for _, sc := range scs.Items {
			if sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true" {
				f.storageClass = sc.Name
			}
		}
	}
	if ics, err := kube.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{}); err == nil {
		for _, ic := range ics.Items {
			if ic.Annotations["ingressclass.kubernetes.io/is-default-class"] == "true" {
				f.ingressClass = ic.Name
			}
		}
	}
	return f
}

// Explain renders the bindings as a table.
func (e Env) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %-40s %-12s %s\n", "BINDING", "VALUE", "SOURCE", "FROM")
	for _, x := range e.Bindings {
		v := x.Value
		if v == "" {
			v = "(none)"
		}
		fmt.Fprintf(&b, "%-14s %-40s %-12s %s\n", x.Name, v, x.Source, x.From)
	}
	return b.String()
}

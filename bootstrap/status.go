package bootstrap

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kubox-dev/kubox/registry"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Status is what exists of a local cluster and its surroundings. Its JSON
// form is `kubox status -o json`; fields are only ever added.
type Status struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Cluster    ClusterStatus  `json:"cluster"`
	Registry   RegistryStatus `json:"registry"`
	Storage    StorageStatus  `json:"storage"`
}

// ClusterStatus describes the cluster.
type ClusterStatus struct {
	Name       string `json:"name"`
	Provider   string `json:"provider"`
	Exists     bool   `json:"exists"`
	Ready      bool   `json:"ready"`
	Context    string `json:"context"`
	Kubeconfig string `json:"kubeconfig"`
	// KubernetesVersion is the API server's version, when it answers.
	KubernetesVersion string       `json:"kubernetesVersion,omitempty"`
	Nodes             []NodeStatus `json:"nodes"`
}

// NodeStatus describes one node.
type NodeStatus struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Ready bool   `json:"ready"`
}

// RegistryStatus describes the machine's registry.
type RegistryStatus struct {
	Name        string `json:"name"`
	Image       string `json:"image"`
	Host        string `json:"host"`
	ClusterHost string `json:"clusterHost"`
	Bind        string `json:"bind"`
	Exists      bool   `json:"exists"`
	Running     bool   `json:"running"`
	Healthy     bool   `json:"healthy"`
	DataDir     string `json:"dataDir"`
}

// StorageStatus describes the cluster's storage classes and where the
// retained volumes live on the host.
type StorageStatus struct {
	HostPath string         `json:"hostPath"`
	Classes  []StorageClass `json:"classes"`
}

// StorageClass is one class in the cluster.
type StorageClass struct {
	Name          string `json:"name"`
	Provisioner   string `json:"provisioner"`
	ReclaimPolicy string `json:"reclaimPolicy"`
	Default       bool   `json:"default"`
}

// Status reads what exists for spec without changing anything.
func (b *Bootstrapper) Status(ctx context.Context, spec Spec) (Status, error) {
	s, err := spec.Resolved()
	if err != nil {
		return Status{}, err
	}
	return b.status(ctx, s)
}

func (b *Bootstrapper) status(ctx context.Context, s Spec) (Status, error) {
	st := Status{
		APIVersion: "kubox.dev/v1alpha1",
		Kind:       "Status",
		Cluster: ClusterStatus{Name: s.Name, Provider: s.Provider, Context: s.Context(),
			Kubeconfig: kubeconfigPath(s.Kubeconfig), Nodes: []NodeStatus{}},
		Registry: RegistryStatus{Name: s.Registry.Name, Image: s.Registry.Image, Host: s.Registry.Host(),
			ClusterHost: s.Registry.ClusterHost(), Bind: "127.0.0.1:" + strconv.Itoa(s.Registry.Port), DataDir: s.Registry.DataDir},
		Storage: StorageStatus{HostPath: s.StorageDir(), Classes: []StorageClass{}},
	}
	reg, err := registry.Inspect(ctx, b.Docker, s.Registry)
	if err != nil {
		return st, err
	}
	st.Registry.Exists, st.Registry.Running = reg.Exists, reg.Running
	if reg.Exists {
		st.Registry.Image = reg.Image
	}
	st.Registry.Healthy = reg.Running && registry.Healthy(ctx, s.Registry)

	p, err := b.provider(s)
	if err != nil {
		return st, err
	}
	nodes, err := p.Nodes(ctx, s)
	if err != nil || len(nodes) == 0 {
		return st, err
	}
	st.Cluster.Exists = true
	for _, n := range nodes {
		st.Cluster.Nodes = append(st.Cluster.Nodes, NodeStatus{Name: n.Name, Role: n.Role})
	}
	kube, err := b.clusterClient(ctx, p, s)
	if err != nil {
		b.Log.Debug("cluster API unreachable", "err", err)
		return st, nil
	}
	if v, err := kube.Discovery().ServerVersion(); err == nil {
		st.Cluster.KubernetesVersion = v.GitVersion
	}
	list, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		b.Log.Debug("listing nodes", "err", err)
		return st, nil
	}
	ready := map[string]bool{}
	for i := range list.Items {
		ready[list.Items[i].Name] = nodeReady(&list.Items[i])
	}
	st.Cluster.Ready = true
	for i, n := range st.Cluster.Nodes {
		st.Cluster.Nodes[i].Ready = ready[n.Name]
		st.Cluster.Ready = st.Cluster.Ready && ready[n.Name]
	}
	classes, err := kube.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return st, fmt.Errorf("listing storage classes: %w", err)
	}
	for _, c := range classes.Items {
		sc := StorageClass{Name: c.Name, Provisioner: c.Provisioner,
			Default: c.Annotations["storageclass.kubernetes.io/is-default-class"] == "true"}
		if c.ReclaimPolicy != nil {
			sc.ReclaimPolicy = string(*c.ReclaimPolicy)
		}
		st.Storage.Classes = append(st.Storage.Classes, sc)
	}
	return st, nil
}

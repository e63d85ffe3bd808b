package bootstrap

import (
	"context"
	"fmt"

	"github.com/kubox-dev/kubox/registry"
)

// Provider makes, finds and removes one kind of local cluster. Everything
// that differs between kind and minikube lives behind it; the registry,
// the storage class, the ConfigMap and the readiness wait are the same.
type Provider interface {
	// Name is what --provider takes.
	Name() string
	// Network is the Docker network the cluster's nodes are on; the
	// registry joins it.
	Network(cluster string) string
	// Nodes lists the cluster's nodes; none when it does not exist.
	Nodes(ctx context.Context, s Spec) ([]Node, error)
	// Create makes the cluster with the host storage directory mounted in
	// every node at the provider's local-path base + "/kubox" and
	// containerd reading hosts from registry.CertsDir. A cancelled ctx
	// leaves nothing behind.
	Create(ctx context.Context, s Spec) error
	// Delete removes the cluster and its kube context.
	Delete(ctx context.Context, s Spec, nodes []Node) error
	// KubeConfig returns a kubeconfig for kubox's own client.
	KubeConfig(ctx context.Context, s Spec) ([]byte, error)
	// ExportKubeConfig adds the cluster's context to the user's kubeconfig
	// and makes it current.
	ExportKubeConfig(ctx context.Context, s Spec) error
	// Files reads and writes files in the nodes.
	Files(s Spec) registry.NodeFS
	// ClearVolumes empties the storage directory from inside a node, where
	// files pods wrote as any user can be removed.
	ClearVolumes(ctx context.Context, s Spec, nodes []Node) error
}

// Provider names.
const (
	ProviderKind     = "kind"
	ProviderMinikube = "minikube"
)

// provider returns the provider s names.
func (b *Bootstrapper) provider(s Spec) (Provider, error) {
	p, ok := b.Providers[s.Provider]
	if !ok {
		return nil, fmt.Errorf("unknown provider %q: use --provider kind or --provider minikube", s.Provider)
	}
	return p, nil
}

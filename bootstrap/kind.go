package bootstrap

import (
	"context"
	"fmt"
	"os"

	"github.com/kubox-dev/kubox/registry"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
)

// Kind is the part of the kind library's cluster.Provider kubox uses.
type Kind interface {
	Create(name string, options ...cluster.CreateOption) error
	Delete(name, explicitKubeconfigPath string) error
	KubeConfig(name string, internal bool) (string, error)
	ExportKubeConfig(name string, explicitPath string, internal bool) error
	ListNodes(name string) ([]nodes.Node, error)
}

var _ Kind = (*cluster.Provider)(nil)

// kindProvider makes clusters with the kind library; its nodes are Docker
// containers, reached through the Docker API.
type kindProvider struct {
	kind   Kind
	docker Docker
}

var _ Provider = (*kindProvider)(nil)

func (k *kindProvider) Name() string               { return ProviderKind }
func (k *kindProvider) Network(string) string      { return kindNetwork }
func (k *kindProvider) Files(Spec) registry.NodeFS { return registry.ContainerFS{Docker: k.docker} }
func (k *kindProvider) Create(ctx context.Context, s Spec) error {
	return createCluster(ctx, k.kind, s)
}

func (k *kindProvider) Nodes(ctx context.Context, s Spec) ([]Node, error) {
	return listNodes(ctx, k.docker, s.Name)
}

func (k *kindProvider) Delete(_ context.Context, s Spec, nodes []Node) error {
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	stopThawing := thawWhile(ids)
	defer stopThawing()
	return k.kind.Delete(s.Name, s.Kubeconfig)
}

func (k *kindProvider) KubeConfig(_ context.Context, s Spec) ([]byte, error) {
	kc, err := k.kind.KubeConfig(s.Name, false)
	return []byte(kc), err
}

func (k *kindProvider) ExportKubeConfig(_ context.Context, s Spec) error {
	return k.kind.ExportKubeConfig(s.Name, s.Kubeconfig, false)
}

func (k *kindProvider) ClearVolumes(_ context.Context, s Spec, _ []Node) error {
	nodes, err := k.kind.ListNodes(s.Name)
	if err != nil || len(nodes) == 0 {
		return err
	}
	return nodes[0].Command("sh", "-c", "rm -rf "+storageMount+"/*").Run()
}

// createCluster creates the kind cluster for s. kind's library takes no
// context, so a cancelled ctx is honoured by deleting what kind has made so
// far, which also makes kind's next step fail fast, then deleting again once
// it has returned, since it may have created a node after the first delete.
// A cancelled create leaves no containers and no kubeconfig entry behind.
func createCluster(ctx context.Context, k Kind, s Spec) error {
	if err := os.MkdirAll(s.StorageDir(), 0o755); err != nil {
		return fmt.Errorf("creating storage directory: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- k.Create(s.Name,
			cluster.CreateWithV1Alpha4Config(KindConfig(s)),
			cluster.CreateWithKubeconfigPath(s.Kubeconfig),
			cluster.CreateWithDisplayUsage(false),
			cluster.CreateWithDisplaySalutation(false),
		)
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("creating kind cluster %q: %w", s.Name, err)
		}
		return nil
	case <-ctx.Done():
		_ = k.Delete(s.Name, s.Kubeconfig)
		<-done
		if err := k.Delete(s.Name, s.Kubeconfig); err != nil {
			return fmt.Errorf("cleaning up the cancelled cluster %q: %w (remove it with `kubox down --name %s`)", s.Name, err, s.Name)
		}
		// Only an empty directory goes: a re-created cluster may have data there.
		_ = os.Remove(s.StorageDir())
		return ctx.Err()
	}
}

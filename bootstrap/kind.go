package bootstrap

import (
	"context"
	"fmt"
	"os"

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

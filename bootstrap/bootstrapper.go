package bootstrap

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/kubox-dev/kubox/internal/cmdrun"
	"github.com/kubox-dev/kubox/internal/dockerx"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/registry"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/cluster"
)

// Docker is the part of the Docker engine API bootstrap uses.
type Docker interface {
	registry.Docker
	registry.Files
	dockerx.Images
	Volumes
	ContainerList(ctx context.Context, opts container.ListOptions) ([]container.Summary, error)
}

var _ Docker = (*client.Client)(nil)

// Bootstrapper applies, describes and deletes local clusters. Its fields are
// its collaborators; New wires the real ones.
type Bootstrapper struct {
	Docker Docker
	// Providers by name (kind, minikube).
	Providers map[string]Provider
	Progress  *progress.Printer
	Log       *slog.Logger
	// Kube returns a client for a cluster from its kubeconfig.
	Kube func(kubeconfig []byte) (kubernetes.Interface, error)
}

// New connects to Docker and returns a Bootstrapper backed by the kind
// library and client-go. Close it when done.
func New(ctx context.Context, p *progress.Printer, log *slog.Logger) (*Bootstrapper, error) {
	d, err := dockerx.Connect(ctx)
	if err != nil {
		return nil, err
	}
	kind := cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(kindLogger{log}))
	providers := map[string]Provider{
		ProviderKind:     &kindProvider{kind: kind, docker: d},
		ProviderMinikube: &minikubeProvider{run: cmdrun.Exec{}, bin: "minikube"},
	}
	return &Bootstrapper{Docker: d, Providers: providers, Progress: p, Log: log, Kube: kubeClient}, nil
}

// Close releases the Docker connection.
func (b *Bootstrapper) Close() error {
	if c, ok := b.Docker.(*client.Client); ok {
		return c.Close()
	}
	return nil
}

func kubeClient(kubeconfig []byte) (kubernetes.Interface, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(cfg)
}

// clusterClient returns a client for the cluster s names.
func (b *Bootstrapper) clusterClient(ctx context.Context, p Provider, s Spec) (kubernetes.Interface, error) {
	kc, err := p.KubeConfig(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("getting the kubeconfig of cluster %q: %w", s.Name, err)
	}
	return b.Kube(kc)
}

// Package kube holds the Kubernetes client plumbing several commands share:
// clients for a named kube context, and port-forwards to pods.
package kube

import (
	"fmt"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Target names a cluster: a kube context in a kubeconfig file.
type Target struct {
	// Kubeconfig is the file; empty means $KUBECONFIG or ~/.kube/config.
	Kubeconfig string
	// Context is the kube context; it is always named explicitly, so kubox
	// never acts on whatever context happens to be current.
	Context string
	// Namespace the models live in.
	Namespace string
}

// Getter returns the RESTClientGetter Helm and client-go share for t.
func (t Target) Getter() *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	f.KubeConfig, f.Context, f.Namespace = &t.Kubeconfig, &t.Context, &t.Namespace
	return f
}

// Clients returns a REST config and a typed client for t.
func (t Target) Clients() (*rest.Config, kubernetes.Interface, error) {
	cfg, err := t.Getter().ToRESTConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("kube context %q: %w (is the cluster up? `kubox up`, or name a context with --context)", t.Context, err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, c, nil
}

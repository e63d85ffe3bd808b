package main

import (
	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/registry"
	"github.com/urfave/cli/v2"
)

func nameFlag() cli.Flag {
	return &cli.StringFlag{Name: "name", Value: bootstrap.DefaultName, EnvVars: []string{"KUBOX_CLUSTER"}, Usage: "cluster name"}
}

func providerFlag() cli.Flag {
	return &cli.StringFlag{Name: "provider", Value: bootstrap.ProviderKind, EnvVars: []string{"KUBOX_PROVIDER"}, Usage: "what makes the local cluster: kind or minikube"}
}

func kubeconfigFlag() cli.Flag {
	return &cli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig file to add the cluster's context to (default: $KUBECONFIG or ~/.kube/config)"}
}

// registryFlags name the machine's registry; every cluster command takes them.
func registryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "registry-port", Value: bootstrap.DefaultRegistryPort, EnvVars: []string{"KUBOX_REGISTRY_PORT"}, Usage: "port of the local registry on 127.0.0.1"},
		&cli.StringFlag{Name: "registry-name", Value: bootstrap.DefaultRegistryName, EnvVars: []string{"KUBOX_REGISTRY_NAME"}, Usage: "name of the local registry container (and its host name on the cluster network)"},
	}
}

// clusterFlags are the flags every cluster command shares, then extra.
func clusterFlags(extra ...cli.Flag) []cli.Flag {
	flags := append([]cli.Flag{nameFlag(), providerFlag(), kubeconfigFlag(), dataDirFlag()}, registryFlags()...)
	return append(flags, extra...)
}

// clusterSpec reads the flags every cluster command shares.
func clusterSpec(c *cli.Context) bootstrap.Spec {
	return bootstrap.Spec{
		Name:       c.String("name"),
		Provider:   c.String("provider"),
		Kubeconfig: c.String("kubeconfig"),
		DataDir:    c.String("data-dir"),
		NodeImage:  c.String("node-image"),
		Workers:    c.Int("workers"),
		Wait:       c.Duration("wait"),
		Registry:   registry.Spec{Name: c.String("registry-name"), Port: c.Int("registry-port"), Image: c.String("registry-image")},
	}
}

func dataDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "data-dir", EnvVars: []string{"KUBOX_DATA_DIR"}, Usage: "where registry data and volumes live (default: $XDG_DATA_HOME/kubox)"}
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/deploy"
	"github.com/kubox-dev/kubox/internal/kube"
	"github.com/kubox-dev/kubox/profiles"
	"github.com/urfave/cli/v2"
)

// modelFlags are the flags of the commands that work with a model on a
// cluster, then extra.
func modelFlags(extra ...cli.Flag) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the profile (default: ./kubox.yaml, else the built-in demo model)"},
		nameFlag(), providerFlag(), kubeconfigFlag(), dataDirFlag(),
		&cli.StringFlag{Name: "context", EnvVars: []string{"KUBOX_CONTEXT"}, Usage: "kube context to deploy to (default: the local cluster's, kind-<name>)"},
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Value: "kubox", EnvVars: []string{"KUBOX_NAMESPACE"}, Usage: "namespace of the model's release"},
		&cli.DurationFlag{Name: "timeout", Value: 3 * time.Minute, Usage: "how long a rollout may take"},
	}, append(bindingFlags(), extra...)...)
}

// target is the cluster the model commands act on: a context named
// explicitly, or the local kubox cluster's.
func target(c *cli.Context) kube.Target {
	ctx := c.String("context")
	if ctx == "" {
		ctx = bootstrap.Spec{Name: c.String("name"), Provider: c.String("provider")}.Context()
	}
	return kube.Target{Kubeconfig: c.String("kubeconfig"), Context: ctx, Namespace: c.String("namespace")}
}

// profilePath is -f, else ./kubox.yaml.
func profilePath(c *cli.Context) (string, error) {
	if path := c.String("file"); path != "" {
		return path, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return profiles.Find(wd)
}

// loadProfile reads -f, else ./kubox.yaml; without either it returns the
// built-in demo model when allowDemo is set.
func loadProfile(c *cli.Context, out output, allowDemo bool) (*profiles.Profile, error) {
	path := c.String("file")
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		path, err = profiles.Find(wd)
		if errors.Is(err, fs.ErrNotExist) && allowDemo {
			return demoProfile(c)
		}
		if err != nil {
			return nil, err
		}
	}
	p, warnings, err := profiles.Load(path)
	for _, w := range warnings {
		out.log.Warn(w)
	}
	return p, err
}

// demoProfile writes the built-in demo model into the data directory, so
// that it is built and served like any other.
func demoProfile(c *cli.Context) (*profiles.Profile, error) {
	spec, err := bootstrap.Spec{DataDir: c.String("data-dir")}.Resolved()
	if err != nil {
		return nil, err
	}
	path, err := profiles.WriteDemo(filepath.Join(spec.DataDir, "demo"))
	if err != nil {
		return nil, fmt.Errorf("writing the demo model: %w", err)
	}
	p, _, err := profiles.Load(path)
	return p, err
}

// bindingFlags set the values that differ between clusters; each also
// has an environment variable, and otherwise comes from the cluster.
func bindingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "registry", Usage: "registry to push to, host[:port][/path] ($KUBOX_REGISTRY; default: the cluster's local registry)"},
		&cli.StringFlag{Name: "pull-registry", Usage: "the same registry as the nodes name it ($KUBOX_PULL_REGISTRY; default: --registry)"},
		&cli.StringFlag{Name: "storage-class", Usage: "StorageClass of the inference log's volume ($KUBOX_STORAGE_CLASS; default: the cluster's default)"},
		&cli.StringFlag{Name: "ingress-class", Usage: "IngressClass of the model's Ingress ($KUBOX_INGRESS_CLASS; default: the cluster's default)"},
		&cli.StringFlag{Name: "ingress-host", Usage: "host name to serve the model on through an Ingress ($KUBOX_INGRESS_HOST; default: no Ingress)"},
		&cli.StringFlag{Name: "pull-secret", Usage: "Secret the nodes pull the image with ($KUBOX_PULL_SECRET)"},
	}
}

func bindingInputs(c *cli.Context) deploy.Inputs {
	return deploy.Inputs{Registry: c.String("registry"), PullRegistry: c.String("pull-registry"), StorageClass: c.String("storage-class"),
		IngressClass: c.String("ingress-class"), IngressHost: c.String("ingress-host"), PullSecret: c.String("pull-secret")}
}

// shipper connects to the target cluster and binds the deploy to it.
func shipper(c *cli.Context, out output) (*deploy.Shipper, error) {
	d, err := deploy.New(target(c), out.log)
	if err != nil {
		return nil, err
	}
	env, err := deploy.ResolveEnv(c.Context, d.Kube, bindingInputs(c), os.Getenv)
	if err != nil {
		return nil, err
	}
	return &deploy.Shipper{Deployer: d, Env: env, Progress: out.progress,
		RuntimeImage: os.Getenv("KUBOX_RUNTIME_IMAGE"), RuntimeBinary: os.Getenv("KUBOX_RUNTIME_BINARY"), Timeout: c.Duration("timeout")}, nil
}

package main

import (
	"fmt"
	"os"

	"github.com/kubox-dev/kubox/deploy"
	"github.com/urfave/cli/v2"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "print the manifests a deploy would apply (for review, GitOps and production pipelines)",
		Description: "Builds the model image (pushing nothing) to name it by digest, binds the profile to the\n" +
			"cluster (flags, then KUBOX_* variables, then the cluster itself, then defaults) and renders the\n" +
			"model-serving chart. Without a reachable cluster, pass what it would say (--registry ...).\n" +
			"--explain prints each binding, its value and where it came from instead.",
		Flags: modelFlags(
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml or json"},
			&cli.BoolFlag{Name: "explain", Usage: "print the environment bindings and where each came from"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			format := c.String("output")
			if format != "yaml" && format != "json" {
				return fmt.Errorf("unknown output format %q: use -o yaml or -o json", format)
			}
			p, err := loadProfile(c, out, false)
			if err != nil {
				return err
			}
			t := target(c)
			s := &deploy.Shipper{Progress: out.progress, RuntimeImage: os.Getenv("KUBOX_RUNTIME_IMAGE"), RuntimeBinary: os.Getenv("KUBOX_RUNTIME_BINARY")}
			d, err := deploy.New(t, out.log)
			switch {
			case err == nil:
				s.Deployer = d
			case c.IsSet("context"):
				return err
			default:
				out.log.Info("no cluster to ask; rendering from flags and KUBOX_* variables", "context", t.Context)
			}
			var kube = deploy.KubeOf(s.Deployer)
			if s.Env, err = deploy.ResolveEnv(c.Context, kube, bindingInputs(c), os.Getenv); err != nil {
				return err
			}
			if c.Bool("explain") {
				fmt.Fprint(out.stdout, s.Env.Explain())
				return nil
			}
			manifest, err := s.RenderProfile(c.Context, p, t.Namespace)
			if err != nil {
				return err
			}
			if format == "json" {
				j, err := deploy.ManifestJSON(manifest)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(out.stdout, "%s\n", j)
				return err
			}
			_, err = fmt.Fprint(out.stdout, manifest)
			return err
		},
	}
}

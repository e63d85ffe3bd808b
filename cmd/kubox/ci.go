package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/ci"
	"github.com/kubox-dev/kubox/profiles"
	"github.com/urfave/cli/v2"
)

func ciCommand() *cli.Command {
	return &cli.Command{
		Name:  "ci",
		Usage: "ephemeral clusters for CI jobs",
		Subcommands: []*cli.Command{{
			Name:      "run",
			Usage:     "run a command against a fresh cluster (with the profile deployed), then always remove the cluster",
			ArgsUsage: "-- CMD [ARGS...]",
			Description: "Creates a uniquely named cluster sharing the machine's registry, deploys -f kubox.yaml when given,\n" +
				"runs CMD with KUBECONFIG, KUBOX_CONTEXT, KUBOX_CLUSTER and KUBOX_ENDPOINT (the model's base URL) set,\n" +
				"and removes the cluster whatever happens. Exits with CMD's exit code.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "profile to deploy before CMD runs (default: none)"},
				&cli.DurationFlag{Name: "ttl", Value: 2 * time.Hour, Usage: "how long the cluster may outlive a killed kubox before `kubox prune` removes it"},
				&cli.BoolFlag{Name: "keep-on-failure", Usage: "keep the cluster when CMD fails, to debug it (it still expires)"},
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text, or json: a summary on stdout"},
				&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Value: "kubox", Usage: "namespace of the model's release"},
				&cli.DurationFlag{Name: "timeout", Value: 3 * time.Minute, Usage: "how long the model's rollout may take"},
				dataDirFlag(), providerFlag(), registryFlags()[0], registryFlags()[1],
				&cli.StringFlag{Name: "node-image", EnvVars: []string{"KUBOX_NODE_IMAGE"}, Usage: "kind node image"},
				&cli.StringFlag{Name: "registry-image", Value: bootstrap.DefaultRegistryImage, EnvVars: []string{"KUBOX_REGISTRY_IMAGE"}, Usage: "image the local registry runs"},
			},
			Action: func(c *cli.Context) error {
				out := newOutput(c)
				if c.NArg() == 0 {
					return errors.New("no command to run: `kubox ci run [flags] -- CMD [ARGS...]`")
				}
				format := c.String("output")
				if format != "text" && format != "json" {
					return fmt.Errorf("unknown output format %q: use -o text or -o json", format)
				}
				var p *profiles.Profile
				if path := c.String("file"); path != "" {
					var warnings []string
					var err error
					if p, warnings, err = profiles.Load(path); err != nil {
						return err
					}
					for _, w := range warnings {
						out.log.Warn(w)
					}
				}
				b, err := bootstrap.New(c.Context, out.progress, out.log)
				if err != nil {
					return err
				}
				defer b.Close()
				run := &ci.Run{
					Bootstrap: b, Cluster: clusterSpec(c), TTL: c.Duration("ttl"), KeepOnFailure: c.Bool("keep-on-failure"),
					Profile: p, Namespace: c.String("namespace"), Getenv: os.Getenv, Command: c.Args().Slice(),
					Stdin: c.App.Reader, Stdout: c.App.Writer, Stderr: c.App.ErrWriter, Progress: out.progress,
					RuntimeImage: os.Getenv("KUBOX_RUNTIME_IMAGE"), Runtime: os.Getenv("KUBOX_RUNTIME_BINARY"), Timeout: c.Duration("timeout"),
				}
				if format == "json" {
					// CMD's own output goes to stderr, so stdout is the summary alone.
					run.Stdout = c.App.ErrWriter
				}
				sum, err := run.Do(c.Context)
				if format == "json" {
					enc := json.NewEncoder(out.stdout)
					enc.SetIndent("", "  ")
					enc.Encode(sum)
				}
				if err != nil {
					return err
				}
				if sum.ExitCode != 0 {
					return exitCode(sum.ExitCode)
				}
				return nil
			},
		}},
	}
}

func pruneCommand() *cli.Command {
	return &cli.Command{
		Name:  "prune",
		Usage: "remove expired or orphaned CI clusters and their volumes (the registry and its images stay)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would be removed, remove nothing"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			dataDirFlag(), providerFlag(), registryFlags()[0], registryFlags()[1],
		},
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			b, err := bootstrap.New(c.Context, out.progress, out.log)
			if err != nil {
				return err
			}
			defer b.Close()
			res, err := b.Prune(c.Context, clusterSpec(c), c.Bool("dry-run"), time.Now())
			if c.String("output") == "json" {
				enc := json.NewEncoder(out.stdout)
				enc.SetIndent("", "  ")
				enc.Encode(res)
				return err
			}
			verb := "removed"
			if res.DryRun {
				verb = "would remove"
			}
			for _, p := range res.Pruned {
				fmt.Fprintf(out.stdout, "%s cluster %s (%s)\n", verb, p.Cluster, p.Reason)
			}
			if len(res.Pruned) == 0 {
				fmt.Fprintln(out.stdout, "nothing to prune")
			}
			return err
		},
	}
}

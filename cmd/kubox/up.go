package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/urfave/cli/v2"
)

func upCommand() *cli.Command {
	return &cli.Command{
		Name:  "up",
		Usage: "create or converge the local cluster, registry and storage",
		Description: "Creates what is missing and repairs what drifted; a second run changes nothing.\n" +
			"Registry images and volumes are never deleted to repair drift.",
		Flags: clusterFlags(
			&cli.StringFlag{Name: "node-image", EnvVars: []string{"KUBOX_NODE_IMAGE"}, Usage: "kind node image (default: kind's, " + bootstrap.DefaultNodeImage + ")"},
			&cli.StringFlag{Name: "registry-image", Value: bootstrap.DefaultRegistryImage, EnvVars: []string{"KUBOX_REGISTRY_IMAGE"}, Usage: "image the local registry runs"},
			&cli.IntFlag{Name: "workers", Usage: "worker nodes besides the control plane"},
			&cli.DurationFlag{Name: "wait", Value: bootstrap.DefaultWait, Usage: "how long to wait for nodes to be Ready"},
			&cli.BoolFlag{Name: "model", Value: true, EnvVars: []string{"KUBOX_UP_MODEL"}, Usage: "also deploy ./kubox.yaml, or the built-in demo model without one (--model=false: the cluster alone)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the profile (default: ./kubox.yaml, else the built-in demo model)"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Value: "kubox", EnvVars: []string{"KUBOX_NAMESPACE"}, Usage: "namespace of the model's release"},
			&cli.DurationFlag{Name: "timeout", Value: 3 * time.Minute, Usage: "how long the model's rollout may take"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			b, err := out.bootstrapper(c)
			if err != nil {
				return err
			}
			defer b.Close()
			res, err := b.Apply(c.Context, clusterSpec(c))
			if err != nil {
				return err
			}
			if len(res.Changes) == 0 {
				out.progress.Note("✓ no changes: cluster %q is up to date (%s)", res.Status.Cluster.Name, res.Elapsed.Round(time.Millisecond))
			} else {
				out.progress.Note("✓ cluster %q is ready (%s)", res.Status.Cluster.Name, res.Elapsed.Round(100*time.Millisecond))
			}
			printSummary(out.stdout, res.Status)
			if !c.Bool("model") {
				return nil
			}
			return ship(c, out, true)
		},
	}
}

// printSummary prints the endpoints a user needs, one per line.
func printSummary(w io.Writer, st bootstrap.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "cluster\t%s\tkube context %s\n", st.Cluster.Name, st.Cluster.Context)
	fmt.Fprintf(tw, "registry\t%s\tpush here; pods pull the same name\n", st.Registry.Host)
	fmt.Fprintf(tw, "storage\t%s\tvolumes in %s\n", bootstrap.RetainClassName, st.Storage.HostPath)
}

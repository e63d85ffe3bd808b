package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/urfave/cli/v2"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the cluster, its nodes, the registry and storage",
		Flags: clusterFlags(
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			format := c.String("output")
			if format != "text" && format != "json" {
				return fmt.Errorf("unknown output format %q: use -o text or -o json", format)
			}
			b, err := out.bootstrapper(c)
			if err != nil {
				return err
			}
			defer b.Close()
			st, err := b.Status(c.Context, clusterSpec(c))
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(out.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printStatus(out.stdout, st)
			return nil
		},
	}
}

func printStatus(w io.Writer, st bootstrap.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	cl := st.Cluster
	switch {
	case !cl.Exists:
		fmt.Fprintf(tw, "cluster\t%s\tnot created (run `kubox up --name %s`)\n", cl.Name, cl.Name)
	default:
		fmt.Fprintf(tw, "cluster\t%s\t%s, %s, context %s\n", cl.Name, readiness(cl.Ready), orUnknown(cl.KubernetesVersion), cl.Context)
		for _, n := range cl.Nodes {
			fmt.Fprintf(tw, "  node\t%s\t%s, %s\n", n.Name, n.Role, readiness(n.Ready))
		}
	}
	r := st.Registry
	state := "not created"
	switch {
	case r.Healthy:
		state = "running, healthy"
	case r.Running:
		state = "running, not answering"
	case r.Exists:
		state = "stopped"
	}
	fmt.Fprintf(tw, "registry\t%s\t%s (bound to %s, in-cluster %s, data %s)\n", r.Host, state, r.Bind, r.ClusterHost, r.DataDir)
	var classes []string
	for _, c := range st.Storage.Classes {
		desc := c.Name
		if c.Default {
			desc += " (default)"
		}
		classes = append(classes, desc)
	}
	if len(classes) == 0 {
		classes = []string{"-"}
	}
	fmt.Fprintf(tw, "storage\t%s\tretained volumes in %s\n", strings.Join(classes, ", "), st.Storage.HostPath)
}

func readiness(ready bool) string {
	if ready {
		return "Ready"
	}
	return "NotReady"
}

func orUnknown(s string) string {
	if s == "" {
		return "version unknown"
	}
	return s
}

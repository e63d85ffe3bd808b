package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/dev"
	"github.com/kubox-dev/kubox/doctor"
	"github.com/kubox-dev/kubox/registry"
	"github.com/urfave/cli/v2"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check this machine for kubox up, and say how to fix each problem",
		Description: "Checks Docker and its CLI, memory, disk, cgroups, the registry and dev ports, the node and\n" +
			"registry images, architecture and inotify limits. Exits 1 when a check fails; warnings alone exit 0.",
		Flags: append(registryFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			dataDirFlag(),
			&cli.StringFlag{Name: "node-image", EnvVars: []string{"KUBOX_NODE_IMAGE"}, Usage: "kind node image to check (default: kind's, " + bootstrap.DefaultNodeImage + ")"},
			&cli.StringFlag{Name: "registry-image", Value: bootstrap.DefaultRegistryImage, EnvVars: []string{"KUBOX_REGISTRY_IMAGE"}, Usage: "registry image to check"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			format := c.String("output")
			if format != "text" && format != "json" {
				return fmt.Errorf("unknown output format %q: use -o text or -o json", format)
			}
			cluster, err := bootstrap.Spec{DataDir: c.String("data-dir"), NodeImage: c.String("node-image"),
				Registry: registry.Spec{Name: c.String("registry-name"), Port: c.Int("registry-port"), Image: c.String("registry-image")}}.Resolved()
			if err != nil {
				return err
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			step := out.progress.Start("checking this machine")
			report, err := doctor.Run(c.Context, doctor.Spec{
				RegistryName: cluster.Registry.Name, RegistryPort: cluster.Registry.Port, DevPort: dev.DefaultPort,
				NodeImage: cluster.NodeImage, RegistryImage: cluster.Registry.Image,
				DataDir: cluster.DataDir, WatchDir: wd,
				RuntimeBinary: os.Getenv("KUBOX_RUNTIME_BINARY"), RuntimeImage: os.Getenv("KUBOX_RUNTIME_IMAGE"),
			})
			step.Stop()
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(out.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(report); err != nil {
					return err
				}
			} else {
				printDoctor(out.stdout, report)
			}
			return report.Err()
		},
	}
}

// printDoctor prints one line per check, its mark, name and detail, with
// the fix indented below it.
func printDoctor(w io.Writer, r doctor.Report) {
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	counts := map[doctor.Status]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
		mark := map[doctor.Status]string{doctor.StatusOK: "✓", doctor.StatusWarn: "!", doctor.StatusFail: "✗"}[c.Status]
		fmt.Fprintf(w, "%s %-*s  %s\n", mark, width, c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(w, "  %*s  %s\n", width, "", c.Fix)
		}
	}
	fmt.Fprintf(w, "%d ok, %d warnings, %d failed\n", counts[doctor.StatusOK], counts[doctor.StatusWarn], counts[doctor.StatusFail])
}

package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func downCommand() *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "delete the local cluster; keep registry images and volumes unless --purge",
		Flags: clusterFlags(
			&cli.BoolFlag{Name: "purge", Usage: "also delete the cluster's volumes, and the registry with its images when no other kubox cluster uses it"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			b, err := out.bootstrapper(c)
			if err != nil {
				return err
			}
			defer b.Close()
			res, err := b.Delete(c.Context, clusterSpec(c), c.Bool("purge"))
			if err != nil {
				return err
			}
			if !res.Existed {
				fmt.Fprintf(out.stdout, "cluster %q does not exist; nothing to delete\n", c.String("name"))
			}
			for _, r := range res.Removed {
				fmt.Fprintf(out.stdout, "removed  %s\n", r)
			}
			for _, k := range res.Kept {
				fmt.Fprintf(out.stdout, "kept     %s\n", k)
			}
			return nil
		},
	}
}

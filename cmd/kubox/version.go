package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/urfave/cli/v2"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print kubox's version",
		Action: func(c *cli.Context) error {
			version, revision := "(devel)", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				if bi.Main.Version != "" {
					version = bi.Main.Version
				}
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						revision = " " + s.Value
					}
				}
			}
			fmt.Fprintf(c.App.Writer, "kubox %s%s %s/%s %s\ndefault node image %s\n",
				version, revision, runtime.GOOS, runtime.GOARCH, runtime.Version(), bootstrap.DefaultNodeImage)
			return nil
		},
	}
}

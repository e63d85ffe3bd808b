package main

import (
	"github.com/kubox-dev/kubox/profiles"
	"github.com/urfave/cli/v2"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:        "schema",
		Usage:       "print the JSON Schema of kubox.yaml (for editor completion and validation)",
		Description: "kubox schema > kubox.schema.json, then begin kubox.yaml with\n# yaml-language-server: $schema=./kubox.schema.json",
		Action: func(c *cli.Context) error {
			_, err := c.App.Writer.Write(profiles.Schema())
			return err
		},
	}
}

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/kubox-dev/kubox/scaffold"
	"github.com/urfave/cli/v2"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "start a project: kubox.yaml, a sample model, .kuboxignore and a CI workflow",
		ArgsUsage: "[DIR]",
		Description: "Scaffolds the current directory, or DIR (created when missing). A directory that already holds\n" +
			"a model (*.onnx, or an XGBoost JSON model, in ./model or beside kubox.yaml) gets a kubox.yaml\n" +
			"that points at it; otherwise init writes a sample iris classifier to ./model.\n" +
			"Existing files are never overwritten without --force.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "onnx or xgboost: the sample model to write (default xgboost), or the format of a model init cannot tell"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite files that exist"},
			&cli.StringFlag{Name: "name", Usage: "the model's name (default: the directory's name, made a DNS label)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("init takes one directory, got %d arguments: `kubox init [DIR]`", c.NArg())
			}
			res, err := scaffold.Init(c.Context, scaffold.Spec{
				Dir: c.Args().First(), Name: c.String("name"), Format: c.String("format"),
				Force: c.Bool("force"), Version: initKuboxVersion(),
			})
			if err != nil {
				return err
			}
			printInit(c.App.Writer, res)
			return nil
		},
	}
}

// initKuboxVersion is the module version this binary was built from, for the
// CI workflow to install the same one.
func initKuboxVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}

func printInit(w io.Writer, res scaffold.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	overwritten := map[string]bool{}
	for _, f := range res.Overwritten {
		overwritten[f] = true
	}
	for _, f := range res.Files {
		verb := "wrote"
		if overwritten[f] {
			verb = "overwrote"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", verb, f, initFileNote(res, f))
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w, "\nnext:")
	if wd, err := os.Getwd(); err == nil && filepath.Clean(wd) != res.Dir {
		fmt.Fprintf(w, "  cd %s\n", initQuoteDir(res.Dir))
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  kubox up\t# a local cluster serving %s\n", res.Name)
	fmt.Fprintf(tw, "  kubox dev\t# redeploy on every save of the model\n")
	fmt.Fprintf(tw, "  kubox predict\t# one prediction, from the sample request in kubox.yaml\n")
	tw.Flush()
}

func initFileNote(res scaffold.Result, f string) string {
	switch {
	case f == "kubox.yaml" && res.Adopted != "":
		return fmt.Sprintf("model %s: your %s (%s)", res.Name, res.Adopted, res.Format)
	case f == "kubox.yaml":
		return fmt.Sprintf("model %s (%s) with a sample request and its expected answer", res.Name, res.Format)
	case strings.HasPrefix(f, "model/"):
		return "a sample iris classifier: replace it with your model"
	case f == ".kuboxignore":
		return "what kubox dev does not watch"
	case strings.HasPrefix(f, ".github/"):
		return "CI: tests the model on an ephemeral cluster (kubox ci run)"
	}
	return ""
}

// initQuoteDir quotes a directory for a command line the user copies.
func initQuoteDir(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

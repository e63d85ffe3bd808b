package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/urfave/cli/v2"
)

// Exit codes, mapped here and nowhere else.
const (
	exitOK        = 0
	exitError     = 1
	exitCancelled = 130
)

// run is the whole program: it parses args, runs one command and returns the
// process exit code. Only main touches the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:                 "kubox",
		Usage:                "a production-shaped Kubernetes loop for ML models on your machine",
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		ExitErrHandler:       func(*cli.Context, error) {}, // exit codes are decided below
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print debug logs"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but results and errors"},
		},
		Commands: []*cli.Command{upCommand(), downCommand(), statusCommand(), deployCommand(), devCommand(),
			predictCommand(), renderCommand(), schemaCommand(), ciCommand(), pruneCommand(), initCommand(), doctorCommand(),
			completionCommand(), serveCommand(), versionCommand()},
	}
	err := app.RunContext(ctx, args)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code) // a command's own exit code, passed through
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "kubox: interrupted; nothing was left half-made")
		return exitCancelled
	default:
		fmt.Fprintf(stderr, "kubox: %v\n", err)
		return exitError
	}
}

// exitCode is an exit code a command passes through (kubox ci run exits
// with its CMD's), with nothing more to say.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// output is what every command prints through: results on stdout, progress
// and logs on stderr.
type output struct {
	stdout   io.Writer
	progress *progress.Printer
	log      *slog.Logger
}

func newOutput(c *cli.Context) output {
	level := slog.LevelInfo
	if c.Bool("verbose") {
		level = slog.LevelDebug
	}
	if c.Bool("quiet") {
		level = slog.LevelError
	}
	stderr := c.App.ErrWriter
	return output{
		stdout:   c.App.Writer,
		progress: progress.New(stderr, c.Bool("quiet")),
		log:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
}

// bootstrapper validates the cluster name, so that bad input is rejected
// before Docker is reached, then connects.
func (o output) bootstrapper(c *cli.Context) (*bootstrap.Bootstrapper, error) {
	if err := bootstrap.ValidateName(c.String("name")); err != nil {
		return nil, err
	}
	return bootstrap.New(c.Context, o.progress, o.log)
}

// Package cmdrun runs the external programs kubox drives (minikube), with
// errors that keep the command line and what it printed.
package cmdrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
)

// Cmd is one program run.
type Cmd struct {
	Name string
	Args []string
	// Env is added to kubox's own environment.
	Env []string
}

func (c Cmd) String() string { return strings.Join(append([]string{c.Name}, c.Args...), " ") }

// Runner runs commands; tests substitute a stand-in program, not this.
type Runner interface {
	Run(ctx context.Context, c Cmd) (stdout []byte, err error)
}

// Exec runs commands as processes; a cancelled ctx kills the process.
type Exec struct{}

// Run returns the command's stdout; a failure's error names the command
// and carries what it printed on stderr.
func (Exec) Run(ctx context.Context, c Cmd) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Env = append(cmd.Environ(), c.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return stdout.Bytes(), ctx.Err()
		}
		return stdout.Bytes(), &Error{Cmd: c, Err: err, Output: strings.TrimSpace(stderr.String() + "\n" + stdout.String())}
	}
	return stdout.Bytes(), nil
}

// Error is a command that failed.
type Error struct {
	Cmd    Cmd
	Err    error
	Output string
}

func (e *Error) Error() string {
	out := e.Output
	if len(out) > 2000 {
		out = "..." + out[len(out)-2000:]
	}
	return fmt.Sprintf("%s: %v\n%s", e.Cmd, e.Err, out)
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the command's exit code, or -1 when it did not run to exit.
func (e *Error) ExitCode() int {
	if ee, ok := e.Err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// Missing reports whether err says the program is not installed.
func Missing(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist)
}

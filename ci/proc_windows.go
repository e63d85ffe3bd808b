//go:build windows

package ci

import "os/exec"

// ownGroup stops the command alone where process groups work otherwise.
func ownGroup(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}

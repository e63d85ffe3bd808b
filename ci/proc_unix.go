//go:build !windows

package ci

import (
	"os/exec"
	"syscall"
)

// ownGroup runs cmd in a process group of its own, so that a stop reaches
// everything it started (a shell's children too), not the shell alone.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
}

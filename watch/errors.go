package watch

import (
	"errors"
	"fmt"
	"syscall"
)

// watchError wraps the error of action, explaining those a user can fix: the
// kernel's limits on inotify watches and instances.
func watchError(action string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%s: %w: the limit on inotify watches is reached; raise it with "+
			"`sudo sysctl fs.inotify.max_user_watches=524288` (add the setting to /etc/sysctl.conf to keep it), "+
			"or list large directories in .kuboxignore", action, err)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Errorf("%s: %w: the limit on inotify instances or open files is reached; raise it with "+
			"`sudo sysctl fs.inotify.max_user_instances=512` (Linux) or `ulimit -n 10240` (macOS)", action, err)
	}
	return fmt.Errorf("%s: %w", action, err)
}

// isNotDir reports a path that stopped being a directory before it could be
// watched or listed.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

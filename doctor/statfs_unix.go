//go:build linux || darwin || freebsd

package doctor

import (
	"io/fs"
	"syscall"
)

func freeBytes(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, &fs.PathError{Op: "statfs", Path: path, Err: err}
	}
	// Bavail, not Bfree: the blocks reserved for root are no use to kubox.
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

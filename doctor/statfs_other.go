//go:build !(linux || darwin || freebsd)

package doctor

import (
	"errors"
	"io/fs"
)

func freeBytes(path string) (uint64, error) {
	return 0, &fs.PathError{Op: "statfs", Path: path, Err: errors.ErrUnsupported}
}

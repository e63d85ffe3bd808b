package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// existing lists the planned files that exist already. A directory on a
// planned file's path that is a file instead is an error even with Force:
// init never deletes a user's file to make room for a directory.
func (p *plan) existing() ([]string, error) {
	var found []string
	for _, f := range p.files {
		for dir := path.Dir(f.rel); dir != "."; dir = path.Dir(dir) {
			fi, err := os.Stat(p.abs(dir))
			if err == nil && !fi.IsDir() {
				return nil, fmt.Errorf("%s is a file, but kubox init puts %s there: move it away, then run kubox init again", p.abs(dir), f.rel)
			}
		}
		_, err := os.Lstat(p.abs(f.rel))
		switch {
		case err == nil:
			found = append(found, f.rel)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("checking %s: %w", f.rel, err)
		}
	}
	return found, nil
}

// write writes every file of the plan. Each file appears whole or not at
// all (written beside it, then renamed); if one cannot be written, the
// files and directories this call created are removed again, so a failed
// init leaves no half-made project.
func (p *plan) write() (err error) {
	var created []string // files and directories, in the order they appeared
	defer func() {
		if err == nil {
			return
		}
		for _, c := range slices.Backward(created) {
			os.Remove(c) // best effort: the write error is the one to report
		}
	}()
	for _, f := range p.files {
		target := p.abs(f.rel)
		dirs, err := mkdirs(filepath.Dir(target))
		created = append(created, dirs...)
		if err != nil {
			return fmt.Errorf("creating the directory for %s: %w", f.rel, err)
		}
		_, statErr := os.Lstat(target)
		if err := writeFile(target, f.data); err != nil {
			return fmt.Errorf("writing %s: %w", f.rel, err)
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, target)
		}
	}
	return nil
}

// mkdirs is os.MkdirAll that returns the directories it created, outermost
// first, so that they can be removed again.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	slices.Reverse(missing)
	for i, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return missing[:i], err
		}
	}
	return missing, nil
}

func writeFile(target string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".kubox-init-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

func (p *plan) abs(rel string) string {
	return filepath.Join(p.dir, filepath.FromSlash(strings.TrimPrefix(rel, "./")))
}

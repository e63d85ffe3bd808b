package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
	"github.com/kubox-dev/kubox/internal/ignore"
)

// abs turns a path relative to the root back into a file system path.
func (w *Watcher) abs(rel string) string {
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

// watchTree watches dir and every directory under it that is not ignored,
// and calls found for each entry below dir that is not ignored. It adds the
// watch on a directory before listing it, so that an entry made meanwhile
// is seen by the listing, by an event, or by both.
func (w *Watcher) watchTree(dir string, found func(rel string)) error {
	if err := w.fs.Add(w.abs(dir)); err != nil {
		if skippable(err) {
			w.skip(dir, err)
			return nil
		}
		return watchError("adding a watch on "+w.abs(dir), err)
	}
	w.dirs[dir] = true
	entries, err := os.ReadDir(w.abs(dir))
	if err != nil {
		if skippable(err) {
			w.skip(dir, err)
			return nil
		}
		return fmt.Errorf("listing %s: %w", w.abs(dir), err)
	}
	for _, e := range entries {
		rel := path.Join(dir, e.Name())
		if w.ignored(rel, e.IsDir()) {
			continue
		}
		if found != nil {
			found(rel)
		}
		if e.IsDir() && !w.dirs[rel] {
			if err := w.watchTree(rel, found); err != nil {
				return err
			}
		}
	}
	return nil
}

// skippable reports errors that cost one directory rather than the watch:
// it vanished before it could be watched (its removal is an event of its
// own), or it cannot be read.
func skippable(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || isNotDir(err)
}

func (w *Watcher) skip(dir string, err error) {
	if errors.Is(err, fs.ErrPermission) {
		w.log.Warn("not watching an unreadable directory; list it in "+ignore.FileName+" to silence this", "dir", dir, "err", err)
	}
	w.unwatch(dir)
}

// unwatch forgets dir and everything under it. The kernel drops the watch
// of a removed directory by itself, but not those of a renamed directory's
// subdirectories, which would otherwise report under their old names.
func (w *Watcher) unwatch(dir string) {
	for d := range w.dirs {
		if d == dir || strings.HasPrefix(d, dir+"/") || dir == "." {
			if err := w.fs.Remove(w.abs(d)); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
				w.log.Debug("removing a watch", "dir", d, "err", err)
			}
			delete(w.dirs, d)
		}
	}
}

// rescan recovers from lost events: it forgets directories that are gone,
// watches those that appeared, and reports the root as changed.
func (w *Watcher) rescan() error {
	for d := range w.dirs {
		if info, err := os.Lstat(w.abs(d)); err != nil || !info.IsDir() {
			w.unwatch(d)
		}
	}
	err := filepath.WalkDir(w.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return nil
		}
		rel := w.relOf(p)
		if rel != "." && w.ignored(rel, true) {
			return filepath.SkipDir
		}
		if w.dirs[rel] {
			return nil
		}
		if err := w.watchTree(rel, nil); err != nil {
			return err
		}
		return filepath.SkipDir // watchTree went through it
	})
	w.deb.add(".", false)
	return err
}

// reloadIgnore reads .kuboxignore again. Paths whose verdict flips are
// changes, since they enter or leave the model; directories that became
// ignored stop being watched, and those that stopped being ignored start.
// An invalid file keeps the previous rules, so that a typo made while
// editing it does not stop the loop.
func (w *Watcher) reloadIgnore() error {
	next, err := ignore.Load(w.root)
	if err != nil {
		w.log.Warn("keeping the previous ignore rules", "err", err)
		return nil
	}
	prev := w.ignored
	w.ignored = next
	report := func(rel string) { w.deb.add(rel, false) }
	return filepath.WalkDir(w.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // gone meanwhile; its own event reports it
		}
		rel := w.relOf(p)
		if rel == "." {
			return nil
		}
		dir := e.IsDir()
		was, is := prev(rel, dir), next(rel, dir)
		if was != is {
			report(rel)
		}
		switch {
		case dir && is:
			w.unwatch(rel)
			return filepath.SkipDir
		case dir && was:
			// Newly visible: everything inside enters the model.
			if err := w.watchTree(rel, report); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		return nil
	})
}

func (w *Watcher) relOf(p string) string {
	rel, err := filepath.Rel(w.root, p)
	if err != nil {
		return "."
	}
	return filepath.ToSlash(rel)
}

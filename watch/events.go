package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
	"github.com/kubox-dev/kubox/internal/ignore"
)

// handle turns one fsnotify event into changes and watch updates.
func (w *Watcher) handle(ev fsnotify.Event) error {
	rel, err := filepath.Rel(w.root, ev.Name)
	if err != nil {
		return nil
	}
	rel = filepath.ToSlash(rel)
	switch {
	case rel == ".":
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			return fmt.Errorf("the model directory %s was removed or renamed: put it back and start again", w.root)
		}
		return nil
	case rel == ignore.FileName:
		// Editors write it in steps (truncate, then write): wait until it
		// has been quiet rather than apply the rules of a half-written file.
		w.ignoreTouched = w.clock.Now()
		if w.reloadTimer == nil {
			w.reloadTimer = w.clock.AfterFunc(w.quiet, signal(w.reload))
		}
		return nil
	case ev.Op == fsnotify.Chmod:
		// Attributes alone: indexers, backup tools and antivirus touch
		// them all the time. A mode change that matters to the image
		// (chmod +x) is therefore picked up with the next save only.
		return nil
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		wasDir := w.dirs[rel]
		if w.ignored(rel, wasDir) {
			return nil
		}
		if wasDir {
			w.unwatch(rel)
		}
		w.deb.add(rel, false)
		return nil
	}
	created := ev.Has(fsnotify.Create)
	info, err := os.Lstat(ev.Name)
	if err != nil {
		// Gone already; if the create was all there was, emit drops it.
		if !w.ignored(rel, false) {
			w.deb.add(rel, created)
		}
		return nil
	}
	if w.ignored(rel, info.IsDir()) || info.IsDir() && !created {
		// A write to a directory (kqueue sends them) only says that its
		// entries changed, and those send events of their own.
		return nil
	}
	w.deb.add(rel, created)
	if info.IsDir() && !w.dirs[rel] {
		// Files made before the watch on the new directory took hold
		// send no events of their own, so the walk reports them.
		return w.watchTree(rel, func(p string) { w.deb.add(p, true) })
	}
	return nil
}

// handleError turns an overflow into a full rescan; anything else is fatal.
func (w *Watcher) handleError(err error) error {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.log.Warn("file events were lost; reporting a change of everything", "root", w.root)
		return w.rescan()
	}
	return fmt.Errorf("reading file events: %w", err)
}

// stat reads the state the stability check compares. A symbolic link is
// compared as itself: its target may lie outside the watched tree.
func (w *Watcher) stat(rel string) fileState {
	info, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel)))
	if err != nil {
		return fileState{}
	}
	return fileState{exists: true, size: info.Size(), mode: info.Mode(), mtime: info.ModTime().UnixNano()}
}

// settleIgnore reloads the ignore file once no event has touched it for the
// quiet period.
func (w *Watcher) settleIgnore() error {
	w.reloadTimer = nil
	if wait := w.quiet - w.clock.Now().Sub(w.ignoreTouched); wait > 0 {
		w.reloadTimer = w.clock.AfterFunc(wait, signal(w.reload))
		return nil
	}
	return w.reloadIgnore()
}

package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestWatchNothingMissedBeforeRun(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w, err := New(root, Options{})
	mustDo(t, err)
	defer w.Close()
	write(t, root, "model.onnx", "saved between New and Run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	next(t, w, "model.onnx")
}

func TestWatchSlowConsumer(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := run(t, root, Options{})
	// Nobody reads while a set becomes ready and then hundreds of events
	// follow: the reader keeps going and they all fold into one set.
	write(t, root, "a.py", "a")
	time.Sleep(500 * time.Millisecond)
	want := []string{"a.py"}
	for i := range 200 {
		rel := fmt.Sprintf("data/%03d.csv", i)
		write(t, root, rel, "x")
		want = append(want, rel)
	}
	want = append(want, "data")
	slices.Sort(want)
	time.Sleep(500 * time.Millisecond)
	c := next(t, w, want...)
	if c.Ready.Sub(c.First) < 500*time.Millisecond {
		t.Errorf("Ready - First = %v, want the merged set to keep the first set's First", c.Ready.Sub(c.First))
	}
	none(t, w, 500*time.Millisecond)
}

func TestWatchOverflowReportsRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := run(t, root, Options{})
	// The kernel's queue cannot be overflowed safely from a test; the
	// error fsnotify reports for it can be sent as it would.
	w.fs.Errors <- fsnotify.ErrEventOverflow
	next(t, w, ".")
	write(t, root, "model.onnx", "still watching")
	next(t, w, "model.onnx")
}

func TestWatchFatalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		act  func(w *Watcher, root string)
		want string
	}{
		{"fsnotify error", func(w *Watcher, _ string) { w.fs.Errors <- errors.New("read failed") }, "reading file events: read failed"},
		{"root removed", func(_ *Watcher, root string) { os.RemoveAll(root) }, "was removed or renamed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(t.TempDir(), "model")
			write(t, root, "model.onnx", "m")
			w, err := New(root, Options{})
			mustDo(t, err)
			done := make(chan error, 1)
			go func() { done <- w.Run(context.Background()) }()
			tt.act(w, root)
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Run() = %v, want an error containing %q", err, tt.want)
				}
			case <-time.After(waitLimit):
				t.Fatal("Run() did not return")
			}
			if _, ok := <-w.Changes(); ok {
				t.Error("Changes() still open after Run returned")
			}
		})
	}
}

func TestWatchStops(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			w, err := New(t.TempDir(), Options{})
			mustDo(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			if how == "cancel" {
				cancel()
			} else {
				mustDo(t, w.Close())
			}
			if err := <-done; err != nil {
				t.Errorf("Run() = %v, want nil", err)
			}
			if _, ok := <-w.Changes(); ok {
				t.Error("Changes() still open after Run returned")
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close() after Run = %v, want nil", err)
			}
			if err := w.Run(ctx); err == nil {
				t.Error("second Run() = nil, want an error")
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "file", "")
	write(t, dir, "badignore/.kuboxignore", "[\n")
	tests := []struct {
		name, root, want string
	}{
		{"missing", filepath.Join(dir, "missing"), "no such file"},
		{"a file", filepath.Join(dir, "file"), "not a directory"},
		{"bad ignore file", filepath.Join(dir, "badignore"), ".kuboxignore:1: bad pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := New(tt.root, Options{})
			if err == nil {
				w.Close()
				t.Fatal("New() error = nil, want one")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWatchErrorSaysWhatToDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"watch limit", syscall.ENOSPC, "sysctl fs.inotify.max_user_watches=524288"},
		{"instance limit", syscall.EMFILE, "fs.inotify.max_user_instances"},
		{"other", syscall.EIO, "adding a watch on /m: input/output error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := watchError("adding a watch on /m", tt.err)
			if !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.err) {
				t.Errorf("watchError() = %q, want it to wrap %v and contain %q", err, tt.err, tt.want)
			}
		})
	}
}

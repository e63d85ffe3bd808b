package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/kubox-dev/kubox/internal/ignore"
)

// Options tunes a Watcher; the zero value gives the defaults.
type Options struct {
	// Quiet is how long no relevant event must arrive before a set is
	// checked for stability, and how long its files must then keep their
	// state; default 100ms.
	Quiet time.Duration
	// MaxWait caps how long a set waits for files that keep changing;
	// default 30s.
	MaxWait time.Duration
	// Clock is the time source; default the real clock.
	Clock Clock
	// Log receives debug and warning records; default none.
	Log *slog.Logger
}

// Change is one stable set of changes.
type Change struct {
	// Paths are the changed files and directories, relative to the root,
	// slash-separated, sorted and unique; "." means everything (the event
	// queue overflowed).
	Paths []string
	// First is when the set's first event arrived, so that the dev loop
	// can report the time from save to serving.
	First time.Time
	// Ready is when the set was judged stable.
	Ready time.Time
}

// Watcher reports changes under a model directory; see the package
// documentation for how events become change sets.
type Watcher struct {
	root    string
	fs      *fsnotify.Watcher
	log     *slog.Logger
	ignored ignore.Matcher
	dirs    map[string]bool // watched directories, relative to root
	deb     *debouncer
	wake    chan struct{} // the debounce timer fired
	changes chan Change

	clock         Clock
	quiet         time.Duration
	reload        chan struct{} // the ignore file's timer fired
	reloadTimer   Timer
	ignoreTouched time.Time // latest event on the ignore file

	running   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New starts watching root and everything under it that is not ignored, so
// that nothing saved after New returns is missed; the changes are delivered
// once Run is called. A Watcher that is never run must be closed.
func New(root string, opts Options) (*Watcher, error) {
	if opts.Quiet <= 0 {
		opts.Quiet = 100 * time.Millisecond
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", root, err)
	}
	if info, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening the model directory: %w", err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory: watch the model's directory instead", abs)
	}
	ignored, err := ignore.Load(abs)
	if err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, watchError("starting the file watcher", err)
	}
	w := &Watcher{
		root:    abs,
		fs:      fsw,
		log:     opts.Log,
		ignored: ignored,
		dirs:    map[string]bool{},
		wake:    make(chan struct{}, 1),
		changes: make(chan Change),
		clock:   opts.Clock,
		quiet:   opts.Quiet,
		reload:  make(chan struct{}, 1),
	}
	w.deb = newDebouncer(opts.Clock, opts.Quiet, opts.MaxWait, w.stat, signal(w.wake), opts.Log)
	if err := w.watchTree(".", nil); err != nil {
		fsw.Close()
		return nil, err
	}
	if !w.dirs["."] {
		fsw.Close()
		return nil, fmt.Errorf("cannot watch %s: make it readable, or run kubox as its owner", abs)
	}
	w.log.Debug("watching", "root", abs, "directories", len(w.dirs))
	return w, nil
}

// Changes is the stream of change sets; it is closed when Run returns.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Run turns events into change sets until ctx is cancelled or the Watcher
// is closed, and returns nil then; any other error is fatal and says what
// to do. Run closes the Watcher when it returns and must be called once.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("watch: Run called twice")
	}
	defer close(w.changes)
	defer w.Close()
	defer w.deb.stop()
	defer func() {
		if w.reloadTimer != nil {
			w.reloadTimer.Stop()
		}
	}()
	for {
		// Offer a ready set without ever waiting for the consumer: while it
		// is busy, events keep being read and fold into the set.
		var out chan<- Change
		next, ok := w.deb.peek()
		if ok {
			out = w.changes
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return nil
			}
			if err := w.handle(ev); err != nil {
				return err
			}
		case err, ok := <-w.fs.Errors:
			if !ok {
				return nil
			}
			if err := w.handleError(err); err != nil {
				return err
			}
		case <-w.wake:
			w.deb.tick()
		case <-w.reload:
			if err := w.settleIgnore(); err != nil {
				return err
			}
		case out <- next:
			w.deb.take()
			w.log.Debug("change set delivered", "paths", len(next.Paths), "waited", next.Ready.Sub(next.First))
		}
	}
}

// Close stops watching. It is safe to call more than once and after Run.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() { w.closeErr = w.fs.Close() })
	return w.closeErr
}

// signal returns a timer callback that wakes Run through c. It never
// blocks: a wake-up already queued will do, as its handler checks the time.
func signal(c chan struct{}) func() {
	return func() {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

package watch

import (
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"time"
)

// fileState is what the stability check compares. The modification time is
// kept as nanoseconds so that states compare with ==.
type fileState struct {
	exists bool
	size   int64
	mode   fs.FileMode
	mtime  int64
}

// debouncer collects changed paths and decides when they form a stable set.
// It is not safe for concurrent use: the Watcher calls it from Run's
// goroutine only, and its timer merely calls wake, which must hand the tick
// back to that goroutine.
type debouncer struct {
	clock   Clock
	quiet   time.Duration
	maxWait time.Duration
	stat    func(rel string) fileState
	wake    func()
	log     *slog.Logger

	// paths maps each changed path to whether its first event in this set
	// created it: such a path that is gone again by the time the set is
	// ready was a temporary file (an editor's atomic save), not a change.
	paths map[string]bool
	first time.Time // first event of the set, as reported
	last  time.Time // latest event of the set
	// since starts the MaxWait clock: the set's first event, or the moment
	// a ready set was reopened, so a consumer that was busy for longer
	// than MaxWait does not get the reopened set before it is stable.
	since time.Time
	// snap is the state of paths when the quiet period last ended; nil
	// after any event, because the next comparison must start from a state
	// taken after it.
	snap   map[string]fileState
	snapAt time.Time
	timer  Timer
	// ready is a stable set the consumer has not taken yet.
	ready *Change
}

func newDebouncer(clock Clock, quiet, maxWait time.Duration, stat func(string) fileState, wake func(), log *slog.Logger) *debouncer {
	return &debouncer{
		clock: clock, quiet: quiet, maxWait: maxWait, stat: stat, wake: wake, log: log,
		paths: map[string]bool{},
	}
}

// add records an event for rel; created says the event made the path.
func (d *debouncer) add(rel string, created bool) {
	now := d.clock.Now()
	if d.ready != nil {
		// The consumer is busy and the files moved again: offering the
		// old set now could get half-written files built, so fold it back
		// in and offer the union once that is stable.
		for _, p := range d.ready.Paths {
			d.paths[p] = false
		}
		d.first, d.since = d.ready.First, now
		d.ready = nil
	}
	if len(d.paths) == 0 {
		d.first, d.since = now, now
	}
	if _, ok := d.paths[rel]; !ok {
		d.paths[rel] = created
	}
	d.last = now
	d.snap = nil
	if d.timer == nil {
		// An armed timer is due no later than this event's quiet period
		// ends, and tick re-arms for the rest, so one timer serves a
		// whole burst of events.
		d.schedule(now, d.quiet)
	}
}

// peek returns the set that is ready for the consumer, if any.
func (d *debouncer) peek() (Change, bool) {
	if d.ready == nil {
		return Change{}, false
	}
	return *d.ready, true
}

// take marks the ready set as delivered.
func (d *debouncer) take() { d.ready = nil }

// tick runs when the timer fires: it waits out the quiet period, then
// compares the paths' state with the one taken a quiet period earlier.
func (d *debouncer) tick() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if len(d.paths) == 0 {
		return
	}
	now := d.clock.Now()
	if now.Sub(d.since) >= d.maxWait {
		d.log.Warn("files still changing; reporting them anyway", "waited", now.Sub(d.since), "paths", len(d.paths))
		d.emit(now)
		return
	}
	if wait := d.quiet - now.Sub(d.last); wait > 0 {
		d.schedule(now, wait)
		return
	}
	if d.snap != nil {
		if wait := d.quiet - now.Sub(d.snapAt); wait > 0 {
			d.schedule(now, wait)
			return
		}
	}
	snap := make(map[string]fileState, len(d.paths))
	for p := range d.paths {
		snap[p] = d.stat(p)
	}
	if d.snap == nil || !maps.Equal(d.snap, snap) {
		// Size or time still moving without events (writes through mmap,
		// a network file system) also end up here.
		d.snap, d.snapAt = snap, now
		d.schedule(now, d.quiet)
		return
	}
	d.emit(now)
}

// schedule arms the timer for wait, or for the MaxWait deadline if sooner.
func (d *debouncer) schedule(now time.Time, wait time.Duration) {
	if left := d.since.Add(d.maxWait).Sub(now); left < wait {
		wait = max(left, 0)
	}
	d.timer = d.clock.AfterFunc(wait, d.wake)
}

func (d *debouncer) emit(now time.Time) {
	paths := make([]string, 0, len(d.paths))
	for p, created := range d.paths {
		if created && !d.stat(p).exists {
			continue
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if len(paths) > 0 {
		d.ready = &Change{Paths: paths, First: d.first, Ready: now}
	}
	d.paths = map[string]bool{}
	d.snap = nil
	d.first, d.last, d.since = time.Time{}, time.Time{}, time.Time{}
}

// stop releases the timer when the Watcher stops.
func (d *debouncer) stop() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

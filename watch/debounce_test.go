package watch

import (
	"log/slog"
	"slices"
	"testing"
	"time"
)

const q = 100 * time.Millisecond

// harness drives a debouncer with a fake clock and fake files, so that every
// step of the debounce happens at a known instant.
type harness struct {
	t     *testing.T
	clock *fakeClock
	files map[string]fileState
	d     *debouncer
	t0    time.Time
}

func newHarness(t *testing.T, maxWait time.Duration) *harness {
	t.Helper()
	h := &harness{t: t, clock: newFakeClock(), files: map[string]fileState{}}
	h.t0 = h.clock.Now()
	stat := func(rel string) fileState { return h.files[rel] }
	// The Watcher hands the tick to Run's goroutine; here the test's
	// goroutine is the only one, so the timer may tick directly.
	h.d = newDebouncer(h.clock, q, maxWait, stat, func() { h.d.tick() }, slog.New(slog.DiscardHandler))
	return h
}

// grow changes rel's size without an event, as writes through mmap or a
// network file system do.
func (h *harness) grow(rel string, by int64) {
	f := h.files[rel]
	f.exists, f.size, f.mtime = true, f.size+by, h.clock.Now().UnixNano()
	h.files[rel] = f
}

// write changes rel and reports the event, a create if rel did not exist.
func (h *harness) write(rel string, by int64) {
	created := !h.files[rel].exists
	h.grow(rel, by)
	h.d.add(rel, created)
}

func (h *harness) remove(rel string) {
	delete(h.files, rel)
	h.d.add(rel, false)
}

// step advances the clock and fails if a set became ready.
func (h *harness) step(d time.Duration) {
	h.t.Helper()
	h.clock.Advance(d)
	if c, ok := h.d.peek(); ok {
		h.t.Fatalf("at +%v: set %v ready too early", h.clock.Now().Sub(h.t0), c.Paths)
	}
	if n := h.clock.pending(); n > 1 {
		h.t.Fatalf("at +%v: %d timers pending, want at most 1", h.clock.Now().Sub(h.t0), n)
	}
}

// expect advances the clock and takes the set that must be ready then.
func (h *harness) expect(d time.Duration, paths ...string) Change {
	h.t.Helper()
	h.clock.Advance(d)
	c, ok := h.d.peek()
	if !ok {
		h.t.Fatalf("at +%v: no set ready, want %v", h.clock.Now().Sub(h.t0), paths)
	}
	h.d.take()
	if !slices.Equal(c.Paths, paths) {
		h.t.Errorf("Paths = %v, want %v", c.Paths, paths)
	}
	if !c.Ready.Equal(h.clock.Now()) {
		h.t.Errorf("Ready = +%v, want +%v", c.Ready.Sub(h.t0), h.clock.Now().Sub(h.t0))
	}
	return c
}

func TestDebounceOneSave(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 30*time.Second)
	h.write("model.py", 10)
	h.step(q)     // quiet period over: first look at the file
	h.step(q - 1) // one more quiet period, not quite
	c := h.expect(1, "model.py")
	if !c.First.Equal(h.t0) {
		t.Errorf("First = %v, want the event's time %v", c.First, h.t0)
	}
	if n := h.clock.pending(); n != 0 {
		t.Errorf("%d timers left after the set, want 0", n)
	}
}

func TestDebounceBurstOfWrites(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 30*time.Second)
	// 200 MB in 2 s: a 10 MB chunk every 100 ms, each chunk announced by an
	// event and followed by a pause shorter than the quiet period.
	for range 20 {
		h.write("weights.bin", 10<<20)
		h.step(q - time.Millisecond)
	}
	h.step(time.Millisecond)
	c := h.expect(q, "weights.bin")
	if !c.First.Equal(h.t0) {
		t.Errorf("First = +%v, want +0", c.First.Sub(h.t0))
	}
}

func TestDebouncePauseLongerThanQuiet(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 30*time.Second)
	// The writer pauses for 1.5 quiet periods between chunks: the first
	// look finds the file, but the next chunk arrives before the second.
	for range 5 {
		h.write("weights.bin", 1<<20)
		h.step(q + q/2)
	}
	h.step(q/2 - 1)
	h.expect(1, "weights.bin")
}

func TestDebounceStateMovesWithoutEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 30*time.Second)
	h.write("weights.bin", 1)
	// No more events, but each look finds the file bigger.
	for range 10 {
		h.step(q)
		h.grow("weights.bin", 1<<20)
	}
	h.step(q) // first look at the final state
	h.expect(q, "weights.bin")
}

func TestDebounceMaxWaitWithEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	// An event every 10 ms, forever: the quiet period never comes.
	for range 99 {
		h.write("log.txt", 1)
		h.step(10 * time.Millisecond)
	}
	h.write("log.txt", 1)
	h.expect(10*time.Millisecond, "log.txt")
	// The next event starts a new set with its own MaxWait.
	h.write("log.txt", 1)
	h.step(q)
	h.expect(q, "log.txt")
}

func TestDebounceMaxWaitWithoutEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	h.write("weights.bin", 1)
	for range 9 {
		h.grow("weights.bin", 1)
		h.step(q)
	}
	h.grow("weights.bin", 1)
	h.expect(q, "weights.bin")
}

func TestDebounceCoalescesWhileConsumerBusy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	h.write("a.py", 1)
	h.clock.Advance(2 * q)
	if _, ok := h.d.peek(); !ok {
		t.Fatal("first set not ready after two quiet periods")
	}
	// Nobody takes it for longer than MaxWait; then b.py changes. The
	// ready set is withdrawn, so a busy consumer never gets one while
	// files are moving, and it comes back merged once they are stable.
	h.clock.Advance(2 * time.Second)
	h.write("b.py", 1)
	h.step(q)
	c := h.expect(q, "a.py", "b.py")
	if !c.First.Equal(h.t0) {
		t.Errorf("First = +%v, want the first set's +0", c.First.Sub(h.t0))
	}
}

func TestDebounceTemporaryFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	h.files["model.py"] = fileState{exists: true, size: 1}
	// An atomic save: write a temporary file, rename it over the original.
	h.write("model.py.new", 2)
	delete(h.files, "model.py.new")
	h.d.add("model.py.new", false) // the rename's old name
	h.write("model.py", 1)         // the rename's new name
	h.step(q)
	h.expect(q, "model.py")

	// A file that comes and goes with nothing else is no change at all.
	h.write("scratch.txt", 1)
	h.remove("scratch.txt")
	h.step(3 * q)
	if n := h.clock.pending(); n != 0 {
		t.Errorf("%d timers left, want 0", n)
	}
}

func TestDebounceDeletesAndOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	h.files["old.onnx"] = fileState{exists: true, size: 1}
	h.write("z.py", 1)
	h.remove("old.onnx")
	h.write("a/b.py", 1)
	h.write("z.py", 1)
	h.step(q)
	h.expect(q, "a/b.py", "old.onnx", "z.py")
}

func TestDebounceIgnoresStaleTicks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second)
	h.d.tick() // a wake-up with nothing pending
	h.write("a.py", 1)
	h.d.tick() // a wake-up left over from an earlier timer
	h.step(q)
	h.d.tick() // again, between the two looks
	h.step(q - 1)
	h.expect(1, "a.py")
}

package watch

import "time"

// Clock is the time source of a Watcher; tests pass a fake they can advance
// so that the debounce is checked without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f, on any goroutine, once d has passed, unless the
	// returned Timer is stopped first. f must not block.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call made by Clock.AfterFunc.
type Timer interface {
	// Stop prevents the call if it has not happened yet and reports
	// whether it did.
	Stop() bool
}

// realClock is the wall clock, the default.
type realClock struct{}

var _ Timer = (*time.Timer)(nil)

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Printer writes step progress. It is safe for concurrent use.
type Printer struct {
	w     io.Writer
	live  bool
	quiet bool
	now   func() time.Time

	mu sync.Mutex
}

// New returns a Printer writing to w. A terminal gets a live line that shows
// the running step and its elapsed time; anything else gets one timestamped
// line when a step starts and one when it ends. quiet prints nothing.
func New(w io.Writer, quiet bool) *Printer {
	return &Printer{w: w, live: isTerminal(w), quiet: quiet, now: time.Now}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Step is one unit of long work, started by Printer.Start.
type Step struct {
	p     *Printer
	title string
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
}

// Start announces a step. End it with Done or Fail.
func (p *Printer) Start(format string, args ...any) *Step {
	s := &Step{p: p, title: fmt.Sprintf(format, args...), start: p.now(), stop: make(chan struct{})}
	if p.quiet {
		return s
	}
	if !p.live {
		p.line("  %s ...", s.title)
		return s
	}
	s.done.Add(1)
	go s.spin()
	return s
}

const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

func (s *Step) spin() {
	defer s.done.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		s.p.mu.Lock()
		fmt.Fprintf(s.p.w, "\r\033[K%c %s %s", []rune(spinner)[i%10], s.title, round(s.p.now().Sub(s.start)))
		s.p.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Done ends the step successfully; detail, when not empty, replaces the title.
func (s *Step) Done(detail string) time.Duration {
	return s.end("✓", detail)
}

// Fail ends the step unsuccessfully. The error itself is reported by the caller.
func (s *Step) Fail() time.Duration {
	return s.end("✗", "")
}

// Stop ends the step without a line of its own, for callers that report
// the outcome themselves.
func (s *Step) Stop() time.Duration {
	elapsed := s.p.now().Sub(s.start)
	if !s.p.quiet && s.p.live {
		s.halt()
		s.p.mu.Lock()
		fmt.Fprint(s.p.w, "\r\033[K")
		s.p.mu.Unlock()
	}
	return elapsed
}

func (s *Step) halt() {
	close(s.stop)
	s.done.Wait()
}

func (s *Step) end(mark, detail string) time.Duration {
	elapsed := s.p.now().Sub(s.start)
	if s.p.quiet {
		return elapsed
	}
	if s.p.live {
		s.halt()
	}
	if detail == "" {
		detail = s.title
	}
	s.p.line("%s %s (%s)", mark, detail, round(elapsed))
	return elapsed
}

// Note prints one line of information, such as "no changes".
func (p *Printer) Note(format string, args ...any) {
	if !p.quiet {
		p.line(format, args...)
	}
}

func (p *Printer) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if p.live {
		fmt.Fprintf(p.w, "\r\033[K%s\n", msg)
		return
	}
	fmt.Fprintf(p.w, "%s %s\n", p.now().Format("15:04:05"), msg)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

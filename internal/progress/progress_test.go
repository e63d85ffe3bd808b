package progress

import (
	"bytes"
	"testing"
	"time"
)

func TestPrinterPlainLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	p := New(&buf, false)
	p.now = func() time.Time { return clock }

	s := p.Start("creating cluster %q", "kubox")
	clock = clock.Add(18250 * time.Millisecond)
	if got := s.Done(`created cluster "kubox"`); got != 18250*time.Millisecond {
		t.Errorf("Done() = %v, want 18.25s", got)
	}
	p.Note("✓ no changes")
	s = p.Start("waiting")
	clock = clock.Add(42 * time.Millisecond)
	s.Fail()

	want := "14:00:00   creating cluster \"kubox\" ...\n" +
		"14:00:18 ✓ created cluster \"kubox\" (18.3s)\n" +
		"14:00:18 ✓ no changes\n" +
		"14:00:18   waiting ...\n" +
		"14:00:18 ✗ waiting (42ms)\n"
	if got := buf.String(); got != want {
		t.Errorf("output =\n%s\nwant\n%s", got, want)
	}
}

func TestPrinterQuiet(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := New(&buf, true)
	p.Start("anything").Done("")
	p.Note("note")
	if buf.Len() != 0 {
		t.Errorf("quiet printer wrote %q", buf.String())
	}
}

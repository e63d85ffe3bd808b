package dev

import (
	"fmt"
	"strings"
	"time"
)

// Cycle is one pass of the loop, from a change set to a serving version or
// a failure.
type Cycle struct {
	N       int
	Model   string
	Version string
	// Image is the image that serves after a success, by digest.
	Image string
	// Changed lists the paths that started the cycle (empty for the first).
	Changed []string
	// Detect is from the first event to the change set being judged stable.
	Detect                                time.Duration
	Build, Push, Upgrade, Rollout, Verify time.Duration
	Pushed                                int64
	// SaveToServing is from the first event to the new version verified.
	SaveToServing time.Duration
	Unchanged     bool
	Err           error
	// Serving is the version that serves after a failure.
	Serving string
}

// Summary is the one line that ends a cycle.
func (c Cycle) Summary() string {
	if c.Err != nil {
		first, _, _ := strings.Cut(c.Err.Error(), "\n")
		serving := "nothing serves yet"
		if c.Serving != "" {
			serving = "still serving " + c.Serving
		}
		return fmt.Sprintf("✗ #%d %s failed: %s (%s)", c.N, c.Model, first, serving)
	}
	if c.Unchanged {
		return fmt.Sprintf("✓ #%d %s %s already serves: no changes", c.N, c.Model, c.Version)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "✓ #%d %s %s serving", c.N, c.Model, c.Version)
	if c.SaveToServing > 0 {
		fmt.Fprintf(&b, " · save→serving %s", ms(c.SaveToServing))
	}
	if c.Detect > 0 {
		fmt.Fprintf(&b, " · detect %s", ms(c.Detect))
	}
	fmt.Fprintf(&b, " · build %s · push %s (%s) · upgrade %s · rollout %s · verify %s",
		ms(c.Build), ms(c.Push), bytesString(c.Pushed), ms(c.Upgrade), ms(c.Rollout), ms(c.Verify))
	return b.String()
}

func ms(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

func bytesString(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 10<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	}
}

// describeChanges names the first few changed paths.
func describeChanges(paths []string) string {
	if len(paths) <= 3 {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:3], ", "), len(paths)-3)
}

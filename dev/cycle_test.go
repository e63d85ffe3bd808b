package dev

import (
	"errors"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Cycle
		want string
	}{
		{"served", Cycle{N: 3, Model: "iris", Version: "3f2a9c1b7e10", Detect: 210 * time.Millisecond, Build: 40 * time.Millisecond,
			Push: 25 * time.Millisecond, Pushed: 1258291, Upgrade: 140 * time.Millisecond, Rollout: 1321 * time.Millisecond,
			Verify: 38 * time.Millisecond, SaveToServing: 1844 * time.Millisecond},
			"✓ #3 iris 3f2a9c1b7e10 serving · save→serving 1.84s · detect 210ms · build 40ms · push 25ms (1228.8 KiB) · upgrade 140ms · rollout 1.32s · verify 38ms"},
		{"failed", Cycle{N: 4, Model: "iris", Err: errors.New("pod iris-x: container exited with code 1\nevents..."), Serving: "3f2a9c1b7e10"},
			"✗ #4 iris failed: pod iris-x: container exited with code 1 (still serving 3f2a9c1b7e10)"},
		{"first failed", Cycle{N: 1, Model: "iris", Err: errors.New("building iris: no files")},
			"✗ #1 iris failed: building iris: no files (nothing serves yet)"},
		{"unchanged", Cycle{N: 2, Model: "iris", Version: "abc", Unchanged: true}, "✓ #2 iris abc already serves: no changes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.Summary(); got != tt.want {
				t.Errorf("Summary() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

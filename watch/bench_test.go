package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEventToChange measures, with real fsnotify and the real clock,
// how long a save takes to come out as a change set, and how much of that
// lies beyond the quiet period. By design a set is ready no earlier than two
// quiet periods after the last event (quiet, then the stability check).
func BenchmarkEventToChange(b *testing.B) {
	for _, quiet := range []time.Duration{100 * time.Millisecond, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("quiet=%v", quiet), func(b *testing.B) {
			root := b.TempDir()
			w, err := New(root, Options{Quiet: quiet})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go w.Run(ctx)
			file := filepath.Join(root, "model.onnx")
			var total, notify, handoff time.Duration
			n := 0
			for b.Loop() {
				saved := time.Now()
				if err := os.WriteFile(file, []byte(saved.String()), 0o644); err != nil {
					b.Fatal(err)
				}
				c := <-w.Changes()
				got := time.Now()
				total += got.Sub(saved)
				notify += c.First.Sub(saved)
				handoff += got.Sub(c.Ready)
				n++
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(n) / float64(time.Millisecond) }
			b.ReportMetric(ms(total), "ms/change")
			b.ReportMetric(ms(total)-float64(quiet)/float64(time.Millisecond), "ms-beyond-quiet/change")
			b.ReportMetric(ms(total)-2*float64(quiet)/float64(time.Millisecond), "ms-beyond-2quiet/change")
			b.ReportMetric(ms(notify)*1000, "µs-save-to-event/change")
			b.ReportMetric(ms(handoff)*1000, "µs-ready-to-consumer/change")
		})
	}
}

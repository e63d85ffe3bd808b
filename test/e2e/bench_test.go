//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"sigs.k8s.io/kind/pkg/cluster"
)

// benchRuns is how many times each side is measured (KUBOX_BENCH_RUNS).
func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("KUBOX_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 3
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkUp compares `kubox up` from nothing (no cluster, no registry)
// with a bare kind library create of the same node image that waits for a
// Ready control plane, alternating the two so that machine noise falls on
// both. kubox's aim: a ratio of at most 1.15.
func BenchmarkUp(b *testing.B) {
	nodeImage := os.Getenv("KUBOX_NODE_IMAGE")
	if nodeImage == "" {
		nodeImage = "kindest/node:v1.37.0" // kind's default; pulled once
	}
	// From nothing: whatever an earlier benchmark left goes first.
	if r := kubox(context.Background(), "down", "--purge"); r.code != 0 {
		b.Fatalf("kubox down --purge: %s", r)
	}
	provider := cluster.NewProvider(cluster.ProviderWithDocker())
	kindConfig := filepath.Join(b.TempDir(), "kubeconfig")
	var kuboxTimes, kindTimes []time.Duration
	for i := 0; i < benchRuns(); i++ {
		start := time.Now()
		if err := provider.Create("kubox-bench-kind", cluster.CreateWithNodeImage(nodeImage),
			cluster.CreateWithWaitForReady(5*time.Minute), cluster.CreateWithKubeconfigPath(kindConfig),
			cluster.CreateWithDisplayUsage(false), cluster.CreateWithDisplaySalutation(false)); err != nil {
			b.Fatalf("kind create: %v", err)
		}
		kindTimes = append(kindTimes, time.Since(start))
		if err := provider.Delete("kubox-bench-kind", kindConfig); err != nil {
			b.Fatal(err)
		}

		r := kubox(context.Background(), "up", "--model=false")
		if r.code != 0 {
			b.Fatalf("kubox up: %s", r)
		}
		kuboxTimes = append(kuboxTimes, r.elapsed)
		if r := kubox(context.Background(), "down", "--purge"); r.code != 0 {
			b.Fatalf("kubox down --purge: %s", r)
		}
	}
	ratio := float64(median(kuboxTimes)) / float64(median(kindTimes))
	fmt.Printf("\nup from nothing, %d runs each, node image %s\n", len(kindTimes), nodeImage)
	fmt.Printf("  %-34s median %-8s runs %v\n", "kind library create (wait Ready)", median(kindTimes).Round(10*time.Millisecond), round(kindTimes))
	fmt.Printf("  %-34s median %-8s runs %v\n", "kubox up", median(kuboxTimes).Round(10*time.Millisecond), round(kuboxTimes))
	fmt.Printf("  ratio kubox/kind %.3f (aim <= 1.15)\n", ratio)
	b.ReportMetric(ratio, "kubox/kind")
	b.ReportMetric(median(kuboxTimes).Seconds(), "s/up")
}

// BenchmarkUpConverged measures `kubox up` with everything in place: the
// whole binary, process start to exit, as a user runs it. Aim: <= 1 s.
func BenchmarkUpConverged(b *testing.B) {
	if r := kubox(context.Background(), "up", "--model=false"); r.code != 0 {
		b.Fatalf("kubox up: %s", r)
	}
	b.Cleanup(func() { kubox(context.Background(), "down", "--purge") })
	var times []time.Duration
	for i := 0; i < 5*benchRuns(); i++ {
		r := kubox(context.Background(), "up", "--model=false")
		if r.code != 0 {
			b.Fatalf("kubox up: %s", r)
		}
		times = append(times, r.elapsed)
	}
	slices.Sort(times)
	fmt.Printf("\nconverged up, %d runs: median %s, min %s, max %s (aim <= 1s)\n", len(times),
		median(times).Round(time.Millisecond), times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	b.ReportMetric(median(times).Seconds(), "s/up")
}

func round(d []time.Duration) []string {
	out := make([]string, len(d))
	for i, x := range d {
		out[i] = x.Round(100 * time.Millisecond).String()
	}
	return out
}

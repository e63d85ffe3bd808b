//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var summaryRE = regexp.MustCompile(`✓ #(\d+) \S+ \S+ serving · save→serving (\S+) · detect (\S+) · build (\S+) · push (\S+) \(([\d.]+) (B|KiB|MiB)\) · upgrade (\S+) · rollout (\S+) · verify (\S+)`)

type devSample struct {
	total, detect, build, push, upgrade, rollout, verify time.Duration
	pushed                                               float64 // bytes
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

// BenchmarkDev measures `kubox dev` from a save to the new version
// answering, for a 1 MB and a 100 MB model (an ONNX model and a weights
// file rewritten in full at every save), over 20 saves each, with the phase
// breakdown and the bytes pushed against the bytes changed; then the idle
// memory and CPU of the loop.
func BenchmarkDev(b *testing.B) {
	if r := kubox(context.Background(), "up", "--model=false"); r.code != 0 {
		b.Fatalf("kubox up: %s", r)
	}
	saves := 20
	if n, err := strconv.Atoi(os.Getenv("KUBOX_BENCH_SAVES")); err == nil && n > 0 {
		saves = n
	}
	for _, size := range []int{1 << 20, 100 << 20} {
		dir := b.TempDir()
		os.WriteFile(filepath.Join(dir, "kubox.yaml"), []byte(devProfile), 0o644)
		model := filepath.Join(dir, "model")
		os.MkdirAll(model, 0o755)
		onnx, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "models", "iris-onnx", "model.onnx"))
		os.WriteFile(filepath.Join(model, "model.onnx"), onnx, 0o644)
		weights := make([]byte, size)
		write := func() {
			rand.Read(weights)
			tmp := filepath.Join(model, ".weights.tmp")
			os.WriteFile(tmp, weights, 0o644)
			os.Rename(tmp, filepath.Join(model, "weights.bin"))
		}
		write()
		dev := startDev(b, dir)
		dev.waitFor(b, regexp.MustCompile(`(?m)[✓✗] #1 `), 3*time.Minute)
		var samples []devSample
		for i := 0; i < saves; i++ {
			n := i + 2
			time.Sleep(300 * time.Millisecond) // the previous pods settle
			write()
			m := dev.waitFor(b, regexp.MustCompile(fmt.Sprintf(`(?m)[✓✗] #%d .*`, n)), 3*time.Minute)
			sm := summaryRE.FindStringSubmatch(m[0])
			if sm == nil {
				b.Fatalf("cycle %d: %s", n, m[0])
			}
			d := func(s string) time.Duration { v, _ := time.ParseDuration(s); return v }
			pushed, _ := strconv.ParseFloat(sm[6], 64)
			pushed *= map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20}[sm[7]]
			samples = append(samples, devSample{total: d(sm[2]), detect: d(sm[3]), build: d(sm[4]), push: d(sm[5]),
				upgrade: d(sm[8]), rollout: d(sm[9]), verify: d(sm[10]), pushed: pushed})
		}
		col := func(f func(devSample) time.Duration) []time.Duration {
			var out []time.Duration
			for _, s := range samples {
				out = append(out, f(s))
			}
			return out
		}
		totals := col(func(s devSample) time.Duration { return s.total })
		var pushedSum float64
		for _, s := range samples {
			pushedSum += s.pushed
		}
		fmt.Printf("\nkubox dev, %d saves of a %d MiB model (weights rewritten in full)\n", len(samples), size>>20)
		fmt.Printf("  save→serving p50 %s, p95 %s (aim for 100 MiB: p50 <= 2s, p95 <= 3s)\n", pct(totals, .5).Round(time.Millisecond), pct(totals, .95).Round(time.Millisecond))
		fmt.Printf("  phase medians: detect %s, build %s, push %s, upgrade %s, rollout %s, verify %s\n",
			pct(col(func(s devSample) time.Duration { return s.detect }), .5), pct(col(func(s devSample) time.Duration { return s.build }), .5),
			pct(col(func(s devSample) time.Duration { return s.push }), .5), pct(col(func(s devSample) time.Duration { return s.upgrade }), .5),
			pct(col(func(s devSample) time.Duration { return s.rollout }), .5), pct(col(func(s devSample) time.Duration { return s.verify }), .5))
		perChange := pushedSum / float64(len(samples))
		fmt.Printf("  bytes pushed per change %.0f for %d changed: %.4f x changed (aim <= 1.01 x + 64 KiB: %.0f)\n",
			perChange, size, perChange/float64(size), 1.01*float64(size)+64<<10)
		if size == 1<<20 {
			rss, cpu := idle(b, dev, 10*time.Second)
			fmt.Printf("  idle kubox dev: RSS %.1f MiB, CPU %.2f%% over 10 s (aim RSS <= 60 MB)\n", float64(rss)/(1<<20), cpu*100)
		}
		dev.cmd.Process.Signal(os.Interrupt)
		<-dev.done
	}
}

// idle measures a process's resident memory and its CPU share over d.
func idle(b *testing.B, dev *devProcess, d time.Duration) (rss int64, cpu float64) {
	pid := dev.cmd.Process.Pid
	ticks := func() float64 {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			b.Fatal(err)
		}
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		u, _ := strconv.ParseFloat(f[11], 64)
		s, _ := strconv.ParseFloat(f[12], 64)
		return u + s // clock ticks, 100 per second on Linux
	}
	t0 := ticks()
	time.Sleep(d)
	cpu = (ticks() - t0) / 100 / d.Seconds()
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			rss = kb << 10
		}
	}
	return rss, cpu
}

package dev

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kubox-dev/kubox/deploy"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/profiles"
	"github.com/kubox-dev/kubox/watch"
	corev1 "k8s.io/api/core/v1"
)

// Loop is `kubox dev`. Its exported fields are its options.
type Loop struct {
	Shipper *deploy.Shipper
	// ProfilePath is kubox.yaml; its directory is watched, and it is read
	// again at every cycle, so editing it takes effect on save.
	ProfilePath string
	Progress    *progress.Printer
	Log         *slog.Logger
	// Port is the stable local port that forwards to the serving pod (0:
	// any free one).
	Port int
	// Logs streams the pods' logs.
	Logs bool
	// Cleanup removes the release when the loop stops.
	Cleanup bool
	// Quiet is the watcher's quiet period (0: its default).
	Quiet time.Duration
	// StateFile, when set, announces the local address to `kubox predict`
	// while the loop runs.
	StateFile string
	// Serving is called with the local address once it listens.
	Serving func(addr string)
	// Cycles, when set, receives every finished cycle.
	Cycles chan<- Cycle
}

type outcome struct {
	cycle      Cycle
	superseded *watch.Change // set when a newer change cancelled the build or push
}

// Run deploys the profile, then redeploys on every change until ctx is
// cancelled; it returns ctx's error then, after the cycle in flight has
// finished or been rolled back.
func (l *Loop) Run(ctx context.Context) error {
	d := l.Shipper.Deployer
	w, err := watch.New(filepath.Dir(l.ProfilePath), watch.Options{Quiet: l.Quiet, Log: l.Log})
	if err != nil {
		return err
	}
	defer w.Close()
	watchErr := make(chan error, 1)
	go func() { watchErr <- w.Run(ctx) }()

	p, _, err := profiles.Load(l.ProfilePath)
	if err != nil {
		return err
	}
	name := p.Name
	logs := &logStreamer{kube: d.Kube, namespace: d.Target.Namespace, release: name, print: l.Progress.Note, streaming: map[string]bool{}}
	px, stopForward, err := forward(ctx, d, name, l.Port, func(pod *corev1.Pod) {
		if l.Logs {
			logs.observe(ctx, pod)
		}
	})
	if err != nil {
		return err
	}
	defer stopForward()
	addr := fmt.Sprintf("127.0.0.1:%d", px.Port())
	if err := l.announce(addr); err != nil {
		return err
	}
	defer l.withdraw()
	if l.Serving != nil {
		l.Serving(addr)
	}

	var (
		n          int
		serving    string
		running    bool
		deploying  atomic.Bool
		cancelPrep context.CancelFunc = func() {}
		pending    *watch.Change
		done       = make(chan outcome, 1)
		changes    = w.Changes()
	)
	start := func(ch *watch.Change) {
		n++
		prep, cancel := context.WithCancel(ctx)
		cancelPrep, running = cancel, true
		deploying.Store(false)
		go func(n int) { done <- l.cycle(ctx, prep, n, ch, serving, &deploying) }(n)
	}
	start(nil)
	for {
		select {
		case <-ctx.Done():
			if running {
				<-done
			}
			l.cleanup(name)
			return ctx.Err()
		case err := <-watchErr:
			if ctx.Err() == nil {
				return fmt.Errorf("watching %s: %w", filepath.Dir(l.ProfilePath), err)
			}
		case ch, ok := <-changes:
			if !ok {
				changes = nil // the watcher stopped; its error follows
				continue
			}
			pending = merge(pending, &ch)
			switch {
			case !running:
				start(pending)
				pending = nil
			case !deploying.Load():
				cancelPrep() // nothing in the cluster changes before the upgrade
			}
		case o := <-done:
			running = false
			cancelPrep()
			if o.superseded != nil {
				l.Progress.Note("  #%d superseded by a newer change", o.cycle.N)
				pending = merge(o.superseded, pending)
			} else {
				if o.cycle.Err == nil {
					px.follow(ctx, o.cycle.Image, 5*time.Second)
					serving = o.cycle.Version
				}
				l.report(o.cycle)
				if l.Cycles != nil {
					l.Cycles <- o.cycle
				}
				// A cycle allocates tens of MB (Helm decodes and renders the
				// release); the loop then idles, usually for minutes: give the
				// memory back now rather than when the scavenger gets to it.
				debug.FreeOSMemory()
			}
			if pending != nil {
				start(pending)
				pending = nil
			}
		}
	}
}

// cycle builds and pushes under prep (which a newer change may cancel),
// then deploys under ctx.
func (l *Loop) cycle(ctx, prep context.Context, n int, ch *watch.Change, serving string, deploying *atomic.Bool) outcome {
	c := Cycle{N: n, Serving: serving}
	what := "first deploy"
	if ch != nil {
		c.Changed, c.Detect = ch.Paths, ch.Ready.Sub(ch.First)
		what = describeChanges(ch.Paths)
	}
	p, warnings, err := profiles.Load(l.ProfilePath)
	for _, w := range warnings {
		l.Log.Warn(w)
	}
	if err != nil {
		c.Model, c.Err = filepath.Base(l.ProfilePath), err
		return outcome{cycle: c}
	}
	c.Model = p.Name
	step := l.Progress.Start("#%d %s: %s", n, p.Name, what)
	if err := l.Shipper.Preflight(prep, p); err != nil {
		step.Stop()
		c.Err = err
		return outcome{cycle: c}
	}
	shipped, err := l.Shipper.Prepare(prep, p)
	if prep.Err() != nil && ctx.Err() == nil {
		step.Stop()
		return outcome{cycle: c, superseded: ch}
	}
	c.Version, c.Image, c.Build, c.Push, c.Pushed = shipped.Version, shipped.Image, shipped.Build, shipped.Push, shipped.PushedBytes
	if err != nil {
		step.Stop()
		c.Err = err
		return outcome{cycle: c}
	}
	deploying.Store(true)
	shipped, err = l.Shipper.Deploy(ctx, p, shipped)
	c.Upgrade, c.Rollout, c.Verify, c.Unchanged = shipped.Upgrade, shipped.Rollout, shipped.Verify, shipped.Unchanged
	if ch != nil {
		c.SaveToServing = time.Since(ch.First)
	}
	step.Stop() // the summary line says how it ended
	c.Err = err
	return outcome{cycle: c}
}

// report prints a cycle's summary line, and after a failure why it failed.
func (l *Loop) report(c Cycle) {
	l.Progress.Note("%s", c.Summary())
	if c.Err == nil {
		return
	}
	var lines []string
	var list profiles.ErrorList
	if errors.As(c.Err, &list) {
		lines = strings.Split(list.Error(), "\n")
	} else {
		lines = strings.Split(strings.TrimRight(c.Err.Error(), "\n"), "\n")[1:]
	}
	for _, line := range lines {
		l.Progress.Note("    %s", line)
	}
	l.Progress.Note("  waiting for the next save")
}

// merge folds b into a: all paths, the earliest first event, the latest
// readiness.
func merge(a, b *watch.Change) *watch.Change {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	m := &watch.Change{Paths: slices.Concat(a.Paths, b.Paths), First: a.First, Ready: b.Ready}
	slices.Sort(m.Paths)
	m.Paths = slices.Compact(m.Paths)
	if b.First.Before(m.First) {
		m.First = b.First
	}
	if a.Ready.After(m.Ready) {
		m.Ready = a.Ready
	}
	return m
}

// state is what `kubox predict` reads to use the loop's stable port.
type state struct {
	Addr string `json:"addr"`
	PID  int    `json:"pid"`
}

func (l *Loop) announce(addr string) error {
	if l.StateFile == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(l.StateFile), 0o755); err != nil {
		return err
	}
	b, _ := json.Marshal(state{Addr: addr, PID: os.Getpid()})
	return os.WriteFile(l.StateFile, b, 0o644)
}

func (l *Loop) withdraw() {
	if l.StateFile != "" {
		os.Remove(l.StateFile)
	}
}

func (l *Loop) cleanup(release string) {
	if !l.Cleanup {
		l.Progress.Note("  the release %s stays; `kubox dev --cleanup` removes it on exit", release)
		return
	}
	if err := l.Shipper.Deployer.Uninstall(release); err != nil {
		l.Progress.Note("  removing release %s: %v", release, err)
		return
	}
	l.Progress.Note("  removed release %s", release)
}

package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"
)

// kindLogger passes the kind library's messages to slog: its warnings as
// warnings, its user-facing progress (V(0)) as debug lines, the rest dropped.
// kubox prints its own progress.
type kindLogger struct{ log *slog.Logger }

func (l kindLogger) Warn(msg string)                          { l.log.Warn(clean(msg), "from", "kind") }
func (l kindLogger) Warnf(f string, args ...any)              { l.Warn(fmt.Sprintf(f, args...)) }
func (l kindLogger) Error(msg string)                         { l.log.Error(clean(msg), "from", "kind") }
func (l kindLogger) Errorf(f string, args ...any)             { l.Error(fmt.Sprintf(f, args...)) }
func (l kindLogger) V(level kindlog.Level) kindlog.InfoLogger { return kindInfo{l.log, level == 0} }

type kindInfo struct {
	log     *slog.Logger
	enabled bool
}

func (i kindInfo) Info(msg string) {
	if i.enabled {
		i.log.Debug(clean(msg), "from", "kind")
	}
}
func (i kindInfo) Infof(f string, args ...any) { i.Info(fmt.Sprintf(f, args...)) }
func (i kindInfo) Enabled() bool {
	return i.enabled && i.log.Enabled(context.Background(), slog.LevelDebug)
}

func clean(msg string) string { return strings.TrimSpace(msg) }

package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// Options configure Run.
type Options struct {
	// Name, Format and Path of the model; Version is reported to clients.
	Name, Format, Path, Version string
	// Addr to listen on, such as ":8080".
	Addr string
	// MaxRequestBytes bounds a request body (DefaultMaxRequestBytes).
	MaxRequestBytes int64
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after a stop signal.
	ShutdownTimeout time.Duration
	// InferenceLog, when set, is a file that gets one JSON line per request.
	InferenceLog string
	// Samples must give their expected outputs before the server reports
	// ready; if one does not, Run returns an error and the pod fails.
	Samples []Sample
	// DrainDelay is how long the server goes on answering after a stop
	// signal before it closes connections: meanwhile every answer says
	// "Connection: close", so clients holding a kept-alive connection
	// reconnect (to another pod) instead of losing a request to a
	// connection closed under them.
	DrainDelay time.Duration
}

// Run serves the model until ctx is cancelled (SIGTERM), then drains: it
// reports not ready, stops accepting connections and lets in-flight
// requests finish. It listens before loading the model, so liveness answers
// while a large model loads and readiness follows the load.
func Run(ctx context.Context, log *slog.Logger, o Options) error {
	var inferenceLog io.Writer
	if o.InferenceLog != "" {
		f, err := os.OpenFile(o.InferenceLog, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("opening the inference log: %w", err)
		}
		defer f.Close()
		inferenceLog = f
	}
	s := NewServer(log, ServerOptions{Name: o.Name, Version: o.Version, Platform: platform(o.Format),
		MaxRequestBytes: o.MaxRequestBytes, InferenceLog: inferenceLog})
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.Addr, err)
	}
	var open atomic.Int64 // connections not yet closed
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				open.Add(1)
			case http.StateClosed, http.StateHijacked:
				open.Add(-1)
			}
		}}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	log.Info("listening", "addr", l.Addr().String(), "model", o.Name, "version", o.Version)

	start := time.Now()
	m, err := Load(o.Format, o.Path)
	if err != nil {
		srv.Close()
		return fmt.Errorf("loading model %q (%s) from %s: %w", o.Name, o.Format, o.Path, err)
	}
	if err := s.SelfCheck(ctx, m, o.Samples); err != nil {
		srv.Close()
		return fmt.Errorf("this version answers its samples wrongly, so it will not serve: %w", err)
	}
	s.SetModel(m)
	log.Info("model ready", "samples passed", len(o.Samples), "model", o.Name, "format", o.Format, "load", time.Since(start).Round(time.Millisecond).String())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.Drain()
	if o.DrainDelay > 0 {
		log.Info("stopping: not ready, answering with Connection: close", "delay", o.DrainDelay.String())
		time.Sleep(o.DrainDelay)
	}
	timeout := o.ShutdownTimeout
	if timeout <= 0 {
		// Within the chart's 30 s grace period, after its 3 s preStop pause
		// and the drain delay: the server ends on its own, not by SIGKILL.
		timeout = 20 * time.Second
	}
	// No new connections; each open one closes after its next answer
	// (Connection: close). Closing an idle kept-alive connection from this
	// side can race with a request the client is sending on it, and HTTP/1.1
	// clients do not retry a POST, so the server waits for the clients to
	// close them, and forces only what is left at the timeout.
	log.Info("stopping: waiting for open connections to finish", "open", open.Load(), "timeout", timeout.String())
	l.Close()
	deadline := time.Now().Add(timeout)
	for open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := open.Load(); n > 0 {
		log.Warn("stopping: closing connections still open", "open", n)
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("draining: %w", err)
	}
	return nil
}

func platform(format string) string {
	switch format {
	case FormatONNX:
		return "onnx"
	case FormatXGBoost:
		return "xgboost_json"
	}
	return format
}

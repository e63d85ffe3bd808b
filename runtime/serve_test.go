package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startRun runs a server for the demo model on a free port until stop is
// called, and waits until it is ready; done receives Run's result.
func startRun(t *testing.T, drain time.Duration) (addr string, stop context.CancelFunc, done <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	ctx, stop := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		result <- Run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
			Name: "iris", Format: FormatXGBoost, Version: "v1", Addr: addr, DrainDelay: drain,
			Path: filepath.Join("..", "testdata", "models", "iris-xgboost"),
		})
	}()
	// Probes without keep-alive, as the kubelet's are: an idle kept-alive
	// connection would (rightly) hold the stopping server open.
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := probe.Get("http://" + addr + "/v2/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr, stop, result
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunDrainsOnStop stops a real server while a request is in flight:
// the server must refuse new connections, finish that request, and return
// without error.
func TestRunDrainsOnStop(t *testing.T) {
	addr, stop, done := startRun(t, 0)
	base := "http://" + addr

	// A request whose body is still arriving when the stop comes.
	pr, pw := io.Pipe()
	result := make(chan string, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Post(base+"/v2/models/iris/infer", "application/json", pr)
		if err != nil {
			result <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		result <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	io.WriteString(pw, `{"inputs":[{"name":"input","datatype":"FP32",`)
	time.Sleep(100 * time.Millisecond)
	stop()
	time.Sleep(100 * time.Millisecond)
	if _, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(base + "/v2/health/live"); err == nil {
		t.Errorf("the stopping server still accepts new connections")
	}
	io.WriteString(pw, `"shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`)
	pw.Close()
	if got := <-result; !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"model_version":"v1"`) {
		t.Errorf("in-flight request = %s, want it answered", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run() = %v after a stop, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the stop")
	}
}

func TestRunRefusesWrongSamples(t *testing.T) {
	t.Parallel()
	err := Run(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Name: "iris", Format: FormatXGBoost, Addr: "127.0.0.1:0",
		Path: filepath.Join("..", "testdata", "models", "iris-xgboost"),
		Samples: []Sample{{Name: "setosa", Tolerance: 1e-4,
			Request: []byte(`{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`),
			Expect:  map[string][]float64{"predict": {0, 1, 0}}}},
	})
	if err == nil || !strings.Contains(err.Error(), `sample "setosa": output "predict"[0]`) {
		t.Errorf("Run(wrong sample) = %v, want the failing sample named", err)
	}
}

// TestRunClosesKeptAliveConnectionsWhileDraining: after a stop, a client
// on a kept-alive connection still gets answers, each telling it to close
// the connection, so no request is lost to a connection closed under it.
func TestRunClosesKeptAliveConnectionsWhileDraining(t *testing.T) {
	addr, stop, done := startRun(t, 500*time.Millisecond)
	client := &http.Client{Transport: &http.Transport{}}
	infer := func() *http.Response {
		resp, err := client.Post("http://"+addr+"/v2/models/iris/infer", "application/json",
			strings.NewReader(`{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`))
		if err != nil {
			t.Fatalf("infer: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := infer(); resp.Close {
		t.Fatalf("a serving server closed a kept-alive connection")
	}
	stop()
	time.Sleep(100 * time.Millisecond)
	if resp := infer(); resp.StatusCode != 200 || !resp.Close {
		t.Errorf("while draining: status %d, Connection: close = %v; want 200 and close", resp.StatusCode, resp.Close)
	}
	if err := <-done; err != nil {
		t.Errorf("Run() = %v", err)
	}
}

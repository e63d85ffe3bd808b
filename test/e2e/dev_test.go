//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/kubox-dev/kubox/build"
	"github.com/kubox-dev/kubox/internal/ignore"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// devProcess is a running `kubox dev`, with everything it printed.
type devProcess struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer // stdout and stderr, interleaved as printed
	addr string
	done chan struct{}
}

type lockedWriter struct{ p *devProcess }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

func (p *devProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startDev(t testing.TB, dir string) *devProcess {
	t.Helper()
	p := &devProcess{cmd: kuboxCmd(context.Background(), "dev"), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = lockedWriter{p}, lockedWriter{p}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	m := p.waitFor(t, regexp.MustCompile(`serving\s+http://(127\.0\.0\.1:\d+)/`), 2*time.Minute)
	p.addr = m[1]
	return p
}

// waitFor waits until the output matches re and returns the match.
func (p *devProcess) waitFor(t testing.TB, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.output()); m != nil {
			return m
		}
		select {
		case <-p.done:
			t.Fatalf("kubox dev exited (%v) before %q:\n%s", p.cmd.ProcessState, re, p.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("kubox dev did not print %q within %s:\n%s", re, timeout, p.output())
	return nil
}

var cycleEnd = regexp.MustCompile(`(?m)^(?:\S+ )?([✓✗]) #(\d+) `)

// cycles returns the numbers of the cycles that have ended, and how.
func (p *devProcess) cycles() map[int]string {
	out := map[int]string{}
	for _, m := range cycleEnd.FindAllStringSubmatch(p.output(), -1) {
		n, _ := strconv.Atoi(m[2])
		out[n] = m[1]
	}
	return out
}

// waitCycle waits for cycle n to end and returns ✓ or ✗.
func (p *devProcess) waitCycle(t *testing.T, n int) string {
	t.Helper()
	m := p.waitFor(t, regexp.MustCompile(fmt.Sprintf(`(?m)^(?:\S+ )?([✓✗]) #%d `, n)), 3*time.Minute)
	return m[1]
}

// lastCycle is the highest cycle number that has ended.
func (p *devProcess) lastCycle() int {
	last := 0
	for n := range p.cycles() {
		last = max(last, n)
	}
	return last
}

// infer sends the fixture's batch to the stable local port.
func (p *devProcess) infer(t *testing.T, f fixture) predictResponse {
	t.Helper()
	resp, err := http.Post("http://"+p.addr+"/v2/models/iris-dev/infer", "application/json", strings.NewReader(f.request()))
	if err != nil {
		t.Fatalf("POST to kubox dev's port: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST to kubox dev's port: %d %s", resp.StatusCode, body)
	}
	var r predictResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// modelVersion computes, with kubox's own build code, the version a
// directory's content gets, so a test can tell which content serves.
func modelVersion(t *testing.T, dir string) string {
	t.Helper()
	ig, err := ignore.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b build.Builder
	res, err := b.Build(context.Background(), build.Model{Name: "iris-dev", Format: "onnx", Path: dir, Ignore: ig}, empty.Image)
	if err != nil {
		t.Fatal(err)
	}
	return res.Version
}

const devProfile = `apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris-dev
model:
  path: ./model
  format: onnx
  file: model.onnx
samples:
  - name: one-flower
    inputs:
      - {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}
`

// TestE2EDev runs `kubox dev` on a temporary copy of a testdata model and
// does what a data scientist does while it runs.
func TestE2EDev(t *testing.T) {
	if r := kubox(context.Background(), "up", "--model=false"); r.code != 0 {
		t.Fatalf("kubox up: %s", r)
	}
	proj := newProject(t, devProfile)
	model := filepath.Join(proj.dir, "model")
	proj.useModel(t, "iris-onnx", "model.onnx", "model.onnx")
	v1, v2 := loadFixture(t, "iris-onnx"), loadFixture(t, "iris-onnx-v2")
	readModel := func(fixture string) []byte {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "models", fixture, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dev := startDev(t, proj.dir)
	if got := dev.waitCycle(t, 1); got != "✓" {
		t.Fatalf("first deploy failed:\n%s", dev.output())
	}
	assertOutputs(t, dev.infer(t, v1), v1, 1e-5)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"replacing the model by atomic rename serves the new model", func(t *testing.T) {
			n := dev.lastCycle() + 1
			proj.useModel(t, "iris-onnx-v2", "model.onnx", "model.onnx")
			if dev.waitCycle(t, n) != "✓" {
				t.Fatalf("cycle %d failed:\n%s", n, dev.output())
			}
			got := dev.infer(t, v2)
			assertOutputs(t, got, v2, 1e-5)
			if want := modelVersion(t, model); got.ModelVersion != want {
				t.Errorf("serving version %s, want %s", got.ModelVersion, want)
			}
		}},
		{"rewriting the model in place serves it", func(t *testing.T) {
			n := dev.lastCycle() + 1
			if err := os.WriteFile(filepath.Join(model, "model.onnx"), readModel("iris-onnx"), 0o644); err != nil {
				t.Fatal(err)
			}
			if dev.waitCycle(t, n) != "✓" {
				t.Fatalf("cycle %d failed:\n%s", n, dev.output())
			}
			assertOutputs(t, dev.infer(t, v1), v1, 1e-5)
		}},
		{"a 200 MB file written slowly over 2 s gives one rebuild, of the whole file", func(t *testing.T) {
			n := dev.lastCycle() + 1
			f, err := os.Create(filepath.Join(model, "weights.bin"))
			if err != nil {
				t.Fatal(err)
			}
			chunk := bytes.Repeat([]byte{7}, 5<<20)
			for i := 0; i < 40; i++ {
				f.Write(chunk)
				time.Sleep(50 * time.Millisecond)
			}
			f.Close()
			if dev.waitCycle(t, n) != "✓" {
				t.Fatalf("cycle %d failed:\n%s", n, dev.output())
			}
			time.Sleep(2 * time.Second)
			if last := dev.lastCycle(); last != n {
				t.Errorf("the slow write gave cycles %d..%d, want exactly one:\n%s", n, last, dev.output())
			}
			if got, want := dev.infer(t, v1).ModelVersion, modelVersion(t, model); got != want {
				t.Errorf("serving version %s, want %s (the complete file)", got, want)
			}
		}},
		{"ten saves within 200 ms give at most two rebuilds, and the last content serves", func(t *testing.T) {
			n := dev.lastCycle() + 1
			for i := 0; i < 10; i++ {
				fixture := []string{"iris-onnx", "iris-onnx-v2"}[i%2]
				os.WriteFile(filepath.Join(model, "model.onnx"), readModel(fixture), 0o644)
				time.Sleep(20 * time.Millisecond)
			}
			dev.waitCycle(t, n)
			time.Sleep(3 * time.Second)
			if dev.lastCycle() > n {
				dev.waitCycle(t, dev.lastCycle())
			}
			if rebuilds := dev.lastCycle() - n + 1; rebuilds > 2 {
				t.Errorf("ten quick saves gave %d rebuilds, want at most 2:\n%s", rebuilds, dev.output())
			}
			got := dev.infer(t, v2)
			assertOutputs(t, got, v2, 1e-5)
			if want := modelVersion(t, model); got.ModelVersion != want {
				t.Errorf("serving version %s, want the last save's %s", got.ModelVersion, want)
			}
		}},
		{"a corrupt save is reported, the old version answers, the next good save recovers", func(t *testing.T) {
			n := dev.lastCycle() + 1
			proj.writeModel(t, "model.onnx", []byte("not a model at all"))
			if dev.waitCycle(t, n) != "✗" {
				t.Fatalf("cycle %d of a corrupt model did not fail:\n%s", n, dev.output())
			}
			if !strings.Contains(dev.output(), "still serving") {
				t.Errorf("the failure does not say what still serves:\n%s", dev.output())
			}
			assertOutputs(t, dev.infer(t, v2), v2, 1e-5)
			proj.useModel(t, "iris-onnx", "model.onnx", "model.onnx")
			if dev.waitCycle(t, n+1) != "✓" {
				t.Fatalf("the good save after the corrupt one did not recover:\n%s", dev.output())
			}
			assertOutputs(t, dev.infer(t, v1), v1, 1e-5)
		}},
		{"editor and notebook litter rebuilds nothing", func(t *testing.T) {
			last := dev.lastCycle()
			for _, p := range []string{".model.onnx.swp", "model.onnx~", "4913", "__pycache__/x.cpython-311.pyc", ".ipynb_checkpoints/model-checkpoint.ipynb", ".#model.onnx"} {
				os.MkdirAll(filepath.Dir(filepath.Join(model, p)), 0o755)
				os.WriteFile(filepath.Join(model, p), []byte("litter"), 0o644)
			}
			time.Sleep(2 * time.Second)
			if strings.Contains(dev.output(), fmt.Sprintf("#%d ", last+1)) {
				t.Errorf("litter started a rebuild:\n%s", dev.output())
			}
		}},
		{"kubox predict answers through dev's port while it runs", func(t *testing.T) {
			r := kuboxIn(context.Background(), proj.dir, "predict")
			if r.code != 0 || !strings.Contains(r.stdout, `"model_name":"iris-dev"`) {
				t.Errorf("kubox predict: %s", r)
			}
		}},
		{"no request fails at 20 requests/s through the Service across ten redeploys", func(t *testing.T) {
			image := pushProbe(t, "e2e/probe:dev")
			body := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`
			kube := kubeClient(t)
			result := make(chan string, 1)
			go func() {
				logs, err := runPodErr(kube, podSpec{name: "steady-load", namespace: "default", image: image,
					args: []string{"steady", "http://iris-dev.kubox.svc:8080/v2/models/iris-dev/infer", "20", "60", body}})
				if err != nil {
					logs = err.Error()
				}
				result <- logs
			}()
			time.Sleep(3 * time.Second) // the load is running
			for i := 0; i < 10; i++ {
				n := dev.lastCycle() + 1
				proj.useModel(t, []string{"iris-onnx-v2", "iris-onnx"}[i%2], "model.onnx", "model.onnx")
				if dev.waitCycle(t, n) != "✓" {
					t.Fatalf("redeploy %d failed:\n%s", i+1, dev.output())
				}
			}
			var logs string
			select {
			case logs = <-result:
			case <-time.After(3 * time.Minute):
				t.Fatal("the load pod did not finish")
			}
			var res struct {
				Requests, Failures int
				First              []string
			}
			if err := json.Unmarshal([]byte(logs), &res); err != nil {
				t.Fatalf("load output %q: %v", logs, err)
			}
			t.Logf("%d requests at 20/s across ten redeploys, %d failed", res.Requests, res.Failures)
			if res.Failures != 0 {
				t.Errorf("%d of %d requests failed during redeploys: %v", res.Failures, res.Requests, res.First)
			}
		}},
		{"SIGINT stops dev with exit 130 and leaves the release serving", func(t *testing.T) {
			dev.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-dev.done:
			case <-time.After(time.Minute):
				t.Fatal("kubox dev did not stop within a minute of SIGINT")
			}
			if code := dev.cmd.ProcessState.ExitCode(); code != 130 {
				t.Errorf("exit code %d, want 130:\n%s", code, dev.output())
			}
			secrets, err := kubeClient(t).CoreV1().Secrets("kubox").List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=iris-dev"})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets.Items {
				if strings.HasPrefix(s.Labels["status"], "pending") {
					t.Errorf("release revision %s is %s after SIGINT", s.Labels["version"], s.Labels["status"])
				}
			}
			r := kuboxIn(context.Background(), proj.dir, "predict")
			if r.code != 0 || !strings.Contains(r.stdout, `"model_name":"iris-dev"`) {
				t.Errorf("the release does not serve after dev stopped: %s", r)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.Logf("kubox dev printed:\n%s", dev.output())
			t.FailNow()
		}
	}
}

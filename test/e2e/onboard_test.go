//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EOnboarding is a newcomer's first minutes: check the machine,
// scaffold a project, bring it up, ask it something.
func TestE2EOnboarding(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-first-model")
	os.MkdirAll(dir, 0o755)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"doctor finds this machine ready", func(t *testing.T) {
			r := kubox(context.Background(), "doctor", "-o", "json")
			var rep struct {
				OK     bool `json:"ok"`
				Checks []struct {
					Name, Status, Detail, Fix string
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("doctor -o json: %v\n%s", err, r)
			}
			if r.code != 0 || !rep.OK {
				t.Errorf("doctor on the test machine: %s", r)
			}
			for _, c := range rep.Checks {
				t.Logf("%-14s %-4s %s", c.Name, c.Status, c.Detail)
			}
		}},
		{"doctor with Docker unreachable says so and how to fix it", func(t *testing.T) {
			cmd := kuboxCmd(context.Background(), "doctor")
			cmd.Env = append(cmd.Env, "DOCKER_HOST=unix:///nonexistent/docker.sock")
			out, _ := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "/nonexistent/docker.sock") || !strings.Contains(string(out), "systemctl start docker") {
				t.Errorf("doctor with a dead DOCKER_HOST: exit %d\n%s", cmd.ProcessState.ExitCode(), out)
			}
		}},
		{"init, up and predict serve the scaffolded model", func(t *testing.T) {
			r := kuboxIn(context.Background(), dir, "init")
			if r.code != 0 || !strings.Contains(r.stdout, "kubox.yaml") {
				t.Fatalf("kubox init: %s", r)
			}
			for _, f := range []string{"kubox.yaml", ".kuboxignore", ".github/workflows/kubox.yml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("init did not write %s", f)
				}
			}
			if r := kuboxIn(context.Background(), dir, "init"); r.code != 1 || !strings.Contains(r.stderr, "--force") {
				t.Errorf("a second init overwrote or said nothing: %s", r)
			}
			if r := kuboxIn(context.Background(), dir, "up"); r.code != 0 || !strings.Contains(r.stdout, "model     my-first-model version") {
				t.Fatalf("kubox up in the new project: %s", r)
			}
			r = kuboxIn(context.Background(), dir, "predict")
			if r.code != 0 || !strings.Contains(r.stdout, `"model_name":"my-first-model"`) {
				t.Errorf("kubox predict: %s", r)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}

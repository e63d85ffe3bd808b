//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
	"k8s.io/client-go/tools/clientcmd"
)

type ciSummary struct {
	Cluster  string             `json:"cluster"`
	Endpoint string             `json:"endpoint"`
	Result   string             `json:"result"`
	ExitCode int                `json:"exitCode"`
	Kept     bool               `json:"kept"`
	Phases   map[string]float64 `json:"phases"`
}

// nothingLeft fails the test when anything of cluster remains: node
// containers, its record, its volumes, a kube context.
func nothingLeft(t *testing.T, cluster string) {
	t.Helper()
	d := dockerClient(t)
	if left := containersLabelled(t, d, nodeLabel(cluster)); len(left) > 0 {
		t.Errorf("cluster %s: node containers left: %v", cluster, left)
	}
	vols, err := d.VolumeList(context.Background(), volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "dev.kubox.cluster="+cluster))})
	if err != nil || len(vols.Volumes) > 0 {
		t.Errorf("cluster %s: records left: %v %v", cluster, vols.Volumes, err)
	}
	if _, err := os.Stat(filepath.Join(env.dataDir, "kubox", "clusters", cluster)); !os.IsNotExist(err) {
		t.Errorf("cluster %s: volumes directory left (%v)", cluster, err)
	}
	if cfg, err := clientcmd.LoadFromFile(env.kubeconfig); err == nil {
		if _, ok := cfg.Contexts[contextOf(cluster)]; ok {
			t.Errorf("cluster %s: kube context left in the user's kubeconfig", cluster)
		}
	}
}

func parseSummary(t *testing.T, r result) ciSummary {
	t.Helper()
	var s ciSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Cluster == "" {
		t.Fatalf("kubox ci run -o json printed no summary (%v): %s", err, r)
	}
	return s
}

// TestE2ECI runs `kubox ci run` as CI jobs would, and `kubox prune`.
func TestE2ECI(t *testing.T) {
	proj := newProject(t, devProfile)
	proj.useModel(t, "iris-onnx", "model.onnx", "model.onnx")
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"two runs at once each deploy and predict, pass, and leave nothing", func(t *testing.T) {
			var wg sync.WaitGroup
			results := make([]result, 2)
			for i := range results {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					// CMD asks the model through the endpoint, and through kubox predict.
					results[i] = kuboxIn(context.Background(), proj.dir, "ci", "run", "-f", "kubox.yaml", "-o", "json", "--",
						"sh", "-c", `set -e; curl -sSf -d '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}' "$KUBOX_ENDPOINT/infer"; echo; `+env.bin+` predict`)
				}(i)
			}
			wg.Wait()
			names := map[string]bool{}
			for i, r := range results {
				if r.code != 0 {
					t.Errorf("run %d: %s", i, r)
					continue
				}
				s := parseSummary(t, r)
				names[s.Cluster] = true
				if s.Result != "passed" || !strings.Contains(r.stderr, `"model_name":"iris-dev"`) {
					t.Errorf("run %d: result %s; stderr:\n%s", i, s.Result, r.stderr)
				}
				t.Logf("run %d on %s: %s up %.1fs, deploy %.1fs, command %.1fs, down %.1fs", i, s.Cluster, s.Result, s.Phases["up"], s.Phases["deploy"], s.Phases["command"], s.Phases["down"])
				nothingLeft(t, s.Cluster)
			}
			if len(names) != 2 {
				t.Errorf("the two runs used clusters %v, want two different ones", names)
			}
		}},
		{"a failing command returns its exit code and leaves nothing", func(t *testing.T) {
			r := kubox(context.Background(), "ci", "run", "-o", "json", "--", "sh", "-c", "exit 7")
			if r.code != 7 {
				t.Errorf("exit code %d, want 7: %s", r.code, r)
			}
			s := parseSummary(t, r)
			if s.Result != "failed" || s.ExitCode != 7 {
				t.Errorf("summary %+v", s)
			}
			nothingLeft(t, s.Cluster)
		}},
		{"SIGTERM in the middle leaves nothing", func(t *testing.T) {
			mark := filepath.Join(t.TempDir(), "started")
			cmd := kuboxCmd(context.Background(), "ci", "run", "-o", "json", "--", "sh", "-c", "touch "+mark+"; sleep 300")
			var out, errOut strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(3 * time.Minute)
			for {
				if _, err := os.Stat(mark); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the command never started")
				}
				time.Sleep(100 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Errorf("exit code %d after SIGTERM, want 130", code)
			}
			s := parseSummary(t, result{stdout: out.String()})
			if s.Result != "cancelled" {
				t.Errorf("summary %+v", s)
			}
			nothingLeft(t, s.Cluster)
			if t.Failed() {
				t.Logf("kubox printed:\n%s", errOut.String())
			}
		}},
		{"an expired cluster is reaped by prune", func(t *testing.T) {
			r := kubox(context.Background(), "ci", "run", "--ttl", "1s", "--keep-on-failure", "-o", "json", "--", "false")
			s := parseSummary(t, r)
			if r.code != 1 || !s.Kept {
				t.Fatalf("a failing run with --keep-on-failure: %s", r)
			}
			if left := containersLabelled(t, dockerClient(t), nodeLabel(s.Cluster)); len(left) == 0 {
				t.Fatalf("--keep-on-failure kept nothing")
			}
			time.Sleep(2 * time.Second)
			dry := kubox(context.Background(), "prune", "--dry-run")
			if dry.code != 0 || !strings.Contains(dry.stdout, "would remove cluster "+s.Cluster+" (expired") {
				t.Errorf("prune --dry-run: %s", dry)
			}
			if left := containersLabelled(t, dockerClient(t), nodeLabel(s.Cluster)); len(left) == 0 {
				t.Errorf("prune --dry-run removed the cluster")
			}
			if r := kubox(context.Background(), "prune"); r.code != 0 || !strings.Contains(r.stdout, "removed cluster "+s.Cluster) {
				t.Errorf("prune: %s", r)
			}
			nothingLeft(t, s.Cluster)
			if _, err := dockerClient(t).ContainerInspect(context.Background(), registryName); err != nil {
				t.Errorf("prune removed the shared registry: %v", err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}

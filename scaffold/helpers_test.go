package scaffold

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubox-dev/kubox/profiles"
	"github.com/kubox-dev/kubox/runtime"
)

// fixtures are the repository's model fixtures, which the embedded
// samples copy.
const fixtures = "../testdata/models"

// loadProfile loads dir/kubox.yaml the way every kubox command does.
func loadProfile(t *testing.T, dir string) *profiles.Profile {
	t.Helper()
	p, warnings, err := profiles.Load(filepath.Join(dir, profiles.DefaultFile))
	if err != nil {
		t.Fatalf("profiles.Load(generated kubox.yaml) = %v", err)
	}
	if len(warnings) > 0 {
		t.Errorf("profiles.Load(generated kubox.yaml) warns: %v", warnings)
	}
	return p
}

// runSamples loads the profile's model as kubox serve does and runs the
// profile's samples through the server's own self-check, the one that
// keeps a pod from reporting ready when a sample fails.
func runSamples(t *testing.T, p *profiles.Profile) error {
	t.Helper()
	path := p.Model.Path
	if p.Model.File != "" {
		path = filepath.Join(path, p.Model.File)
	}
	m, err := runtime.Load(string(p.Model.Format), path)
	if err != nil {
		t.Fatalf("runtime.Load(%s, %s) = %v", p.Model.Format, path, err)
	}
	var samples []runtime.Sample
	for _, s := range p.Samples {
		type input struct {
			Name     string    `json:"name"`
			Datatype string    `json:"datatype"`
			Shape    []int64   `json:"shape"`
			Data     []float64 `json:"data"`
		}
		var req struct {
			Inputs []input `json:"inputs"`
		}
		for _, in := range s.Inputs {
			req.Inputs = append(req.Inputs, input(in))
		}
		body, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		expect := map[string][]float64{}
		for _, o := range s.Expect {
			expect[o.Name] = o.Data
		}
		samples = append(samples, runtime.Sample{Name: s.Name, Request: body, Expect: expect, Tolerance: s.Tolerance})
	}
	srv := runtime.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), runtime.ServerOptions{Name: p.Name})
	return srv.SelfCheck(context.Background(), m, samples)
}

// snapshot reads every file under dir, so that a test can tell whether a
// refused init changed anything.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			files[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(a, b map[string]string) bool { return maps.Equal(a, b) }

// copyFixture copies a fixture's model file to dir/rel.
func copyFixture(t *testing.T, fixture, dir, rel string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, fixture))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dir, rel, string(data))
}

func writeTestFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

package build

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/kubox-dev/kubox/internal/golden"
)

// modelDir writes files (path -> size in bytes, filled with a byte that
// depends on fill) into a new directory.
func modelDir(t *testing.T, files map[string]int, fill byte) string {
	t.Helper()
	dir := t.TempDir()
	for p, n := range files {
		writeFile(t, filepath.Join(dir, p), bytes.Repeat([]byte{fill}, n))
	}
	return dir
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var testModel = map[string]int{
	"model.json":              2000,
	"config/tokenizer.json":   300,
	"weights/part-1.bin":      ownLayerBytes + 10,
	"weights/part-2.bin":      2 * ownLayerBytes,
	".git/HEAD":               10,
	"__pycache__/x.cpython.c": 10,
}

func ignoreLitter(rel string, dir bool) bool {
	return rel == ".git" || rel == "__pycache__"
}

func TestPlanLayers(t *testing.T) {
	t.Parallel()
	dir := modelDir(t, testModel, 'a')
	plan, err := planLayers(dir, "models/iris", ignoreLitter)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("..", "testdata", "golden", "build-plan.txt"), []byte(describe(plan)))

	single, err := planLayers(filepath.Join(dir, "model.json"), "models/iris", nil)
	if err != nil || len(single) != 1 || single[0][len(single[0])-1].dst != "models/iris/model.json" {
		t.Errorf("planLayers(one file) = %s, %v", describe(single), err)
	}
	if _, err := planLayers(t.TempDir(), "models/iris", nil); err == nil || !strings.Contains(err.Error(), "holds no files") {
		t.Errorf("planLayers(empty dir) = %v, want an error", err)
	}
}

func TestBuildIsReproducible(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	build := func(dir string) Result {
		t.Helper()
		var b Builder
		r, err := b.Build(ctx, Model{Name: "iris", Format: "xgboost", Path: dir, Ignore: ignoreLitter}, empty.Image)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := build(modelDir(t, testModel, 'a'))
	other := modelDir(t, testModel, 'a')
	old := time.Now().Add(-time.Hour)
	filepath.Walk(other, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	if b := build(other); b.Digest != a.Digest || b.Version != a.Version {
		t.Errorf("same files, other directory and times: digest %s vs %s", b.Digest, a.Digest)
	}
	if c := build(modelDir(t, testModel, 'b')); c.Digest == a.Digest || c.Version == a.Version {
		t.Errorf("different content gave the same digest %s", c.Digest)
	}
	litter := modelDir(t, testModel, 'a')
	writeFile(t, filepath.Join(litter, "__pycache__", "new.pyc"), []byte("litter"))
	if d := build(litter); d.Digest != a.Digest {
		t.Errorf("ignored litter changed the digest")
	}
	ls, _ := a.Image.Layers()
	for _, l := range ls {
		if mt, _ := l.MediaType(); mt != "application/vnd.oci.image.layer.v1.tar" {
			t.Errorf("layer media type %s, want uncompressed OCI", mt)
		}
	}
	cf, _ := a.Image.ConfigFile()
	env := strings.Join(cf.Config.Env, " ")
	for _, want := range []string{"KUBOX_MODEL_NAME=iris", "KUBOX_MODEL_FORMAT=xgboost", "KUBOX_MODEL_PATH=/models/iris", "KUBOX_MODEL_VERSION=" + a.Version} {
		if !strings.Contains(env, want) {
			t.Errorf("config env %q lacks %s", env, want)
		}
	}
}

// TestPushSendsOnlyWhatChanged pushes to a real registry implementation
// (go-containerregistry's, in process) and counts the bytes on the wire.
func TestPushSendsOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := httptest.NewServer(registry.New())
	defer reg.Close()
	repo := strings.TrimPrefix(reg.URL, "http://") + "/kubox/iris"

	dir := modelDir(t, testModel, 'a')
	var b Builder
	first, err := b.Build(ctx, Model{Name: "iris", Format: "xgboost", Path: dir, Ignore: ignoreLitter}, empty.Image)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := Push(ctx, first.Image, repo, first.Version)
	if err != nil {
		t.Fatal(err)
	}
	if p1.Bytes < first.ModelBytes {
		t.Errorf("first push sent %d bytes, want at least the model's %d", p1.Bytes, first.ModelBytes)
	}
	if !strings.HasPrefix(p1.Ref, repo+"@sha256:") {
		t.Errorf("Ref = %s, want %s@sha256:...", p1.Ref, repo)
	}

	writeFile(t, filepath.Join(dir, "config", "tokenizer.json"), []byte("changed"))
	second, err := b.Build(ctx, Model{Name: "iris", Format: "xgboost", Path: dir, Ignore: ignoreLitter}, empty.Image)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Push(ctx, second.Image, repo, second.Version)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first push %d bytes, after changing a small file %d bytes", p1.Bytes, p2.Bytes)
	if p2.Bytes > 64<<10 {
		t.Errorf("changing a 300-byte file pushed %d bytes, want only the small layer, config and manifest", p2.Bytes)
	}
	if p3, err := Push(ctx, second.Image, repo, second.Version); err != nil || p3.Bytes > 8<<10 {
		t.Errorf("pushing the same image again sent %d bytes (%v), want next to nothing", p3.Bytes, err)
	}
}

func TestSelfBase(t *testing.T) {
	t.Parallel()
	static := filepath.Join(t.TempDir(), "kubox")
	cmd := exec.Command("go", "build", "-o", static, "github.com/kubox-dev/kubox/testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building a static binary: %v\n%s", err, out)
	}
	var b Builder
	img, err := b.SelfBase(static, HostPlatformFor("linux", "amd64"))
	if err != nil {
		t.Fatalf("SelfBase(static) = %v", err)
	}
	cf, _ := img.ConfigFile()
	if cf.Config.User != nonRoot || strings.Join(cf.Config.Entrypoint, " ") != "/kubox serve" || cf.Architecture != "amd64" {
		t.Errorf("base config = %+v", cf.Config)
	}
	if _, err := b.SelfBase(static, HostPlatformFor("linux", "arm64")); err == nil || !strings.Contains(err.Error(), "KUBOX_RUNTIME_IMAGE") {
		t.Errorf("SelfBase(amd64 binary for arm64 nodes) = %v", err)
	}
	if _, err := os.Stat("/bin/ls"); err == nil {
		if _, err := b.SelfBase("/bin/ls", HostPlatformFor("linux", "amd64")); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
			t.Errorf("SelfBase(dynamic binary) = %v, want the rebuild hint", err)
		}
	}
}

func TestPushWithWrongCredentials(t *testing.T) {
	t.Parallel()
	reg := registry.New()
	locked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ml" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer locked.Close()
	var b Builder
	res, err := b.Build(context.Background(), Model{Name: "iris", Format: "xgboost", Path: modelDir(t, map[string]int{"model.json": 10}, 'a')}, empty.Image)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Push(context.Background(), res.Image, strings.TrimPrefix(locked.URL, "http://")+"/kubox/iris", res.Version)
	if err == nil || !strings.Contains(err.Error(), "refused the credentials (401)") || !strings.Contains(err.Error(), "docker login") {
		t.Errorf("Push() with no valid credentials = %v, want the refusal and the fix", err)
	}
}

//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/kubox-dev/kubox/build"
)

// BenchmarkServing measures the demo model through its Service, from a
// load-generating pod inside the cluster (so kube-proxy and the pod network
// are on the path, as for any client in the cluster).
func BenchmarkServing(b *testing.B) {
	dir := b.TempDir()
	if r := kuboxIn(context.Background(), dir, "up"); r.code != 0 {
		b.Fatalf("kubox up: %s", r)
	}
	image := pushProbe(b, "e2e/probe:bench")
	kube := kubeClient(b)
	body := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`
	fmt.Printf("\ndemo model through its Service (in-cluster client, %s)\n", "probe load")
	for _, c := range []int{1, 4} {
		name := "load-c" + strconv.Itoa(c)
		logs := runPod(b, kube, podSpec{name: name, namespace: "default", image: image,
			args: []string{"load", "http://iris.kubox.svc:8080/v2/models/iris/infer", "3000", strconv.Itoa(c), body}})
		var res map[string]float64
		if err := json.Unmarshal([]byte(logs), &res); err != nil {
			b.Fatalf("load output %q: %v", logs, err)
		}
		fmt.Printf("  concurrency %d: p50 %.2f ms, p99 %.2f ms, max %.1f ms, mean %.2f ms, %.0f requests/s, %.0f failed of 3000\n",
			c, res["p50_ms"], res["p99_ms"], res["max_ms"], res["mean_ms"], res["rps"], res["failures"])
	}
}

// BenchmarkBuildPush builds and pushes a 100 MB model (four 25 MB shards
// and a small config) to the local registry: the first push, then after
// changing one shard, then after changing the config.
func BenchmarkBuildPush(b *testing.B) {
	dir := b.TempDir()
	if r := kuboxIn(context.Background(), dir, "up", "--model=false"); r.code != 0 {
		b.Fatalf("kubox up: %s", r)
	}
	model := filepath.Join(dir, "model")
	os.MkdirAll(model, 0o755)
	shard := func(i int) {
		buf := make([]byte, 25<<20)
		rand.Read(buf) // weights do not compress
		os.WriteFile(filepath.Join(model, fmt.Sprintf("shard-%d.bin", i)), buf, 0o644)
	}
	for i := 0; i < 4; i++ {
		shard(i)
	}
	config := func(v int) {
		os.WriteFile(filepath.Join(model, "config.json"), []byte(fmt.Sprintf(`{"version": %d}`, v)), 0o644)
	}
	config(1)
	repo := fmt.Sprintf("localhost:%d/bench/model", env.registryPort)
	var builder build.Builder
	fmt.Printf("\nbuild and push of a 100 MB model to %s (base: empty, the runtime layer is pushed once per kubox version)\n", repo)
	step := func(what string) {
		ctx := context.Background()
		t0 := time.Now()
		res, err := builder.Build(ctx, build.Model{Name: "bench", Format: "onnx", Path: model}, empty.Image)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		p, err := build.Push(ctx, res.Image, repo, res.Version)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("  %-26s build %-8s push %-8s pushed %9.1f KiB\n", what, t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond), float64(p.Bytes)/(1<<10))
	}
	step("first push")
	shard(2)
	step("one 25 MB shard changed")
	config(2)
	step("config.json changed")
}

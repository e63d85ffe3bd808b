//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// TestE2EBootstrap walks through what a user does with `kubox up`, `down`
// and `status`, in order, on one cluster.
func TestE2EBootstrap(t *testing.T) {
	d := dockerClient(t)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Ctrl-C during up leaves nothing half-made", func(t *testing.T) { interruptedUp(t, syscall.SIGINT) }},
		{"SIGTERM during up leaves nothing half-made", func(t *testing.T) { interruptedUp(t, syscall.SIGTERM) }},
		{"up from nothing gives Ready nodes and a loopback-only registry", upFromNothing},
		{"an image pushed to localhost runs in a pod", imageRunsInPod},
		{"the local-registry-hosting ConfigMap is published", hostingConfigMap},
		{"a retained volume survives down and up", volumeSurvives},
		{"a second up changes nothing", secondUpNoChanges},
		{"drift is repaired and pushed images still pull", driftRepaired},
		{"bad input fails clearly and changes nothing", badInput},
		{"down --purge leaves nothing of kubox behind", purgeLeavesNothing},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.Logf("cluster state after the failure:\n%s", kubox(context.Background(), "status").stdout)
			_ = d
			t.FailNow()
		}
	}
}

// interruptedUp sends sig to `kubox up` once the first node container exists
// and checks that kubox exits 130 with no container, kube context or
// storage directory of the cluster left.
func interruptedUp(t *testing.T, sig syscall.Signal) {
	d := dockerClient(t)
	cmd := kuboxCmd(context.Background(), "up", "--model=false")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for len(containersLabelled(t, d, nodeLabel(clusterName))) == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no node container appeared within 2m; stderr:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // well into node provisioning
	sent := time.Now()
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	t.Logf("kubox up exited %d, %s after %s (%v)", code, time.Since(sent).Round(time.Millisecond), sig, err)
	if code != 130 {
		t.Errorf("exit code = %d, want 130; stderr:\n%s", code, stderr.String())
	}
	if left := containersLabelled(t, d, nodeLabel(clusterName)); len(left) > 0 {
		t.Errorf("node containers left behind: %v", left)
	}
	if cfg, err := clientcmd.LoadFromFile(env.kubeconfig); err == nil {
		if _, ok := cfg.Contexts[contextOf(clusterName)]; ok {
			t.Errorf("kube context kind-%s left in %s", clusterName, env.kubeconfig)
		}
	}
	if _, err := os.Stat(storageDir()); err == nil {
		t.Errorf("storage directory %s left behind", storageDir())
	}
}

func upFromNothing(t *testing.T) {
	r := mustKubox(t, "up", "--model=false")
	t.Logf("kubox up from nothing: %s", r.elapsed.Round(time.Millisecond))
	wantRegistry := "localhost:" + strconv.Itoa(env.registryPort)
	if !strings.Contains(r.stdout, "registry  "+wantRegistry) || !strings.Contains(r.stdout, "kube context kind-"+clusterName) {
		t.Errorf("stdout does not name the registry and context:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "created cluster") || !strings.Contains(r.stderr, `kube context "kind-`+clusterName+`" is now current`) {
		t.Errorf("stderr does not report the cluster creation and the new current context:\n%s", r.stderr)
	}
	if cfg, err := clientcmd.LoadFromFile(env.kubeconfig); err != nil || cfg.CurrentContext != contextOf(clusterName) {
		t.Errorf("current context after up = %v, %v; want kind-%s", cfg, err, clusterName)
	}

	kube := kubeClient(t)
	nodes, err := kube.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("listing nodes: %v", err)
	}
	for _, n := range nodes.Items {
		ready := false
		for _, c := range n.Status.Conditions {
			ready = ready || (c.Type == "Ready" && c.Status == "True")
		}
		if !ready {
			t.Errorf("node %s is not Ready right after up", n.Name)
		}
	}

	c, err := dockerClient(t).ContainerInspect(context.Background(), registryName)
	if err != nil {
		t.Fatal(err)
	}
	var bound []string
	for port, bindings := range c.HostConfig.PortBindings {
		for _, b := range bindings {
			bound = append(bound, string(port)+"->"+b.HostIP+":"+b.HostPort)
		}
	}
	if want := "5000/tcp->127.0.0.1:" + strconv.Itoa(env.registryPort); len(bound) != 1 || bound[0] != want {
		t.Errorf("registry published as %v, want only %s", bound, want)
	}
	if _, ok := c.NetworkSettings.Networks[networkOf(clusterName)]; !ok {
		t.Errorf("registry not on the kind network: %v", c.NetworkSettings.Networks)
	}

	var st struct {
		Cluster struct {
			Ready bool `json:"ready"`
			Nodes []struct {
				Name  string `json:"name"`
				Ready bool   `json:"ready"`
			} `json:"nodes"`
		} `json:"cluster"`
		Registry struct {
			Host    string `json:"host"`
			Bind    string `json:"bind"`
			Healthy bool   `json:"healthy"`
		} `json:"registry"`
		Storage struct {
			Classes []struct {
				Name          string `json:"name"`
				ReclaimPolicy string `json:"reclaimPolicy"`
				Default       bool   `json:"default"`
			} `json:"classes"`
		} `json:"storage"`
	}
	out := mustKubox(t, "status", "-o", "json")
	if err := json.Unmarshal([]byte(out.stdout), &st); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, out.stdout)
	}
	if !st.Cluster.Ready || len(st.Cluster.Nodes) != 1 || !st.Registry.Healthy || st.Registry.Host != wantRegistry || st.Registry.Bind != "127.0.0.1:"+strconv.Itoa(env.registryPort) {
		t.Errorf("status -o json = %+v", st)
	}
	classes := map[string]string{}
	for _, c := range st.Storage.Classes {
		classes[c.Name] = c.ReclaimPolicy
		if c.Name == "kubox-retain" && c.Default {
			t.Errorf("kubox-retain became the default class")
		}
	}
	if classes["kubox-retain"] != "Retain" || classes["standard"] != "Delete" {
		t.Errorf("storage classes = %v, want kind's standard and kubox-retain", classes)
	}
}

func imageRunsInPod(t *testing.T) {
	ref := pushProbe(t, "e2e/probe:v1")
	logs := runPod(t, kubeClient(t), podSpec{name: "probe-hello", namespace: "default", image: ref, args: []string{"echo", "hello from", ref}})
	if want := "hello from " + ref; strings.TrimSpace(logs) != want {
		t.Errorf("pod log = %q, want %q", logs, want)
	}
}

func hostingConfigMap(t *testing.T) {
	cm, err := kubeClient(t).CoreV1().ConfigMaps("kube-public").Get(context.Background(), "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &got); err != nil {
		t.Fatalf("localRegistryHosting.v1 is not YAML: %v", err)
	}
	want := map[string]string{
		"host":                     "localhost:" + strconv.Itoa(env.registryPort),
		"hostFromContainerRuntime": registryName + ":5000",
		"hostFromClusterNetwork":   registryName + ":5000",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if !strings.HasPrefix(got["help"], "https://") {
		t.Errorf("help = %q, want a URL", got["help"])
	}
}

func volumeSurvives(t *testing.T) {
	const ns, claim, text = "e2e", "notes", "written before kubox down"
	image := "localhost:" + strconv.Itoa(env.registryPort) + "/e2e/probe:v1"
	kube := kubeClient(t)
	ensureNamespace(t, kube, ns)
	createClaim(t, kube, ns, claim, "kubox-retain")
	runPod(t, kube, podSpec{name: "writer", namespace: ns, image: image, claim: claim, args: []string{"write", "/data/note.txt", text}})

	onHost := filepath.Join(storageDir(), ns, claim, "note.txt")
	if b, err := os.ReadFile(onHost); err != nil || string(b) != text {
		t.Errorf("host file %s = %q, %v; want the pod's text", onHost, b, err)
	}

	down := mustKubox(t, "down")
	if !strings.Contains(down.stdout, "kept") {
		t.Errorf("down does not say what it kept:\n%s", down.stdout)
	}
	if _, err := dockerClient(t).ContainerInspect(context.Background(), registryName); err != nil {
		t.Errorf("plain down removed the registry: %v", err)
	}
	mustKubox(t, "up", "--model=false")

	kube = kubeClient(t)
	ensureNamespace(t, kube, ns)
	createClaim(t, kube, ns, claim, "kubox-retain")
	if got := runPod(t, kube, podSpec{name: "reader", namespace: ns, image: image, claim: claim, args: []string{"read", "/data/note.txt"}}); got != text {
		t.Errorf("after down and up the claim holds %q, want %q", got, text)
	}
}

func secondUpNoChanges(t *testing.T) {
	r := mustKubox(t, "up", "--model=false")
	t.Logf("converged kubox up: %s", r.elapsed.Round(time.Millisecond))
	if !strings.Contains(r.stderr, "no changes") {
		t.Errorf("second up does not say it changed nothing:\n%s", r)
	}
	if strings.Contains(r.stderr, "created") || strings.Contains(r.stderr, "wired") {
		t.Errorf("second up changed something:\n%s", r)
	}
}

func driftRepaired(t *testing.T) {
	ctx := context.Background()
	d := dockerClient(t)
	kube := kubeClient(t)
	if err := d.ContainerRemove(ctx, registryName, container.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	node := controlPlane(clusterName)
	hosts := "/etc/containerd/certs.d/localhost:" + strconv.Itoa(env.registryPort) + "/hosts.toml"
	if out, err := exec.Command("docker", "exec", node, "rm", hosts).CombinedOutput(); err != nil {
		t.Fatalf("removing %s: %v %s", hosts, err, out)
	}
	if err := kube.CoreV1().ConfigMaps("kube-public").Delete(ctx, "local-registry-hosting", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	r := mustKubox(t, "up", "--model=false")
	for _, want := range []string{"created registry", "wired node " + node, "published the registry"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("up after drift does not report %q:\n%s", want, r)
		}
	}
	if _, err := kube.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting", metav1.GetOptions{}); err != nil {
		t.Errorf("ConfigMap not restored: %v", err)
	}
	// Always pull: the node must fetch the image from the re-created
	// registry, which finds it in the data directory it kept.
	image := "localhost:" + strconv.Itoa(env.registryPort) + "/e2e/probe:v1"
	logs := runPod(t, kube, podSpec{name: "probe-after-drift", namespace: "default", image: image, pullAlways: true, args: []string{"echo", "still here"}})
	if strings.TrimSpace(logs) != "still here" {
		t.Errorf("pod log = %q", logs)
	}
	if r := mustKubox(t, "up", "--model=false"); !strings.Contains(r.stderr, "no changes") {
		t.Errorf("up after the repair changed something again:\n%s", r)
	}

	if err := d.NetworkDisconnect(ctx, networkOf(clusterName), registryName, true); err != nil {
		t.Fatal(err)
	}
	if r := mustKubox(t, "up", "--model=false"); !strings.Contains(r.stderr, `attached registry to network "`+networkOf(clusterName)+`"`) {
		t.Errorf("up after the registry left the network does not re-attach it:\n%s", r)
	}
	logs = runPod(t, kube, podSpec{name: "probe-after-reattach", namespace: "default", image: image, pullAlways: true, args: []string{"echo", "attached"}})
	if strings.TrimSpace(logs) != "attached" {
		t.Errorf("pod log = %q", logs)
	}
}

func badInput(t *testing.T) {
	d := dockerClient(t)
	t.Run("registry port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		r := kubox(context.Background(), "up", "--model=false", "--registry-port", port)
		if r.code != 1 || !strings.Contains(r.stderr, "port "+port) || !strings.Contains(r.stderr, "--registry-port") {
			t.Errorf("up on a taken port: %s", r)
		}
		c, err := d.ContainerInspect(context.Background(), registryName)
		if err != nil || c.HostConfig.PortBindings["5000/tcp"][0].HostPort != strconv.Itoa(env.registryPort) || !c.State.Running {
			t.Errorf("the registry changed after a failed up: %v", err)
		}
	})
	t.Run("node image missing and not pullable", func(t *testing.T) {
		cmd := kuboxCmd(context.Background(), "up", "--model=false", "--name", clusterName+"-b")
		cmd.Env = append(cmd.Env, "KUBOX_NODE_IMAGE=kubox.invalid/no-such-node:v0")
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "KUBOX_NODE_IMAGE") || !strings.Contains(string(out), "Air-gapped") {
			t.Errorf("up with an absent node image: %v\n%s", err, out)
		}
		if left := containersLabelled(t, d, nodeLabel(clusterName+"-b")); len(left) > 0 {
			t.Errorf("containers created anyway: %v", left)
		}
	})
	t.Run("invalid name", func(t *testing.T) {
		r := kubox(context.Background(), "up", "--model=false", "--name", "Not_Valid")
		if r.code != 1 || !strings.Contains(r.stderr, "invalid cluster name") {
			t.Errorf("up with an invalid name: %s", r)
		}
	})
	t.Run("down of a cluster that does not exist", func(t *testing.T) {
		r := kubox(context.Background(), "down", "--name", clusterName+"-absent")
		if r.code != 0 || !strings.Contains(r.stdout, "does not exist") {
			t.Errorf("down of an absent cluster: %s", r)
		}
	})
}

func purgeLeavesNothing(t *testing.T) {
	ctx := context.Background()
	mustKubox(t, "down", "--purge")
	d := dockerClient(t)
	if left := containersLabelled(t, d, "dev.kubox.managed"); len(left) > 0 {
		t.Errorf("containers labelled by kubox remain: %v", left)
	}
	if left := containersLabelled(t, d, nodeLabel(clusterName)); len(left) > 0 {
		t.Errorf("node containers remain: %v", left)
	}
	vols, err := d.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "dev.kubox.managed"))})
	if err != nil || len(vols.Volumes) > 0 {
		t.Errorf("volumes labelled by kubox remain: %v %v", vols.Volumes, err)
	}
	nets, err := d.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "dev.kubox.managed"))})
	if err != nil || len(nets) > 0 {
		t.Errorf("networks labelled by kubox remain: %v %v", nets, err)
	}
	for _, dir := range []string{filepath.Dir(storageDir()), registryDataDir()} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s remains (%v)", dir, err)
		}
	}
	if cfg, err := clientcmd.LoadFromFile(env.kubeconfig); err == nil {
		if _, ok := cfg.Contexts[contextOf(clusterName)]; ok {
			t.Errorf("kube context kind-%s remains", clusterName)
		}
	}
}

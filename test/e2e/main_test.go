//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The e2e suite works on its own cluster, registry and data directory, so
// that it never touches a user's kubox.
const (
	clusterName  = "kubox-e2e"
	registryName = "kubox-e2e-registry"
)

// suite is what TestMain sets up once for every test.
type suite struct {
	bin          string // the kubox binary under test
	dataDir      string // XDG_DATA_HOME for kubox
	kubeconfig   string
	registryPort int
}

var env suite // written once by TestMain before any test runs

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kubox-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	env = suite{
		bin:          filepath.Join(dir, "kubox"),
		dataDir:      filepath.Join(dir, "data"),
		kubeconfig:   filepath.Join(dir, "kubeconfig"),
		registryPort: 5901,
	}
	if p, err := strconv.Atoi(os.Getenv("KUBOX_E2E_REGISTRY_PORT")); err == nil {
		env.registryPort = p
	}
	build := exec.Command("go", "build", "-o", env.bin, "github.com/kubox-dev/kubox/cmd/kubox")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // it also serves models in the pods
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building kubox:", err)
		return 1
	}
	// A registry an interrupted earlier run left would hold the suite's port.
	exec.Command("docker", "rm", "-f", registryName).Run()
	fmt.Fprintf(os.Stderr, "e2e: node image %q, registry image %q, data in %s\n",
		os.Getenv("KUBOX_NODE_IMAGE"), os.Getenv("KUBOX_REGISTRY_IMAGE"), dir)
	code := m.Run()
	if os.Getenv("KUBOX_E2E_KEEP") == "" {
		// Whatever the tests left, take it away (kubox's own purge, then a
		// check in the tests that it worked).
		for _, name := range []string{clusterName, clusterName + "-b"} {
			if r := kubox(context.Background(), "down", "--purge", "--name", name); r.code != 0 {
				fmt.Fprintf(os.Stderr, "cleanup of %s failed: %s\n", name, r.stderr)
			}
		}
	}
	return code
}

// result is one run of the kubox binary.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout\n%s--- stderr\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// kuboxCmd prepares the kubox binary with the suite's environment: the same
// commands a user types, pointed at the suite's cluster and registry.
func kuboxCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, env.bin, args...)
	cmd.Env = append(os.Environ(),
		"KUBOX_CLUSTER="+clusterName,
		"KUBOX_PROVIDER="+provider(),
		"KUBOX_REGISTRY_NAME="+registryName,
		"KUBOX_REGISTRY_PORT="+strconv.Itoa(env.registryPort),
		"XDG_DATA_HOME="+env.dataDir,
		"KUBECONFIG="+env.kubeconfig,
	)
	return cmd
}

func kubox(ctx context.Context, args ...string) result {
	return kuboxIn(ctx, "", args...)
}

// kuboxIn runs kubox in dir, where it finds the project's kubox.yaml.
func kuboxIn(ctx context.Context, dir string, args ...string) result {
	return kuboxWithInput(ctx, dir, "", args...)
}

// kuboxWithInput runs kubox in dir with stdin.
func kuboxWithInput(ctx context.Context, dir, stdin string, args ...string) result {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := kuboxCmd(ctx, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
	if err != nil {
		r.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
	}
	return r
}

// mustKubox runs kubox and fails the test unless it exits 0.
func mustKubox(t *testing.T, args ...string) result {
	t.Helper()
	r := kubox(context.Background(), args...)
	if r.code != 0 {
		t.Fatalf("kubox %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// provider is what makes the suite's clusters: kind, or minikube with
// KUBOX_E2E_PROVIDER=minikube (where minikube can be installed).
func provider() string {
	if p := os.Getenv("KUBOX_E2E_PROVIDER"); p != "" {
		return p
	}
	return "kind"
}

// contextOf is the kube context the provider gives a cluster.
func contextOf(cluster string) string {
	if provider() == "minikube" {
		return cluster
	}
	return "kind-" + cluster
}

// nodeLabel selects a cluster's node containers.
func nodeLabel(cluster string) string {
	if provider() == "minikube" {
		return "name.minikube.sigs.k8s.io=" + cluster
	}
	return "io.x-k8s.kind.cluster=" + cluster
}

// networkOf is the Docker network a cluster's nodes (and the registry) are on.
func networkOf(cluster string) string {
	if provider() == "minikube" {
		return cluster
	}
	return "kind"
}

// controlPlane is the name of a cluster's first node container.
func controlPlane(cluster string) string {
	if provider() == "minikube" {
		return cluster
	}
	return cluster + "-control-plane"
}

func storageDir() string {
	return filepath.Join(env.dataDir, "kubox", "clusters", clusterName, "storage")
}

func registryDataDir() string { return filepath.Join(env.dataDir, "kubox", "registry") }

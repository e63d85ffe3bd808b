package ci

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/deploy"
	"github.com/kubox-dev/kubox/dev"
	"github.com/kubox-dev/kubox/internal/kube"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/profiles"
)

// Run is one `kubox ci run`. Its exported fields are its options.
type Run struct {
	Bootstrap *bootstrap.Bootstrapper
	// Cluster is the spec every cluster of the machine shares (registry,
	// node image, data directory); Run names the cluster itself.
	Cluster bootstrap.Spec
	// TTL is how long the cluster may live if this process dies.
	TTL time.Duration
	// KeepOnFailure keeps the cluster when the command fails, to debug it;
	// it still expires.
	KeepOnFailure bool
	// Profile, when set, is deployed before the command runs.
	Profile   *profiles.Profile
	Namespace string
	// Getenv reads the environment bindings (see deploy.ResolveEnv).
	Getenv func(string) string
	// Command and its streams.
	Command               []string
	Stdin                 io.Reader
	Stdout, Stderr        io.Writer
	Progress              *progress.Printer
	RuntimeImage, Runtime string // KUBOX_RUNTIME_IMAGE, KUBOX_RUNTIME_BINARY
	Timeout               time.Duration
}

// Summary is what a run did; `kubox ci run -o json` prints it.
type Summary struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Cluster    string             `json:"cluster"`
	Endpoint   string             `json:"endpoint,omitempty"`
	Phases     map[string]float64 `json:"phases"` // seconds: up, deploy, command, down
	// Result is passed, failed (the command's exit code is not 0), error
	// (kubox failed before the command could run) or cancelled.
	Result   string `json:"result"`
	ExitCode int    `json:"exitCode"`
	Kept     bool   `json:"kept"`
	Error    string `json:"error,omitempty"`
}

// Do runs it. The error is kubox's own; the command's outcome is in the
// Summary.
func (r *Run) Do(ctx context.Context) (sum Summary, err error) {
	// sum is named so the teardown below can still record what it did.
	sum = Summary{APIVersion: "kubox.dev/v1alpha1", Kind: "CIRun", Phases: map[string]float64{}}
	name, err := uniqueName()
	if err != nil {
		return sum, err
	}
	sum.Cluster = name
	dir, err := os.MkdirTemp("", "kubox-ci-")
	if err != nil {
		return sum, err
	}
	defer os.RemoveAll(dir)
	spec := r.Cluster
	spec.Name, spec.Kubeconfig, spec.Expires = name, filepath.Join(dir, "kubeconfig"), time.Now().Add(r.TTL)

	defer func() {
		// Whatever happened, the cluster goes (unless kept to debug a
		// failure), even when ctx is cancelled.
		if r.KeepOnFailure && sum.Result != "passed" && sum.Result != "cancelled" {
			sum.Kept = true
			r.Progress.Note("  kept cluster %q for debugging: `kubox prune` removes it after %s", name, spec.Expires.Format(time.RFC3339))
			return
		}
		t := time.Now()
		if _, err := r.Bootstrap.DeleteEphemeral(context.WithoutCancel(ctx), spec); err != nil {
			r.Progress.Note("  removing cluster %q failed: %v (`kubox prune` will)", name, err)
		}
		sum.Phases["down"] = time.Since(t).Seconds()
	}()

	t := time.Now()
	if _, err := r.Bootstrap.Apply(ctx, spec); err != nil {
		return r.fail(ctx, &sum, err)
	}
	sum.Phases["up"] = time.Since(t).Seconds()
	target := kube.Target{Kubeconfig: spec.Kubeconfig, Context: spec.Context(), Namespace: r.Namespace}
	env := append(os.Environ(), "KUBECONFIG="+spec.Kubeconfig, "KUBOX_CLUSTER="+name,
		"KUBOX_CONTEXT="+spec.Context(), "KUBOX_NAMESPACE="+r.Namespace)

	if r.Profile != nil {
		t = time.Now()
		endpoint, stop, err := r.deploy(ctx, target)
		if err != nil {
			return r.fail(ctx, &sum, err)
		}
		defer stop()
		sum.Endpoint = endpoint
		env = append(env, "KUBOX_ENDPOINT="+endpoint)
		sum.Phases["deploy"] = time.Since(t).Seconds()
	}

	t = time.Now()
	step := r.Progress.Start("running %q on cluster %q", r.Command, name)
	cmd := exec.CommandContext(ctx, r.Command[0], r.Command[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, r.Stdin, r.Stdout, r.Stderr
	// On a stop signal the command and its children get SIGTERM and some
	// time to end.
	ownGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	cmdErr := cmd.Run()
	sum.Phases["command"] = time.Since(t).Seconds()
	step.Stop()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		sum.Result, sum.ExitCode = "cancelled", 130
		return sum, ctx.Err()
	case cmdErr == nil:
		sum.Result = "passed"
	case errors.As(cmdErr, &exit):
		sum.Result, sum.ExitCode = "failed", exit.ExitCode()
	default:
		return r.fail(ctx, &sum, fmt.Errorf("running %q: %w", r.Command[0], cmdErr))
	}
	r.Progress.Note("%s %q %s with exit code %d on cluster %q", mark(sum.Result), r.Command, sum.Result, sum.ExitCode, name)
	return sum, nil
}

func mark(result string) string {
	if result == "passed" {
		return "✓"
	}
	return "✗"
}

// fail records kubox's own error in the summary.
func (r *Run) fail(ctx context.Context, sum *Summary, err error) (Summary, error) {
	sum.Result, sum.ExitCode, sum.Error = "error", 1, err.Error()
	if ctx.Err() != nil {
		sum.Result, sum.ExitCode = "cancelled", 130
	}
	return *sum, err
}

// deploy ships the profile to the cluster and serves it on a local port.
func (r *Run) deploy(ctx context.Context, t kube.Target) (string, func(), error) {
	d, err := deploy.New(t, r.Bootstrap.Log)
	if err != nil {
		return "", nil, err
	}
	env, err := deploy.ResolveEnv(ctx, d.Kube, deploy.Inputs{}, r.Getenv)
	if err != nil {
		return "", nil, err
	}
	s := &deploy.Shipper{Deployer: d, Env: env, Progress: r.Progress, RuntimeImage: r.RuntimeImage, RuntimeBinary: r.Runtime, Timeout: r.Timeout}
	if _, err := s.Ship(ctx, r.Profile); err != nil {
		return "", nil, err
	}
	addr, stop, err := dev.Forward(ctx, d, r.Profile.Name, 0)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("http://%s/v2/models/%s", addr, r.Profile.Name), stop, nil
}

// uniqueName is a cluster name no other run on the machine will take.
func uniqueName() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "ci-" + hex.EncodeToString(b), nil
}

package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kubox-dev/kubox/charts"
	"github.com/kubox-dev/kubox/internal/kube"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Deployer upgrades releases of the model-serving chart in one namespace of
// one cluster.
type Deployer struct {
	Target kube.Target
	Rest   *rest.Config
	Kube   kubernetes.Interface
	Helm   *action.Configuration
	Log    *slog.Logger
}

// New connects to the cluster t names.
func New(t kube.Target, log *slog.Logger) (*Deployer, error) {
	cfg, c, err := t.Clients()
	if err != nil {
		return nil, err
	}
	h := new(action.Configuration)
	debug := func(format string, v ...any) { log.Debug(fmt.Sprintf(format, v...), "from", "helm") }
	if err := h.Init(t.Getter(), t.Namespace, "secret", debug); err != nil {
		return nil, fmt.Errorf("setting up Helm for context %q: %w", t.Context, err)
	}
	return &Deployer{Target: t, Rest: cfg, Kube: c, Helm: h, Log: log}, nil
}

// Release is one version of a model to deploy.
type Release struct {
	// Name of the release, its Service, and the model in the protocol.
	Name string
	// Image the pods run, by digest.
	Image string
	// Values for the chart, the image included.
	Values map[string]any
	// Port the server listens on in the pod.
	Port int
	// Version the server must report; empty skips the check (custom runtimes).
	Version string
	// Samples verify the new version.
	Samples []Sample
	// Timeout bounds the rollout.
	Timeout time.Duration
	// Trial runs the new version in a pod of its own and verifies it before
	// the release is touched. The built-in server needs none (it checks its
	// samples before it reports ready); a custom server's answers can only
	// be checked from outside, and must be before it takes traffic.
	Trial bool
}

// Outcome is what a successful deploy did, and how long each phase took.
type Outcome struct {
	Revision        int
	Upgrade         time.Duration
	Rollout         time.Duration
	Verify          time.Duration
	InstalledFirst  bool
	PreviousVersion int
	// Unchanged: the same image and values already served, so nothing was
	// applied.
	Unchanged bool
}

// Failure is a deploy that did not go through: why, what the failing pod
// said, and what was done about it.
type Failure struct {
	Cause     error
	Diagnosis string
	// Restored says what serves now: "revision N" after a rollback, or ""
	// when the failed release was the first and was removed.
	Restored string
}

func (f *Failure) Error() string {
	msg := f.Cause.Error() + "\n"
	if f.Diagnosis != "" {
		msg += f.Diagnosis
	}
	switch f.Restored {
	case "":
		return msg + "the release was removed, since no earlier version existed"
	case untouched:
		return msg + "the release was not touched: the serving version still serves"
	}
	return msg + "rolled back to " + f.Restored + ": the previous version still serves"
}

func (f *Failure) Unwrap() error { return f.Cause }

// Apply upgrades (or installs) the release, waits for the new pods through
// the API's watch and verifies them. On failure it rolls back to the
// previous revision (or removes a first release) and returns a *Failure.
func (d *Deployer) Apply(ctx context.Context, r Release) (Outcome, error) {
	var out Outcome
	if err := d.ensureNamespace(ctx); err != nil {
		return out, err
	}
	chart, err := charts.ModelServing()
	if err != nil {
		return out, err
	}
	prev, err := d.lastDeployed(r.Name)
	if err != nil {
		return out, err
	}
	if prev > 0 && d.serving(ctx, r) {
		return Outcome{Revision: prev, PreviousVersion: prev, Unchanged: true}, nil
	}
	out.PreviousVersion, out.InstalledFirst = prev, prev == 0
	if r.Trial {
		t := time.Now()
		err := d.trial(ctx, r)
		out.Verify = time.Since(t)
		if err != nil {
			return out, err
		}
	}

	t := time.Now()
	var rel *release.Release
	if prev == 0 {
		in := action.NewInstall(d.Helm)
		in.ReleaseName, in.Namespace, in.Timeout = r.Name, d.Target.Namespace, r.Timeout
		rel, err = in.RunWithContext(ctx, chart, r.Values)
	} else {
		up := action.NewUpgrade(d.Helm)
		up.Namespace, up.Timeout, up.ResetValues, up.MaxHistory = d.Target.Namespace, r.Timeout, true, 10
		rel, err = up.RunWithContext(ctx, r.Name, chart, r.Values)
	}
	out.Upgrade = time.Since(t)
	if err != nil {
		return out, d.fail(ctx, r, prev, fmt.Errorf("helm: %w", err), "")
	}
	out.Revision = rel.Version

	t = time.Now()
	err = waitRollout(ctx, d.Kube, d.Target.Namespace, r.Name, r.Image, r.Timeout)
	out.Rollout = time.Since(t)
	if err != nil {
		var re *RolloutError
		pod := ""
		if errors.As(err, &re) {
			pod = re.Pod
		}
		return out, d.fail(ctx, r, prev, err, pod)
	}

	t = time.Now()
	err = d.verify(ctx, r)
	out.Verify = time.Since(t)
	if err != nil {
		var ve *VerifyError
		pod := ""
		if errors.As(err, &ve) {
			pod = ve.Pod
		}
		return out, d.fail(ctx, r, prev, err, pod)
	}
	return out, nil
}

// fail restores what served before and describes the failure. It runs
// even when ctx was cancelled, so that nothing is left half-applied.
func (d *Deployer) fail(ctx context.Context, r Release, prev int, cause error, pod string) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.Timeout+30*time.Second)
	defer cancel()
	f := &Failure{Cause: cause}
	if pod != "" {
		f.Diagnosis = diagnose(cleanup, d.Kube, d.Target.Namespace, pod)
	}
	if prev == 0 {
		if _, err := action.NewUninstall(d.Helm).Run(r.Name); err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
			return fmt.Errorf("%w; removing the failed release also failed: %v (remove it with `helm uninstall %s -n %s`)", f, err, r.Name, d.Target.Namespace)
		}
		return f
	}
	rb := action.NewRollback(d.Helm)
	rb.Version, rb.Timeout, rb.MaxHistory = prev, r.Timeout, 10
	if err := rb.Run(r.Name); err != nil {
		return fmt.Errorf("%w; rolling back to revision %d also failed: %v", f, prev, err)
	}
	f.Restored = fmt.Sprintf("revision %d", prev)
	return f
}

// serving reports whether the deployed release already has r's values and
// its pods are rolled out, in which case deploying again would change
// nothing.
func (d *Deployer) serving(ctx context.Context, r Release) bool {
	rel, err := action.NewGet(d.Helm).Run(r.Name)
	if err != nil || rel.Info == nil || rel.Info.Status != release.StatusDeployed {
		return false
	}
	got, err1 := json.Marshal(rel.Config)
	want, err2 := json.Marshal(r.Values)
	if err1 != nil || err2 != nil || string(got) != string(want) {
		return false
	}
	dep, err := d.Kube.AppsV1().Deployments(d.Target.Namespace).Get(ctx, r.Name, metav1.GetOptions{})
	return err == nil && rolledOut(dep)
}

// lastDeployed returns the revision now serving, or 0 when there is none.
// A release stuck in a pending state (a deploy interrupted hard) is rolled
// back to its last good revision first, so Helm accepts the next upgrade.
func (d *Deployer) lastDeployed(name string) (int, error) {
	hist, err := action.NewHistory(d.Helm).Run(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the history of release %q: %w", name, err)
	}
	deployed, latest := 0, hist[0]
	for _, h := range hist {
		if h.Info.Status == release.StatusDeployed && h.Version > deployed {
			deployed = h.Version
		}
		if h.Version > latest.Version {
			latest = h
		}
	}
	if latest.Info.Status.IsPending() {
		if deployed == 0 {
			_, err := action.NewUninstall(d.Helm).Run(name)
			return 0, err
		}
		rb := action.NewRollback(d.Helm)
		rb.Version, rb.Force = deployed, true
		if err := rb.Run(name); err != nil {
			return 0, fmt.Errorf("release %q was left %s by an interrupted deploy and could not be rolled back: %w", name, latest.Info.Status, err)
		}
		return d.lastDeployed(name)
	}
	if deployed == 0 {
		// Only failed revisions: start over.
		if _, err := action.NewUninstall(d.Helm).Run(name); err != nil {
			return 0, err
		}
	}
	return deployed, nil
}

// ensureNamespace creates the namespace when missing, enforcing the
// restricted Pod Security Standard, as a production namespace would.
func (d *Deployer) ensureNamespace(ctx context.Context) error {
	ns := d.Target.Namespace
	_, err := d.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading namespace %q: %w", ns, err)
	}
	_, err = d.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: ns,
		Labels: map[string]string{
			"pod-security.kubernetes.io/enforce": "restricted",
			"pod-security.kubernetes.io/warn":    "restricted",
			"dev.kubox.managed":                  "true",
		},
	}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %q: %w", ns, err)
	}
	return nil
}

// Uninstall removes a release; one that does not exist is not an error.
func (d *Deployer) Uninstall(name string) error {
	_, err := action.NewUninstall(d.Helm).Run(name)
	if err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
		return err
	}
	return nil
}

// KubeOf is d's client, or nil without a cluster.
func KubeOf(d *Deployer) kubernetes.Interface {
	if d == nil {
		return nil
	}
	return d.Kube
}

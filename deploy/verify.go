package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/kubox-dev/kubox/internal/kube"
	"github.com/kubox-dev/kubox/runtime"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Sample is one inference request that verifies a deploy, with the outputs
// it must give.
type Sample = runtime.Sample

// VerifyError says which check a new version failed.
type VerifyError struct {
	Pod    string
	Sample string
	Reason string
}

func (e *VerifyError) Error() string {
	if e.Sample == "" {
		return fmt.Sprintf("verifying pod %s: %s", e.Pod, e.Reason)
	}
	return fmt.Sprintf("sample %q on pod %s: %s", e.Sample, e.Pod, e.Reason)
}

// newPod returns a ready pod of the release that runs image.
func newPod(ctx context.Context, c kubernetes.Interface, ns, release, image string) (string, error) {
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
	if err != nil {
		return "", err
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && len(p.Spec.Containers) > 0 && p.Spec.Containers[0].Image == image && podReady(&p) {
			return p.Name, nil
		}
	}
	return "", fmt.Errorf("no ready pod of %s runs %s", release, image)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// verify proves that a new pod of the release serves (see verifyPod).
func (d *Deployer) verify(ctx context.Context, r Release) error {
	pod, err := newPod(ctx, d.Kube, d.Target.Namespace, r.Name, r.Image)
	if err != nil {
		return &VerifyError{Reason: err.Error()}
	}
	return d.verifyPod(ctx, pod, r)
}

// verifyPod proves that a pod serves r: the model's ready endpoint answers,
// the reported version is the one deployed (when r.Version is set), and
// every sample gives its expected outputs.
func (d *Deployer) verifyPod(ctx context.Context, pod string, r Release) error {
	fwd, err := kube.PortForward(ctx, d.Rest, d.Target.Namespace, pod, 0, r.Port)
	if err != nil {
		return &VerifyError{Pod: pod, Reason: err.Error()}
	}
	defer fwd.Close()
	client := runtime.Client{Base: fmt.Sprintf("http://127.0.0.1:%d", fwd.Local)}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := client.Ready(ctx, r.Name); err != nil {
		return &VerifyError{Pod: pod, Reason: err.Error()}
	}
	for _, s := range r.Samples {
		resp, err := client.Infer(ctx, r.Name, s.Request)
		if err != nil {
			return &VerifyError{Pod: pod, Sample: s.Name, Reason: err.Error()}
		}
		if r.Version != "" && resp.ModelVersion != r.Version {
			return &VerifyError{Pod: pod, Sample: s.Name, Reason: fmt.Sprintf("answered as version %q, want %q", resp.ModelVersion, r.Version)}
		}
		if err := s.Check(resp); err != nil {
			return &VerifyError{Pod: pod, Sample: s.Name, Reason: err.Error()}
		}
	}
	return nil
}

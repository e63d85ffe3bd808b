package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// RolloutError says why a rollout failed, naming the pod to diagnose.
type RolloutError struct {
	Pod    string
	Reason string
}

func (e *RolloutError) Error() string {
	if e.Pod == "" {
		return e.Reason
	}
	return fmt.Sprintf("pod %s: %s", e.Pod, e.Reason)
}

// hopeless are container waiting reasons that do not heal by waiting.
var hopeless = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CrashLoopBackOff": true, "CreateContainerConfigError": true, "CreateContainerError": true,
	"RunContainerError": true,
}

// podFailure reports why a pod of the rollout cannot become ready, or "".
// A container that exited with an error once is enough: waiting for the
// crash-loop back-off would only delay the verdict.
func podFailure(p *corev1.Pod) string {
	for _, c := range p.Status.ContainerStatuses {
		if w := c.State.Waiting; w != nil && hopeless[w.Reason] {
			return strings.TrimSpace(w.Reason + ": " + w.Message)
		}
		if t := c.LastTerminationState.Terminated; t != nil && t.ExitCode != 0 {
			return fmt.Sprintf("container %s exited with code %d (%s)", c.Name, t.ExitCode, t.Reason)
		}
		if t := c.State.Terminated; t != nil && t.ExitCode != 0 {
			return fmt.Sprintf("container %s exited with code %d (%s)", c.Name, t.ExitCode, t.Reason)
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return "cannot be scheduled: " + c.Message
		}
	}
	return ""
}

// rolledOut reports whether every replica runs the Deployment's newest
// template, is available, and no old replica is left.
func rolledOut(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == want &&
		s.Replicas == want && s.AvailableReplicas == want && s.UnavailableReplicas == 0
}

// waitRollout watches the Deployment and its pods until the rollout
// completes, a new pod fails hopelessly, or timeout passes. image is the
// image the new pods run, which tells them from the old ones.
func waitRollout(ctx context.Context, kube kubernetes.Interface, ns, name, image string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deployments := kube.AppsV1().Deployments(ns)
	pods := kube.CoreV1().Pods(ns)
	selector := "app.kubernetes.io/instance=" + name

	failed := make(chan error, 1)
	go func() {
		// Pods of the new image that cannot start end the wait early.
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
				o.LabelSelector = selector
				return pods.List(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				o.LabelSelector = selector
				return pods.Watch(ctx, o)
			},
		}
		_, _ = watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(ev watch.Event) (bool, error) {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type == watch.Deleted || len(p.Spec.Containers) == 0 || p.Spec.Containers[0].Image != image {
				return false, nil
			}
			if p.DeletionTimestamp != nil {
				// A pod of an earlier rollout of the same image, on its way
				// out: how it ends says nothing about the new pods.
				return false, nil
			}
			if why := podFailure(p); why != "" {
				failed <- &RolloutError{Pod: p.Name, Reason: why}
				return true, nil
			}
			return false, nil
		})
	}()

	done := make(chan error, 1)
	go func() {
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
				o.FieldSelector = "metadata.name=" + name
				return deployments.List(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				o.FieldSelector = "metadata.name=" + name
				return deployments.Watch(ctx, o)
			},
		}
		_, err := watchtools.UntilWithSync(ctx, lw, &appsv1.Deployment{}, nil, func(ev watch.Event) (bool, error) {
			d, ok := ev.Object.(*appsv1.Deployment)
			if !ok {
				return false, nil
			}
			if ev.Type == watch.Deleted {
				return false, fmt.Errorf("deployment %s/%s was deleted during the rollout", ns, name)
			}
			for _, c := range d.Status.Conditions {
				if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
					return false, &RolloutError{Reason: "rollout stopped progressing: " + c.Message}
				}
			}
			return rolledOut(d), nil
		})
		done <- err
	}()

	select {
	case err := <-failed:
		return err
	case err := <-done:
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			return &RolloutError{Reason: fmt.Sprintf("new pods were not ready within %s", timeout)}
		}
		return err
	}
}

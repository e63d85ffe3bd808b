package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"
)

// untouched marks a Failure that happened before the release was changed.
const untouched = "untouched"

// trial runs the new version in a pod shaped exactly like the release's
// pods but outside its Service, verifies it, and removes it. Only a version
// that passes goes on to replace the serving one.
func (d *Deployer) trial(ctx context.Context, r Release) error {
	manifest, err := Render(ctx, r.Name, d.Target.Namespace, r.Values)
	if err != nil {
		return err
	}
	dep, err := deploymentOf(manifest)
	if err != nil {
		return err
	}
	pods := d.Kube.CoreV1().Pods(d.Target.Namespace)
	name := r.Name + "-trial"
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: d.Target.Namespace,
			// Not the release's labels: the Service must not send it traffic.
			Labels: map[string]string{"dev.kubox.trial": r.Name, "dev.kubox.managed": "true"}},
		Spec: dep.Spec.Template.Spec,
	}
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	cleanup := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		zero := int64(0)
		_ = pods.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	}
	cleanup() // one an interrupted deploy left behind
	if err := waitGone(ctx, d, name); err != nil {
		return err
	}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("starting the trial pod: %w", err)
	}
	defer cleanup()

	fail := func(cause error) error {
		diag, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		return &Failure{Cause: cause, Diagnosis: diagnose(diag, d.Kube, d.Target.Namespace, name), Restored: untouched}
	}
	if err := waitPodReady(ctx, d, name, r.Timeout); err != nil {
		return fail(err)
	}
	if err := d.verifyPod(ctx, name, r); err != nil {
		return fail(err)
	}
	return nil
}

// deploymentOf finds the Deployment in a rendered manifest.
func deploymentOf(manifest string) (*appsv1.Deployment, error) {
	dec := utilyaml.NewDocumentDecoder(io.NopCloser(bytes.NewReader([]byte(manifest))))
	defer dec.Close()
	buf := make([]byte, len(manifest)+1)
	for {
		n, err := dec.Read(buf)
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the model-serving chart rendered no Deployment")
		}
		if err != nil {
			return nil, err
		}
		var dep appsv1.Deployment
		if yaml.Unmarshal(buf[:n], &dep) == nil && dep.Kind == "Deployment" {
			return &dep, nil
		}
	}
}

// waitPodReady watches one pod until it is ready, fails hopelessly, or
// timeout passes.
func waitPodReady(ctx context.Context, d *Deployer, name string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pods := d.Kube.CoreV1().Pods(d.Target.Namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
			o.FieldSelector = "metadata.name=" + name
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = "metadata.name=" + name
			return pods.Watch(ctx, o)
		},
	}
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(ev watch.Event) (bool, error) {
		p, ok := ev.Object.(*corev1.Pod)
		if !ok {
			return false, nil
		}
		if why := podFailure(p); why != "" {
			return false, &RolloutError{Pod: name, Reason: why}
		}
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			return false, &RolloutError{Pod: name, Reason: "the server exited"}
		}
		return podReady(p), nil
	})
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return &RolloutError{Pod: name, Reason: fmt.Sprintf("not ready within %s", timeout)}
	}
	return err
}

// waitGone waits until a pod of that name no longer exists.
func waitGone(ctx context.Context, d *Deployer, name string) error {
	for i := 0; i < 300; i++ {
		if _, err := d.Kube.CoreV1().Pods(d.Target.Namespace).Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("an old trial pod %s is still terminating", name)
}

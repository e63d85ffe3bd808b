package deploy

import (
	"context"
	"fmt"
	"sort"

	"github.com/kubox-dev/kubox/internal/kube"
	"github.com/kubox-dev/kubox/runtime"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Predict sends one inference request to the model through a port-forward
// to a ready pod behind its Service, and returns the response body.
func (d *Deployer) Predict(ctx context.Context, model string, request []byte) ([]byte, error) {
	ns := d.Target.Namespace
	svc, err := d.Kube.CoreV1().Services(ns).Get(ctx, model, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("finding the Service of model %q in %s/%s: %w (deploy it with `kubox deploy` or `kubox up`)", model, d.Target.Context, ns, err)
	}
	pod, port, err := d.servingPod(ctx, svc)
	if err != nil {
		return nil, err
	}
	fwd, err := kube.PortForward(ctx, d.Rest, ns, pod, 0, port)
	if err != nil {
		return nil, err
	}
	defer fwd.Close()
	resp, err := runtime.Client{Base: fmt.Sprintf("http://127.0.0.1:%d", fwd.Local)}.Infer(ctx, model, request)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", model, err)
	}
	return resp.Raw, nil
}

// servingPod picks the newest ready pod the Service selects, and the
// container port its "http" target names.
func (d *Deployer) servingPod(ctx context.Context, svc *corev1.Service) (string, int, error) {
	sel := metav1.FormatLabelSelector(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
	pods, err := d.Kube.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return "", 0, err
	}
	sort.Slice(pods.Items, func(i, j int) bool {
		return pods.Items[j].CreationTimestamp.Before(&pods.Items[i].CreationTimestamp)
	})
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil || !podReady(&p) {
			continue
		}
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == "http" {
					return p.Name, int(cp.ContainerPort), nil
				}
			}
		}
	}
	return "", 0, fmt.Errorf("no ready pod serves %s/%s: see `kubectl get pods -n %s`", svc.Namespace, svc.Name, svc.Namespace)
}

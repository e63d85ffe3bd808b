package dev

import (
	"context"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// pods follows the release's pods through one informer (a watch), for the
// proxy (which pod serves now) and the log streamer (which pods started).
type pods struct {
	lister   corelisters.PodLister
	selector labels.Selector
	factory  informers.SharedInformerFactory
}

// watchPods starts an informer on the release's pods; onEvent runs on every
// change, one at a time.
func watchPods(ctx context.Context, kube kubernetes.Interface, namespace, release string, onEvent func(*corev1.Pod)) (*pods, error) {
	sel := "app.kubernetes.io/instance=" + release
	f := informers.NewSharedInformerFactoryWithOptions(kube, 10*time.Minute,
		informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = sel }))
	inf := f.Core().V1().Pods()
	handle := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok {
			onEvent(p)
		}
	}
	_, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, obj any) { handle(obj) },
		DeleteFunc: handle,
	})
	if err != nil {
		return nil, err
	}
	lister := inf.Lister()
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	s, _ := labels.Parse(sel)
	return &pods{lister: lister, selector: s, factory: f}, nil
}

// serving returns the newest ready pod, the port its server listens on and
// the image it runs.
func (p *pods) serving(namespace string) (name string, port int, image string) {
	list, err := p.lister.Pods(namespace).List(p.selector)
	if err != nil {
		return "", 0, ""
	}
	var best *corev1.Pod
	for _, pod := range list {
		if pod.DeletionTimestamp != nil || !ready(pod) {
			continue
		}
		if best == nil || best.CreationTimestamp.Before(&pod.CreationTimestamp) {
			best = pod
		}
	}
	if best == nil {
		return "", 0, ""
	}
	for _, c := range best.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == "http" {
				return best.Name, int(cp.ContainerPort), c.Image
			}
		}
	}
	return "", 0, ""
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// shortName is the part of a pod's name that tells it from its siblings.
func shortName(release, pod string) string {
	rest := strings.TrimPrefix(pod, release+"-")
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		return release + "/" + rest[i+1:]
	}
	return release + "/" + rest
}

package dev

import (
	"context"
	"fmt"

	"github.com/kubox-dev/kubox/deploy"
	corev1 "k8s.io/api/core/v1"
)

// Forward serves 127.0.0.1:port (0: the first free from DefaultPort) and
// forwards each request to the release's newest ready pod, following new
// versions, as `kubox dev` does. It returns the address and a stop func.
func Forward(ctx context.Context, d *deploy.Deployer, release string, port int) (string, func(), error) {
	px, stop, err := forward(ctx, d, release, port, nil)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("127.0.0.1:%d", px.Port()), stop, nil
}

// forward starts the proxy and the informer on the release's pods that
// keeps it on the newest ready pod; onPod, when set, also sees every pod
// event (the log streamer).
func forward(ctx context.Context, d *deploy.Deployer, release string, port int, onPod func(*corev1.Pod)) (*proxy, func(), error) {
	px, err := newProxy(d.Rest, d.Target.Namespace, port)
	if err != nil {
		return nil, nil, err
	}
	go px.serve()
	ctx, cancel := context.WithCancel(ctx)
	tracked, err := watchPods(ctx, d.Kube, d.Target.Namespace, release, func(pod *corev1.Pod) {
		if onPod != nil {
			onPod(pod)
		}
		go px.refresh(ctx)
	})
	if err != nil {
		cancel()
		px.close()
		return nil, nil, err
	}
	px.pods.Store(tracked)
	px.refresh(ctx)
	return px, func() { cancel(); px.close() }, nil
}

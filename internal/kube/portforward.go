package kube

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// Forward is a running port-forward from 127.0.0.1 to a pod.
type Forward struct {
	// Local is the port on 127.0.0.1.
	Local int
	stop  chan struct{}
	done  chan error
}

// Close stops the forward.
func (f *Forward) Close() {
	close(f.stop)
	<-f.done
}

// Done is closed, with the error if any, when the forward ends on its own
// (the pod went away).
func (f *Forward) Done() <-chan error { return f.done }

// PortForward forwards localPort (0: any free one) on 127.0.0.1 to
// remotePort of a pod.
func PortForward(ctx context.Context, cfg *rest.Config, namespace, pod string, localPort, remotePort int) (*Forward, error) {
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, err
	}
	u.Path += fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/portforward", namespace, pod)
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, u)
	f := &Forward{stop: make(chan struct{}), done: make(chan error, 1)}
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"},
		[]string{fmt.Sprintf("%d:%d", localPort, remotePort)}, f.stop, ready, io.Discard, io.Discard)
	if err != nil {
		return nil, err
	}
	go func() { f.done <- pf.ForwardPorts(); close(f.done) }()
	select {
	case <-ready:
	case err := <-f.done:
		return nil, fmt.Errorf("port-forward to pod %s/%s: %w", namespace, pod, err)
	case <-ctx.Done():
		close(f.stop)
		return nil, ctx.Err()
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) == 0 {
		f.Close()
		return nil, fmt.Errorf("port-forward to pod %s/%s: no local port", namespace, pod)
	}
	f.Local = int(ports[0].Local)
	return f, nil
}

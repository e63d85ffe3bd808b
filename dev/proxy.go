package dev

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubox-dev/kubox/internal/kube"
	"k8s.io/client-go/rest"
)

// proxy serves a stable port on 127.0.0.1 and forwards each request to the
// release's newest ready pod, moving to the next pod as soon as a new
// version is ready, so clients (kubox predict among them) keep one address
// across redeploys.
type proxy struct {
	cfg       *rest.Config
	namespace string
	pods      atomic.Pointer[pods] // set once the informer runs

	refreshing sync.Mutex // one refresh at a time, so one forward per pod

	mu      sync.Mutex
	pod     string
	image   string
	forward *kube.Forward
	target  *url.URL

	listener  net.Listener
	server    *http.Server
	transport *http.Transport
}

// DefaultPort is where the first `kubox dev` listens; the next free port
// up to DefaultPort+19 serves the next one.
const DefaultPort = 18080

func newProxy(cfg *rest.Config, namespace string, port int) (*proxy, error) {
	l, err := listen(port)
	if err != nil {
		return nil, err
	}
	px := &proxy{cfg: cfg, namespace: namespace, listener: l, transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	rp := &httputil.ReverseProxy{
		Transport: px.transport,
		Rewrite: func(r *httputil.ProxyRequest) {
			if t := px.current(); t != nil {
				r.SetURL(t)
			}
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "{\"error\":%q}\n", "no serving pod answered: "+err.Error())
		},
	}
	px.server = &http.Server{Handler: rp, ReadHeaderTimeout: 5 * time.Second}
	return px, nil
}

// Port is the stable local port.
func (p *proxy) Port() int { return p.listener.Addr().(*net.TCPAddr).Port }

func (p *proxy) serve() error {
	if err := p.server.Serve(p.listener); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (p *proxy) current() *url.URL {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.target
}

// refresh moves the forward to the newest ready pod when that changed. The
// old forward stays open a while for requests already on it.
func (p *proxy) refresh(ctx context.Context) {
	tracked := p.pods.Load()
	if tracked == nil {
		return
	}
	p.refreshing.Lock()
	defer p.refreshing.Unlock()
	pod, port, image := tracked.serving(p.namespace)
	p.mu.Lock()
	same := pod == p.pod
	p.mu.Unlock()
	if same || pod == "" {
		return
	}
	fwd, err := kube.PortForward(ctx, p.cfg, p.namespace, pod, 0, port)
	if err != nil {
		return // the next pod event tries again
	}
	p.mu.Lock()
	old := p.forward
	p.pod, p.image, p.forward = pod, image, fwd
	p.target = &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", fwd.Local)}
	p.mu.Unlock()
	// Kept-alive connections to the old pod would hold it open while it
	// drains; requests already on them finish within the grace below.
	p.transport.CloseIdleConnections()
	if old != nil {
		time.AfterFunc(5*time.Second, old.Close)
	}
}

// follow refreshes until the forward reaches a pod running image, so that
// once a cycle reports a version, the local port serves it; it gives up
// after timeout (the informer lags the API by milliseconds, not seconds).
func (p *proxy) follow(ctx context.Context, image string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		p.refresh(ctx)
		p.mu.Lock()
		at := p.image
		p.mu.Unlock()
		if at == image || time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (p *proxy) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.server.Shutdown(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.forward != nil {
		p.forward.Close()
	}
}

func listen(port int) (net.Listener, error) {
	if port != 0 {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return nil, fmt.Errorf("listening on 127.0.0.1:%d: %w (choose another with --port)", port, err)
		}
		return l, nil
	}
	for p := DefaultPort; p < DefaultPort+20; p++ {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			return l, nil
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Pushed says what a push sent.
type Pushed struct {
	// Ref is the image by digest: repository@sha256:...
	Ref string
	// Tag is the content-derived tag the image was also pushed as.
	Tag string
	// Bytes is what went over the wire in request bodies: blobs the
	// registry lacked, the config and the manifest.
	Bytes int64
}

// Push uploads img to repo (host/path, no tag) under a tag derived from
// version, sending only the blobs the registry lacks. Credentials come from
// the user's Docker configuration and credential helpers; plain HTTP is used
// for loopback registries only.
func Push(ctx context.Context, img v1.Image, repo, version string) (Pushed, error) {
	var opts []name.Option
	if IsLocal(repo) {
		opts = append(opts, name.Insecure)
	}
	tag, err := name.NewTag(repo+":"+version, opts...)
	if err != nil {
		return Pushed{}, fmt.Errorf("image name %q: %w", repo, err)
	}
	ct := &countingTransport{base: remote.DefaultTransport}
	err = remote.Write(tag, img,
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithTransport(ct),
		remote.WithJobs(4))
	if err != nil {
		if ctx.Err() != nil {
			return Pushed{}, ctx.Err()
		}
		var te *transport.Error
		if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
			return Pushed{}, fmt.Errorf("pushing %s: the registry refused the credentials (%d): log in with `docker login %s` (kubox uses Docker's credentials), then retry", tag, te.StatusCode, tag.RegistryStr())
		}
		return Pushed{}, fmt.Errorf("pushing %s: %w", tag, err)
	}
	d, err := img.Digest()
	if err != nil {
		return Pushed{}, err
	}
	return Pushed{Ref: tag.Context().Digest(d.String()).String(), Tag: tag.String(), Bytes: ct.sent.Load()}, nil
}

// IsLocal reports whether an image or repository is on this machine,
// where the registry speaks plain HTTP.
func IsLocal(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	for _, p := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if host == p || len(host) > len(p) && host[:len(p)+1] == p+":" {
			return true
		}
	}
	return false
}

// countingTransport counts the request body bytes it sends.
type countingTransport struct {
	base http.RoundTripper
	sent atomic.Int64
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = &countingBody{ReadCloser: req.Body, n: &t.sent}
	}
	return t.base.RoundTrip(req)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

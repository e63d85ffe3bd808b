package build

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// epoch is the modification time of every entry, so that content alone
// decides a layer's digest.
var epoch = time.Unix(0, 0).UTC()

// fileLayer is an uncompressed layer streamed from host files on demand:
// nothing is copied or held in memory, and its digest (which equals its
// DiffID, being uncompressed) is computed once.
type fileLayer struct {
	entries []entry
	digest  v1.Hash
	size    int64
}

var _ v1.Layer = (*fileLayer)(nil)

// digestCache remembers layer digests by the entries' host paths, sizes and
// modification times, so that an unchanged large file is not read again on
// every build.
type digestCache struct {
	mu sync.Mutex
	m  map[string]cached
}

type cached struct {
	digest v1.Hash
	size   int64
}

func (c *digestCache) key(entries []entry) string {
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%s\x00%o\x00%d\x00%d\n", e.src, e.dst, e.mode, e.size, e.mod)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func newFileLayer(entries []entry, cache *digestCache) (*fileLayer, error) {
	l := &fileLayer{entries: entries}
	var key string
	if cache != nil {
		key = cache.key(entries)
		cache.mu.Lock()
		c, ok := cache.m[key]
		cache.mu.Unlock()
		if ok {
			l.digest, l.size = c.digest, c.size
			return l, nil
		}
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return nil, fmt.Errorf("reading model files: %w", err)
	}
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	l.size = n
	if cache != nil {
		cache.mu.Lock()
		if cache.m == nil {
			cache.m = map[string]cached{}
		}
		cache.m[key] = cached{l.digest, l.size}
		cache.mu.Unlock()
	}
	return l, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error)  { return types.OCIUncompressedLayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return l.Uncompressed() }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return streamTar(l.entries), nil }

// streamTar writes the entries as a tar stream through a pipe.
func streamTar(entries []entry) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeTar(pw, entries)) }()
	return pr
}

func writeTar(w io.Writer, entries []entry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.dst, Mode: int64(e.mode.Perm()), ModTime: epoch, Format: tar.FormatPAX}
		if e.src == "" {
			h.Typeflag, h.Name = tar.TypeDir, e.dst+"/"
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		h.Typeflag, h.Size = tar.TypeReg, e.size
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if err := copyFile(tw, e); err != nil {
			return err
		}
	}
	return tw.Close()
}

// copyFile copies exactly the size the plan recorded: a file that changed
// size since is an error (the next build sees the new file), not a corrupt
// layer.
func copyFile(w io.Writer, e entry) error {
	f, err := os.Open(e.src)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(w, io.LimitReader(f, e.size))
	if err != nil {
		return err
	}
	if n != e.size {
		return fmt.Errorf("%s changed while it was being read (%d bytes, want %d): save it again", e.src, n, e.size)
	}
	return nil
}

package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// Files is the part of the Docker engine API that reads and writes files in
// a node container.
type Files interface {
	CopyFromContainer(ctx context.Context, id, src string) (io.ReadCloser, container.PathStat, error)
	CopyToContainer(ctx context.Context, id, dst string, content io.Reader, opts container.CopyToContainerOptions) error
}

// NodeFS reads and writes files in a cluster's nodes, however the
// provider reaches them (the Docker API for kind, the minikube CLI).
type NodeFS interface {
	// ReadFile returns a file's content, or "" when it does not exist.
	ReadFile(ctx context.Context, node, file string) (string, error)
	// WriteFiles writes files (paths relative to dir) into dir, creating
	// the directories they need.
	WriteFiles(ctx context.Context, node, dir string, files map[string]string) error
}

// EnsureNodeHosts writes the registry's hosts.toml files into a node where
// they are missing or differ, and reports whether it wrote. containerd
// reads them on every pull, so no restart is needed.
func EnsureNodeHosts(ctx context.Context, fs NodeFS, node string, s Spec) (bool, error) {
	want := HostsFiles(s)
	same := true
	for rel, body := range want {
		got, err := fs.ReadFile(ctx, node, path.Join(CertsDir, rel))
		if err != nil {
			return false, err
		}
		if got != body {
			same = false
			break
		}
	}
	if same {
		return false, nil
	}
	if err := fs.WriteFiles(ctx, node, CertsDir, want); err != nil {
		return false, fmt.Errorf("writing registry configuration into node %s: %w", node, err)
	}
	return true, nil
}

// ContainerFS is NodeFS for nodes that are Docker containers, through the
// engine's copy API (no exec, no shell needed in the node).
type ContainerFS struct{ Docker Files }

// WriteFiles copies files into a container as one archive.
func (c ContainerFS) WriteFiles(ctx context.Context, node, dir string, files map[string]string) error {
	archive, err := tarOf(path.Base(dir), files)
	if err != nil {
		return err
	}
	return c.Docker.CopyToContainer(ctx, node, path.Dir(dir), archive, container.CopyToContainerOptions{})
}

// ReadFile returns the content of a regular file in a container, or "" when
// it does not exist.
func (c ContainerFS) ReadFile(ctx context.Context, id, file string) (string, error) {
	d := c.Docker
	rc, _, err := d.CopyFromContainer(ctx, id, file)
	if cerrdefs.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s in node %s: %w", file, id, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		return "", fmt.Errorf("reading %s in node %s: %w", file, id, err)
	}
	var b strings.Builder
	if _, err := io.Copy(&b, tr); err != nil {
		return "", fmt.Errorf("reading %s in node %s: %w", file, id, err)
	}
	return b.String(), nil
}

// tarOf archives files (relative paths) under dir, with their directories.
func tarOf(dir string, files map[string]string) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	dirs := map[string]bool{}
	addDir := func(d string) error {
		if dirs[d] {
			return nil
		}
		dirs[d] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755})
	}
	if err := addDir(dir); err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := addDir(path.Join(dir, path.Dir(n))); err != nil {
			return nil, err
		}
		body := files[n]
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(dir, n), Mode: 0o644, Size: int64(len(body))}); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, body); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

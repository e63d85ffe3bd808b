package dockerx

import (
	"context"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/jsonmessage"
)

// Images is the part of the Docker engine API that finds and pulls images.
type Images interface {
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	ImagePull(ctx context.Context, ref string, opts image.PullOptions) (io.ReadCloser, error)
}

// HasImage reports whether the engine holds ref.
func HasImage(ctx context.Context, d Images, ref string) (bool, error) {
	_, err := d.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("looking up image %s: %w", ref, err)
	}
	return true, nil
}

// Pull fetches ref, returning the registry's own error when the pull fails
// part-way (the engine reports those inside the progress stream).
func Pull(ctx context.Context, d Images, ref string) error {
	rc, err := d.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return err
	}
	defer rc.Close()
	return jsonmessage.DisplayJSONMessagesStream(rc, io.Discard, 0, false, nil)
}

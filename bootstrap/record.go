package bootstrap

import (
	"context"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
	"github.com/kubox-dev/kubox/registry"
)

// LabelExpires marks when an ephemeral cluster may be reaped (RFC 3339).
const LabelExpires = "dev.kubox.expires"

const labelProvider = "dev.kubox.provider"

// Volumes is the part of the Docker engine API that keeps cluster records.
type Volumes interface {
	VolumeCreate(ctx context.Context, opts volume.CreateOptions) (volume.Volume, error)
	VolumeList(ctx context.Context, opts volume.ListOptions) (volume.ListResponse, error)
	VolumeRemove(ctx context.Context, id string, force bool) error
}

// A cluster's record is an empty Docker volume whose labels say that kubox
// made the cluster and, for ephemeral clusters, when it expires. kind makes
// the node containers and takes no labels for them; the record is a Docker
// object of kubox's own that `kubox prune` finds even when the process that
// made the cluster died before it could delete it. It is written before
// the cluster is created.
func recordName(cluster string) string { return "kubox-" + cluster + "-record" }

func (b *Bootstrapper) writeRecord(ctx context.Context, s Spec) error {
	labels := map[string]string{registry.LabelManaged: "true", registry.LabelCluster: s.Name, labelProvider: s.Provider}
	if !s.Expires.IsZero() {
		labels[LabelExpires] = s.Expires.UTC().Format(time.RFC3339)
	}
	if _, err := b.Docker.VolumeCreate(ctx, volume.CreateOptions{Name: recordName(s.Name), Labels: labels}); err != nil {
		return fmt.Errorf("recording cluster %q: %w", s.Name, err)
	}
	return nil
}

func (b *Bootstrapper) removeRecord(ctx context.Context, cluster string) error {
	err := b.Docker.VolumeRemove(ctx, recordName(cluster), true)
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing the record of cluster %q: %w", cluster, err)
	}
	return nil
}

// record is one cluster's record.
type record struct {
	cluster  string
	provider string
	expires  time.Time // zero: never
}

func (b *Bootstrapper) records(ctx context.Context) ([]record, error) {
	list, err := b.Docker.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", registry.LabelManaged+"=true"), filters.Arg("label", registry.LabelCluster))})
	if err != nil {
		return nil, fmt.Errorf("listing cluster records: %w", err)
	}
	var out []record
	for _, v := range list.Volumes {
		r := record{cluster: v.Labels[registry.LabelCluster], provider: v.Labels[labelProvider]}
		if r.provider == "" {
			r.provider = ProviderKind
		}
		if e := v.Labels[LabelExpires]; e != "" {
			r.expires, _ = time.Parse(time.RFC3339, e)
		}
		out = append(out, r)
	}
	return out, nil
}

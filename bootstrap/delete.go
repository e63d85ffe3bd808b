package bootstrap

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/kubox-dev/kubox/registry"
)

// DeleteResult says what Delete removed and what it kept.
type DeleteResult struct {
	Existed bool
	Removed []string
	Kept    []string
}

// Delete removes the cluster and its kube context. Volumes in the storage
// directory and the registry (shared by every kubox cluster) are kept, unless
// purge is set: then the cluster's volumes go too, and the registry and its
// images go when no other kubox cluster remains.
func (b *Bootstrapper) Delete(ctx context.Context, spec Spec, purge bool) (DeleteResult, error) {
	s, err := spec.Resolved()
	if err != nil {
		return DeleteResult{}, err
	}
	res, err := b.deleteCluster(ctx, s, purge)
	if err != nil || !purge {
		if err == nil {
			res.Kept = append(res.Kept, "registry "+s.Registry.Host()+" and its images")
		}
		return res, err
	}
	others, err := b.kuboxClusters(ctx)
	if err != nil {
		return res, err
	}
	others = slices.DeleteFunc(others, func(n string) bool { return n == s.Name })
	if len(others) > 0 {
		res.Kept = append(res.Kept, fmt.Sprintf("registry %s: clusters %v still use it", s.Registry.Host(), others))
		return res, nil
	}
	reg, err := registry.Inspect(ctx, b.Docker, s.Registry)
	if err != nil {
		return res, err
	}
	if reg.Exists && !reg.Managed {
		res.Kept = append(res.Kept, fmt.Sprintf("container %q: kubox did not create it", s.Registry.Name))
		return res, nil
	}
	_, dataErr := os.Stat(s.Registry.DataDir)
	if reg.Exists || dataErr == nil {
		if _, err := registry.Remove(ctx, b.Docker, s.Registry, true); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, "registry "+s.Registry.Host()+" and its images in "+s.Registry.DataDir)
	}
	// The data directory goes too once nothing is left in it.
	_ = os.Remove(filepath.Join(s.DataDir, "clusters"))
	_ = os.Remove(s.DataDir)
	return res, nil
}

// DeleteEphemeral removes a cluster with its volumes and its record, and
// leaves the shared registry alone: the end of a `kubox ci run`.
func (b *Bootstrapper) DeleteEphemeral(ctx context.Context, spec Spec) (DeleteResult, error) {
	s, err := spec.Resolved()
	if err != nil {
		return DeleteResult{}, err
	}
	return b.deleteCluster(ctx, s, true)
}

// deleteCluster removes the cluster, its kube context and its record, and
// with purge its volumes.
func (b *Bootstrapper) deleteCluster(ctx context.Context, s Spec, purge bool) (DeleteResult, error) {
	var res DeleteResult
	p, err := b.provider(s)
	if err != nil {
		return res, err
	}
	nodes, err := p.Nodes(ctx, s)
	if err != nil {
		return res, err
	}
	for _, n := range nodes {
		if !n.Managed {
			return res, fmt.Errorf("cluster %q was not created by kubox, so kubox leaves it alone: delete it with %s", s.Name, foreignDelete(s))
		}
	}
	res.Existed = len(nodes) > 0
	if res.Existed {
		if purge {
			if err := p.ClearVolumes(ctx, s, nodes); err != nil {
				b.Log.Debug("clearing volumes inside the node", "err", err)
			}
		}
		step := b.Progress.Start("deleting cluster %q", s.Name)
		if err := p.Delete(ctx, s, nodes); err != nil {
			step.Fail()
			return res, fmt.Errorf("deleting cluster %q: %w", s.Name, err)
		}
		step.Done(fmt.Sprintf("deleted cluster %q", s.Name))
		res.Removed = append(res.Removed, fmt.Sprintf("cluster %q and kube context %q", s.Name, s.Context()))
	}
	if err := b.removeRecord(ctx, s.Name); err != nil {
		return res, err
	}
	clusterDir := filepath.Dir(s.StorageDir())
	if !purge {
		if _, err := os.Stat(s.StorageDir()); err == nil {
			res.Kept = append(res.Kept, "volumes in "+s.StorageDir())
		}
		return res, nil
	}
	if _, err := os.Stat(clusterDir); err == nil {
		if err := os.RemoveAll(clusterDir); err != nil {
			return res, fmt.Errorf("removing volumes: %w (remove %s by hand, with sudo if a pod wrote files as root)", err, clusterDir)
		}
		res.Removed = append(res.Removed, "volumes in "+clusterDir)
	}
	return res, nil
}

// foreignDelete is how a user deletes a cluster kubox did not create.
func foreignDelete(s Spec) string {
	if s.Provider == ProviderMinikube {
		return fmt.Sprintf("`minikube delete -p %s`", s.Name)
	}
	return fmt.Sprintf("`kind delete cluster --name %s`", s.Name)
}

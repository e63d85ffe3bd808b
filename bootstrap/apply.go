package bootstrap

import (
	"context"
	"fmt"
	"time"

	"github.com/kubox-dev/kubox/internal/dockerx"
	"github.com/kubox-dev/kubox/registry"
)

// Result is what Apply changed and what exists afterwards.
type Result struct {
	Status Status
	// Changes describes each change, in order; empty when everything was
	// already in place.
	Changes []string
	Elapsed time.Duration
}

// Apply creates or converges the cluster, the registry and the storage that
// spec describes. Everything that could stop it (a foreign container in the
// way, a taken port, a missing image) is checked before anything is created.
// Cancelling ctx while the cluster is being created removes the half-made
// cluster.
func (b *Bootstrapper) Apply(ctx context.Context, spec Spec) (Result, error) {
	start := time.Now()
	s, err := spec.Resolved()
	if err != nil {
		return Result{}, err
	}
	p, err := b.provider(s)
	if err != nil {
		return Result{}, err
	}
	nodes, err := p.Nodes(ctx, s)
	if err != nil {
		return Result{}, err
	}
	reg, err := registry.Inspect(ctx, b.Docker, s.Registry)
	if err != nil {
		return Result{}, err
	}
	if err := b.preflight(ctx, s, nodes, reg); err != nil {
		return Result{}, err
	}

	var changes []string
	changed := func(since time.Time, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		changes = append(changes, msg)
		b.Progress.Note("✓ %s (%s)", msg, time.Since(since).Round(time.Millisecond))
	}

	if len(nodes) == 0 {
		if err := b.writeRecord(ctx, s); err != nil {
			return Result{}, err
		}
		step := b.Progress.Start("creating %s cluster %q from %s", p.Name(), s.Name, s.NodeImage)
		if err := p.Create(ctx, s); err != nil {
			step.Fail()
			if ctx.Err() != nil {
				// Cancelled: the half-made cluster is gone, so is its record.
				_ = b.removeRecord(context.WithoutCancel(ctx), s.Name)
			}
			return Result{}, err
		}
		step.Done(fmt.Sprintf("created cluster %q", s.Name))
		changes = append(changes, fmt.Sprintf("created cluster %q", s.Name))
		b.Progress.Note("  kube context %q is now current (in %s)", s.Context(), kubeconfigPath(s.Kubeconfig))
		if nodes, err = p.Nodes(ctx, s); err != nil {
			return Result{}, err
		}
	}

	t := time.Now()
	unlock, err := lockMachine(ctx, s.DataDir)
	if err != nil {
		return Result{Changes: changes}, err
	}
	regChanges, err := registry.Ensure(ctx, b.Docker, s.Registry)
	unlock()
	for _, c := range regChanges {
		changed(t, "%s", c)
	}
	if err != nil {
		return Result{Changes: changes}, err
	}
	for _, n := range nodes {
		t := time.Now()
		wrote, err := registry.EnsureNodeHosts(ctx, p.Files(s), n.Name, s.Registry)
		if err != nil {
			return Result{Changes: changes}, err
		}
		if wrote {
			changed(t, "wired node %s to the registry", n.Name)
		}
	}

	kube, err := b.clusterClient(ctx, p, s)
	if err != nil {
		return Result{Changes: changes}, err
	}
	t = time.Now()
	if ok, err := registry.EnsureHosting(ctx, kube.CoreV1(), s.Registry); err != nil {
		return Result{Changes: changes}, err
	} else if ok {
		changed(t, "published the registry in %s/%s", registry.HostingNamespace, registry.HostingName)
	}
	t = time.Now()
	if ok, err := ensureRetainClass(ctx, kube.StorageV1()); err != nil {
		return Result{Changes: changes}, err
	} else if ok {
		changed(t, "created StorageClass %s (volumes in %s)", RetainClassName, s.StorageDir())
	}
	if !hasContext(s.Kubeconfig, s.Context()) {
		t = time.Now()
		if err := p.ExportKubeConfig(ctx, s); err != nil {
			return Result{Changes: changes}, fmt.Errorf("writing kube context %q: %w", s.Context(), err)
		}
		changed(t, "restored kube context %q and made it current (in %s)", s.Context(), kubeconfigPath(s.Kubeconfig))
	}

	if err := b.waitNodesReady(ctx, kube, len(nodes), s.Wait); err != nil {
		return Result{Changes: changes}, err
	}

	st, err := b.status(ctx, s)
	if err != nil {
		return Result{Changes: changes}, err
	}
	return Result{Status: st, Changes: changes, Elapsed: time.Since(start)}, nil
}

// preflight returns the first reason Apply cannot succeed, pulling what
// images it will need so that nothing is created only to fail later.
func (b *Bootstrapper) preflight(ctx context.Context, s Spec, nodes []Node, reg registry.State) error {
	for _, n := range nodes {
		if !n.Managed {
			return fmt.Errorf("a %s cluster named %q exists that kubox did not create: choose another name with --name, or delete it with %s", s.Provider, s.Name, foreignDelete(s))
		}
		if !n.Running {
			return fmt.Errorf("node %s of cluster %q is not running: start it with `docker start %s`, or re-create the cluster with `kubox down --name %s && kubox up --name %s` (volumes and images are kept)", n.Name, s.Name, n.Name, s.Name, s.Name)
		}
	}
	if reg.Exists && !reg.Managed {
		return fmt.Errorf("a container named %q exists that kubox did not create: remove or rename it (docker rm -f %s), then retry", s.Registry.Name, s.Registry.Name)
	}
	if err := registry.CheckPort(reg, s.Registry); err != nil {
		return err
	}
	if len(nodes) == 0 && s.Provider == ProviderKind {
		// minikube pulls its own base image, and says so when it cannot.
		if err := b.ensureImage(ctx, s.NodeImage, "KUBOX_NODE_IMAGE (or --node-image)"); err != nil {
			return err
		}
	}
	if !reg.Exists || reg.Drift != "" {
		return b.ensureImage(ctx, s.Registry.Image, "KUBOX_REGISTRY_IMAGE")
	}
	return nil
}

func (b *Bootstrapper) ensureImage(ctx context.Context, ref, setting string) error {
	ok, err := dockerx.HasImage(ctx, b.Docker, ref)
	if err != nil || ok {
		return err
	}
	step := b.Progress.Start("pulling %s", ref)
	if err := dockerx.Pull(ctx, b.Docker, ref); err != nil {
		step.Fail()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("image %s is not on this machine and could not be pulled (%v): on a machine without internet access, load an image with `docker load` and point %s at it; see \"Air-gapped machines\" in the README", ref, err, setting)
	}
	step.Done("pulled " + ref)
	return nil
}

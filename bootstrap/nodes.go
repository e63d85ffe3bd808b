package bootstrap

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// kind's labels on its node containers.
const (
	kindClusterLabel = "io.x-k8s.kind.cluster"
	kindRoleLabel    = "io.x-k8s.kind.role"
)

// Node is a kind node as Docker sees it.
type Node struct {
	ID      string
	Name    string
	Cluster string
	Role    string
	Running bool
	// Managed: the node mounts kubox's storage, so kubox created the cluster.
	Managed bool
}

// listNodes returns the node containers of cluster name, or of every kind
// cluster when name is empty. One Docker API call, no kind CLI round trips.
func listNodes(ctx context.Context, d Docker, name string) ([]Node, error) {
	label := kindClusterLabel
	if name != "" {
		label += "=" + name
	}
	list, err := d.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", label))})
	if err != nil {
		return nil, fmt.Errorf("listing cluster nodes: %w", err)
	}
	nodes := make([]Node, 0, len(list))
	for _, c := range list {
		n := Node{
			ID:      c.ID,
			Cluster: c.Labels[kindClusterLabel],
			Role:    c.Labels[kindRoleLabel],
			Running: c.State == "running",
		}
		if len(c.Names) > 0 {
			n.Name = strings.TrimPrefix(c.Names[0], "/")
		}
		for _, m := range c.Mounts {
			n.Managed = n.Managed || m.Destination == storageMount
		}
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, nil
}

// kuboxClusters returns the names of the kubox clusters on this machine:
// the kind clusters that mount kubox's storage, and every cluster kubox
// keeps a record of (any provider).
func (b *Bootstrapper) kuboxClusters(ctx context.Context) ([]string, error) {
	nodes, err := listNodes(ctx, b.Docker, "")
	if err != nil {
		return nil, err
	}
	recs, err := b.records(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, n := range nodes {
		if n.Managed {
			add(n.Cluster)
		}
	}
	for _, r := range recs {
		add(r.cluster)
	}
	return names, nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitNodesReady shows progress while waiting for want nodes to be Ready,
// and nothing when they already are.
func (b *Bootstrapper) waitNodesReady(ctx context.Context, c kubernetes.Interface, want int, timeout time.Duration) error {
	if list, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil {
		n := 0
		for i := range list.Items {
			if nodeReady(&list.Items[i]) {
				n++
			}
		}
		if n >= want {
			return nil
		}
	}
	step := b.Progress.Start("waiting for %d node(s) to be Ready", want)
	if err := waitNodesReady(ctx, c, want, timeout); err != nil {
		step.Fail()
		return err
	}
	step.Done(fmt.Sprintf("%d node(s) Ready", want))
	return nil
}

// waitNodesReady watches the cluster's nodes until want of them are Ready.
func waitNodesReady(parent context.Context, c kubernetes.Interface, want int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	ready := map[string]bool{}
	done := func() bool {
		n := 0
		for _, r := range ready {
			if r {
				n++
			}
		}
		return n >= want
	}
	lw := cache.NewListWatchFromClient(c.CoreV1().RESTClient(), "nodes", "", fields.Everything())
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(ev watch.Event) (bool, error) {
		n, ok := ev.Object.(*corev1.Node)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			delete(ready, n.Name)
		} else {
			ready[n.Name] = nodeReady(n)
		}
		return done(), nil
	})
	if err == nil {
		return nil
	}
	if parent.Err() != nil {
		return parent.Err()
	}
	if ctx.Err() == nil {
		return fmt.Errorf("watching nodes: %w", err)
	}
	var waiting []string
	for n, r := range ready {
		if !r {
			waiting = append(waiting, n)
		}
	}
	sort.Strings(waiting)
	return fmt.Errorf("nodes not Ready after %s (waiting for %v): see `kubectl describe nodes`, or raise --wait", timeout, waiting)
}

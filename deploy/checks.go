package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/kubox-dev/kubox/build"
	"github.com/kubox-dev/kubox/charts"
	"github.com/kubox-dev/kubox/profiles"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

const gpuResource = corev1.ResourceName("nvidia.com/gpu")

// Preflight reports, before anything is built, what cannot work on the
// target cluster: what the profile asks that the cluster cannot give, and
// what works on a laptop only.
func (s *Shipper) Preflight(ctx context.Context, p *profiles.Profile) error {
	problems := portability(p, s.Env)
	nodes, err := s.Deployer.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("reading the cluster's nodes: %w", err)
	}
	requests, err := podRequests(p)
	if err != nil {
		return err
	}
	problems = append(problems, capacity(p, requests, nodes.Items)...)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s cannot be deployed to %s:\n  - %s", p.Name, s.Deployer.Target.Context, strings.Join(problems, "\n  - "))
}

// portability lists what only works on this machine, for a cluster that is
// not a local one.
func portability(p *profiles.Profile, env Env) []string {
	if env.Local {
		return nil
	}
	var problems []string
	if build.IsLocal(env.Registry.Pull) {
		problems = append(problems, fmt.Sprintf("the nodes would pull from %s, a name of this machine: pass --registry (and --pull-registry if the nodes name it differently) with a registry the cluster reaches", env.Registry.Pull))
	}
	if img := p.Runtime.Image; img != "" {
		if build.IsLocal(img) {
			problems = append(problems, fmt.Sprintf("runtime.image %s is on this machine: push it to a registry the cluster reaches and name it there", img))
		}
		if ref, err := name.ParseReference(img); err == nil {
			if tag, ok := ref.(name.Tag); ok && (tag.TagStr() == "latest" || !strings.Contains(strings.TrimPrefix(img, ref.Context().RegistryStr()), ":")) {
				problems = append(problems, fmt.Sprintf("runtime.image %s has no pinned version (latest): pin a tag or digest so production runs what was tested", img))
			}
		}
	}
	return problems
}

// podRequests are the CPU, memory and GPUs one pod asks for: the profile's,
// else the chart's defaults.
func podRequests(p *profiles.Profile) (corev1.ResourceList, error) {
	c, err := charts.ModelServing()
	if err != nil {
		return nil, err
	}
	defaults, _ := c.Values["resources"].(map[string]any)["requests"].(map[string]any)
	req := corev1.ResourceList{}
	for res, given := range map[corev1.ResourceName]string{corev1.ResourceCPU: p.Serving.Resources.CPU, corev1.ResourceMemory: p.Serving.Resources.Memory} {
		q := given
		if q == "" {
			q, _ = defaults[string(res)].(string)
		}
		if q != "" {
			req[res] = resource.MustParse(q)
		}
	}
	if g := p.Serving.Resources.GPU; g > 0 {
		req[gpuResource] = *resource.NewQuantity(int64(g), resource.DecimalSI)
	}
	return req, nil
}

// capacity lists what the profile asks that the cluster's nodes cannot
// give: GPUs where no node has them, pods that fit on no node, more
// replicas than all the nodes hold together, a node selector no node
// matches. It reads allocatable capacity, not current use: a full cluster
// is the scheduler's to report.
func capacity(p *profiles.Profile, req corev1.ResourceList, nodes []corev1.Node) []string {
	var eligible []corev1.Node
	sel := labels.SelectorFromSet(p.Serving.NodeSelector)
	for _, n := range nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			eligible = append(eligible, n)
		}
	}
	if len(eligible) == 0 {
		return []string{fmt.Sprintf("no node has the labels serving.nodeSelector asks for (%v): label a node, or change the selector", p.Serving.NodeSelector)}
	}
	var problems []string
	if gpu, ok := req[gpuResource]; ok {
		has := false
		for _, n := range eligible {
			if a, ok := n.Status.Allocatable[gpuResource]; ok && a.Cmp(gpu) >= 0 {
				has = true
			}
		}
		if !has {
			problems = append(problems, fmt.Sprintf("each pod asks for %s nvidia.com/gpu, but no node offers that many: deploy to a cluster with GPU nodes, or set serving.resources.gpu: 0 to run on CPU", gpu.String()))
		}
	}
	replicas := int64(max(p.Serving.Replicas, 1))
	if a := p.Serving.Autoscaling; a != nil {
		replicas = int64(max(a.MinReplicas, 1))
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		want, ok := req[res]
		if !ok {
			continue
		}
		var total, largest resource.Quantity
		for _, n := range eligible {
			a := n.Status.Allocatable[res]
			total.Add(a)
			if a.Cmp(largest) > 0 {
				largest = a
			}
		}
		if want.Cmp(largest) > 0 {
			problems = append(problems, fmt.Sprintf("each pod asks for %s %s, but the largest node offers %s: lower serving.resources.%s", want.String(), res, largest.String(), res))
			continue
		}
		all := want.DeepCopy()
		all.Mul(replicas)
		if all.Cmp(total) > 0 {
			problems = append(problems, fmt.Sprintf("%d replicas x %s %s = %s, but the nodes offer %s in all: lower serving.replicas or serving.resources.%s", replicas, want.String(), res, all.String(), total.String(), res))
		}
	}
	return problems
}

package bootstrap

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// PruneResult lists the clusters Prune removed (or would remove) and why.
type PruneResult struct {
	Pruned []Pruned `json:"pruned"`
	DryRun bool     `json:"dryRun"`
}

// Pruned is one cluster Prune removed.
type Pruned struct {
	Cluster string `json:"cluster"`
	Reason  string `json:"reason"`
}

// Prune removes the ephemeral clusters (`kubox ci run`) that expired, and
// those whose process died half-way (a record without a running cluster),
// with their volumes. Clusters from `kubox up` carry no expiry and are
// never pruned; the shared registry and its images stay.
func (b *Bootstrapper) Prune(ctx context.Context, spec Spec, dryRun bool, now time.Time) (PruneResult, error) {
	res := PruneResult{DryRun: dryRun}
	recs, err := b.records(ctx)
	if err != nil {
		return res, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].cluster < recs[j].cluster })
	for _, r := range recs {
		if r.expires.IsZero() {
			continue // a cluster from `kubox up`: its user decides
		}
		s := spec
		s.Name, s.Provider = r.cluster, r.provider
		p, err := b.provider(s)
		if err != nil {
			return res, err
		}
		nodes, err := p.Nodes(ctx, s)
		if err != nil {
			return res, err
		}
		running := len(nodes) > 0
		for _, n := range nodes {
			running = running && n.Running
		}
		var reason string
		switch {
		case now.After(r.expires):
			reason = fmt.Sprintf("expired %s ago", now.Sub(r.expires).Round(time.Second))
		case !running:
			reason = "orphaned: no running cluster behind its record"
		default:
			continue
		}
		res.Pruned = append(res.Pruned, Pruned{Cluster: r.cluster, Reason: reason})
		if dryRun {
			continue
		}
		if _, err := b.DeleteEphemeral(ctx, s); err != nil {
			return res, fmt.Errorf("pruning cluster %q: %w", r.cluster, err)
		}
	}
	return res, nil
}

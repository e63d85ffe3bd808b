package deploy

import (
	"context"
	"fmt"

	"github.com/kubox-dev/kubox/charts"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Render returns the manifests a deploy of values as release name in
// namespace would apply, without a cluster: for review, GitOps and tests.
func Render(ctx context.Context, name, namespace string, values map[string]any) (string, error) {
	c, err := charts.ModelServing()
	if err != nil {
		return "", err
	}
	in := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	in.ReleaseName, in.Namespace = name, namespace
	in.DryRun, in.ClientOnly = true, true
	// Helm's client-only default is Kubernetes 1.20; kubox targets current clusters.
	in.KubeVersion = &chartutil.KubeVersion{Version: "v1.37.0", Major: "1", Minor: "37"}
	rel, err := in.RunWithContext(ctx, c, values)
	if err != nil {
		return "", fmt.Errorf("rendering the model-serving chart: %w", err)
	}
	return rel.Manifest, nil
}

package charts

import (
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
)

// TestLint runs `helm lint` on the chart's source directory, with the values a deploy passes
// at the least and with every option on: no warnings and no errors, only information.
func TestLint(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vals, err := chartutil.ReadValues([]byte(tc.values))
			if err != nil {
				t.Fatalf("parsing values: %v", err)
			}
			linter := lint.All(modelServingRoot, vals.AsMap(), "models", false)
			for _, m := range linter.Messages {
				if m.Severity > support.InfoSev {
					t.Errorf("helm lint: %s", m)
				} else {
					t.Logf("helm lint: %s", m)
				}
			}
		})
	}
}

package charts

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// TestRestrictedPodSecurity runs every golden case's pod template through the checks the Pod
// Security admission controller itself runs, at the restricted level of the newest policy
// version, so a namespace labelled pod-security.kubernetes.io/enforce=restricted admits them.
func TestRestrictedPodSecurity(t *testing.T) {
	t.Parallel()
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatalf("policy.NewEvaluator() error = %v", err)
	}
	level := api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rel, err := render(t, "iris", tc.values)
			if err != nil {
				t.Fatalf("render() error = %v", err)
			}
			var pods int
			for _, o := range decodeManifest(t, rel.Manifest) {
				d, ok := o.obj.(*appsv1.Deployment)
				if !ok {
					continue
				}
				pods++
				result := policy.AggregateCheckResults(evaluator.EvaluatePod(level, &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec))
				if !result.Allowed {
					t.Errorf("Deployment %s pods violate the restricted Pod Security Standard: %s", d.Name, result.ForbiddenDetail())
				}
			}
			if pods == 0 {
				t.Fatal("no Deployment rendered: nothing was checked")
			}
		})
	}
}

// TestRestrictedPodSecurityCatchesViolations proves the check above can fail: a pod template
// stripped of its hardening must be refused.
func TestRestrictedPodSecurityCatchesViolations(t *testing.T) {
	t.Parallel()
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatalf("policy.NewEvaluator() error = %v", err)
	}
	rel, err := render(t, "iris", minimalValues)
	if err != nil {
		t.Fatalf("render() error = %v", err)
	}
	for _, o := range decodeManifest(t, rel.Manifest) {
		d, ok := o.obj.(*appsv1.Deployment)
		if !ok {
			continue
		}
		spec := d.Spec.Template.Spec.DeepCopy()
		spec.SecurityContext = nil
		spec.Containers[0].SecurityContext = nil
		result := policy.AggregateCheckResults(evaluator.EvaluatePod(
			api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, &d.Spec.Template.ObjectMeta, spec))
		if result.Allowed {
			t.Error("EvaluatePod() allowed a pod with no security context, want it refused")
		}
	}
}

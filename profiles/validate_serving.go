package profiles

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

func (p *parser) checkServing(s *Serving) {
	if p.has("serving.replicas") && s.Replicas < 1 {
		p.errorf("serving.replicas", "want at least 1, got %d", s.Replicas)
	}
	if p.has("serving.port") {
		p.checkPort("serving.port", s.Port)
	}
	p.checkResources(s.Resources)
	if s.Autoscaling != nil {
		p.checkAutoscaling(s.Autoscaling)
	}
	if l := s.InferenceLog; l != nil && p.has("serving.inferenceLog.size") {
		p.quantity("serving.inferenceLog.size", l.Size, true)
		if !l.Enabled {
			p.warnf("serving.inferenceLog.size", "has no effect while serving.inferenceLog.enabled is false")
		}
	}
	for _, k := range sortedKeys(s.NodeSelector) {
		path := fmt.Sprintf("serving.nodeSelector[%q]", k)
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			p.errorAt(p.keys[path], path, "%q is not a label key: %s", k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(s.NodeSelector[k]); len(errs) > 0 {
			p.errorf(path, "%q is not a label value: %s", s.NodeSelector[k], strings.Join(errs, "; "))
		}
		if k == "kubernetes.io/hostname" {
			p.warnf(path, "pins the model to one node of one cluster; select on a label that production nodes share")
		}
	}
	for i, t := range s.Tolerations {
		p.checkToleration(fmt.Sprintf("serving.tolerations[%d]", i), t)
	}
}

func (p *parser) checkResources(r Resources) {
	pairs := []struct {
		request, limit string
		req, lim       string
		bytes          bool
	}{
		{"cpu", "cpuLimit", r.CPU, r.CPULimit, false},
		{"memory", "memoryLimit", r.Memory, r.MemoryLimit, true},
	}
	for _, pair := range pairs {
		reqPath, limPath := "serving.resources."+pair.request, "serving.resources."+pair.limit
		var req, lim resource.Quantity
		reqOK := p.has(reqPath)
		if reqOK {
			req, reqOK = p.quantity(reqPath, pair.req, pair.bytes)
		}
		limOK := p.has(limPath)
		if limOK {
			lim, limOK = p.quantity(limPath, pair.lim, pair.bytes)
		}
		if reqOK && limOK && lim.Cmp(req) < 0 {
			p.errorf(limPath, "%s is below the request %s: %s; Kubernetes rejects a limit under its request", pair.lim, pair.request, pair.req)
		}
	}
	if p.has("serving.resources.gpu") && r.GPU < 0 {
		p.errorf("serving.resources.gpu", "want 0 or more, got %d", r.GPU)
	}
}

// quantity parses a Kubernetes quantity that must be more than zero and,
// for bytes, whole: "512m" of memory is half a byte, never what was meant.
func (p *parser) quantity(path, s string, bytes bool) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(s)
	switch {
	case err != nil:
		p.errorf(path, "%q is not a Kubernetes quantity; write it like 500m, 2 or 1Gi", s)
		return q, false
	case q.Sign() <= 0:
		p.errorf(path, "want more than zero, got %q", s)
		return q, false
	case bytes && resource.NewQuantity(q.Value(), resource.BinarySI).Cmp(q) != 0:
		hint := ""
		if n, ok := strings.CutSuffix(s, "m"); ok {
			hint = fmt.Sprintf(" (m means thousandths; did you mean %sMi?)", n)
		}
		p.errorf(path, "%q is not a whole number of bytes%s", s, hint)
		return q, false
	}
	return q, true
}

func (p *parser) checkAutoscaling(a *Autoscaling) {
	const path = "serving.autoscaling"
	lowest := 1
	if p.has(path + ".minReplicas") {
		if a.MinReplicas < 1 {
			p.errorf(path+".minReplicas", "want at least 1, got %d", a.MinReplicas)
		} else {
			lowest = a.MinReplicas
		}
	}
	if p.has(path+".maxReplicas") && a.MaxReplicas < lowest {
		p.errorf(path+".maxReplicas", "want at least minReplicas (%d), got %d", lowest, a.MaxReplicas)
	}
	if p.has(path+".targetCPU") && a.TargetCPU < 1 {
		p.errorf(path+".targetCPU", "want a percentage of at least 1, got %d", a.TargetCPU)
	}
	if p.has("serving.replicas") {
		p.warnf("serving.replicas", "is ignored while serving.autoscaling is set: the autoscaler keeps the count between minReplicas and maxReplicas")
	}
	if !p.has("serving.resources.cpu") {
		p.warnf(path, "the autoscaler measures CPU against serving.resources.cpu, which is not set, so it cannot scale; set a CPU request")
	}
}

func (p *parser) checkToleration(path string, t Toleration) {
	if !p.has(path) {
		return
	}
	switch t.Operator {
	case "", "Equal":
		if t.Key == "" {
			p.errorf(path+".key", "required unless operator is Exists (an empty key with Exists tolerates every taint)")
		}
		if t.Value != "" {
			if errs := validation.IsValidLabelValue(t.Value); len(errs) > 0 {
				p.errorf(path+".value", "%q is not a taint value: %s", t.Value, strings.Join(errs, "; "))
			}
		}
	case "Exists":
		if t.Value != "" {
			p.errorf(path+".value", "must be empty when operator is Exists")
		}
	default:
		p.errorf(path+".operator", "unknown operator %q%s", t.Operator, choiceHint(t.Operator, []string{"Equal", "Exists"}))
	}
	if t.Key != "" {
		if errs := validation.IsQualifiedName(t.Key); len(errs) > 0 {
			p.errorf(path+".key", "%q is not a taint key: %s", t.Key, strings.Join(errs, "; "))
		}
	}
	switch t.Effect {
	case "", "NoSchedule", "PreferNoSchedule", "NoExecute":
	default:
		p.errorf(path+".effect", "unknown effect %q%s", t.Effect, choiceHint(t.Effect, []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}))
	}
}

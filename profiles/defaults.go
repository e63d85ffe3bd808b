package profiles

import (
	"fmt"
	"path/filepath"
)

// The defaults, documented on the fields they fill.
const (
	defaultReplicas    = 1
	defaultPort        = 8080
	defaultMinReplicas = 1
	defaultTargetCPU   = 80
	defaultLogSize     = "1Gi"
	defaultTolerance   = 1e-4
	defaultOperator    = "Equal"
)

// applyDefaults fills what the profile left out and makes its paths
// absolute against dir. It runs only on a valid profile, so a zero value
// here always means "not written", except where presence is asked.
func (p *parser) applyDefaults(pr *Profile, dir string) {
	pr.Dir = dir
	pr.Model.Path = absolute(dir, pr.Model.Path)
	r := &pr.Runtime
	if r.Dockerfile != "" {
		r.Dockerfile = absolute(dir, r.Dockerfile)
		r.Context = absolute(dir, r.Context) // "" resolves to dir itself
	}

	s := &pr.Serving
	if s.Replicas == 0 {
		s.Replicas = defaultReplicas
	}
	if s.Port == 0 {
		s.Port = defaultPort
	}
	if !r.Builtin() && r.Port == 0 {
		r.Port = s.Port
	}
	if a := s.Autoscaling; a != nil {
		if a.MinReplicas == 0 {
			a.MinReplicas = defaultMinReplicas
		}
		if a.TargetCPU == 0 {
			a.TargetCPU = defaultTargetCPU
		}
	}
	if l := s.InferenceLog; l != nil && l.Size == "" {
		l.Size = defaultLogSize
	}
	for i := range s.Tolerations {
		if s.Tolerations[i].Operator == "" {
			s.Tolerations[i].Operator = defaultOperator
		}
	}
	for i := range pr.Samples {
		// 0 is a valid tolerance (exact match), so ask whether it was written.
		if !p.has(fmt.Sprintf("samples[%d].tolerance", i)) {
			pr.Samples[i].Tolerance = defaultTolerance
		}
	}
}

func absolute(dir, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(dir, path)
}

package deploy

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kubox-dev/kubox/profiles"
)

// Values returns the model-serving chart values for a profile whose image
// is image (repository@digest) on the cluster env describes. Only what the
// profile says is set, and the chart's defaults fill the rest; from the
// environment come the image's registry, the pull secret, the inference
// log's storage class and the ingress, nothing else.
func Values(p *profiles.Profile, image string, env Env) map[string]any {
	repo, digest, _ := strings.Cut(image, "@")
	s := p.Serving
	v := map[string]any{
		"model":    map[string]any{"name": p.Name},
		"image":    map[string]any{"repository": repo, "digest": digest},
		"port":     serverPort(p),
		"service":  map[string]any{"port": s.Port},
		"replicas": s.Replicas,
	}
	requests, limits := map[string]any{}, map[string]any{}
	put := func(m map[string]any, k, q string) {
		if q != "" {
			m[k] = q
		}
	}
	put(requests, "cpu", s.Resources.CPU)
	put(requests, "memory", s.Resources.Memory)
	put(limits, "cpu", s.Resources.CPULimit)
	put(limits, "memory", s.Resources.MemoryLimit)
	if s.Resources.Memory != "" && s.Resources.MemoryLimit == "" {
		// A request alone could exceed the chart's default limit; a memory
		// limit equal to the request is what production charts set anyway.
		limits["memory"] = s.Resources.Memory
	}
	if len(requests)+len(limits) > 0 {
		v["resources"] = map[string]any{"requests": requests, "limits": limits}
	}
	if s.Resources.GPU > 0 {
		v["gpu"] = s.Resources.GPU
	}
	if len(s.NodeSelector) > 0 {
		v["nodeSelector"] = toAny(s.NodeSelector)
	}
	if len(s.Tolerations) > 0 {
		var ts []any
		for _, t := range s.Tolerations {
			m := map[string]any{}
			put(m, "key", t.Key)
			put(m, "operator", t.Operator)
			put(m, "value", t.Value)
			put(m, "effect", t.Effect)
			ts = append(ts, m)
		}
		v["tolerations"] = ts
	}
	if a := s.Autoscaling; a != nil {
		v["autoscaling"] = map[string]any{"enabled": true, "minReplicas": a.MinReplicas, "maxReplicas": a.MaxReplicas, "targetCPUUtilizationPercentage": a.TargetCPU}
	}
	if s.Replicas > 1 || s.Autoscaling != nil {
		v["pdb"] = map[string]any{"enabled": true}
	}
	if l := s.InferenceLog; l != nil && l.Enabled {
		v["inferenceLog"] = map[string]any{"enabled": true, "size": l.Size, "storageClassName": env.StorageClass}
	}
	if env.PullSecret != "" {
		v["imagePullSecrets"] = []any{env.PullSecret}
	}
	if env.IngressHost != "" {
		v["ingress"] = map[string]any{"enabled": true, "host": env.IngressHost, "className": env.IngressClass}
	}
	r := p.Runtime
	var vars []any
	// The server listens where the chart's probes and Service look.
	vars = append(vars, map[string]any{"name": "KUBOX_PORT", "value": strconv.Itoa(serverPort(p))})
	if r.Builtin() {
		// The built-in server runs the samples before it reports ready.
		if len(p.Samples) > 0 {
			js, _ := json.Marshal(Samples(p))
			vars = append(vars, map[string]any{"name": "KUBOX_SAMPLES", "value": string(js)})
		}
	}
	for _, e := range r.Env {
		vars = append(vars, map[string]any{"name": e.Name, "value": e.Value})
	}
	v["env"] = vars
	if len(r.Command) > 0 {
		v["command"] = toAnySlice(r.Command)
	}
	if len(r.Args) > 0 {
		v["args"] = toAnySlice(r.Args)
	}
	return v
}

// serverPort is where the server listens in the pod.
func serverPort(p *profiles.Profile) int {
	if !p.Runtime.Builtin() && p.Runtime.Port != 0 {
		return p.Runtime.Port
	}
	return p.Serving.Port
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Samples turns a profile's samples into protocol requests.
func Samples(p *profiles.Profile) []Sample {
	out := make([]Sample, 0, len(p.Samples))
	for _, s := range p.Samples {
		out = append(out, Sample{Name: s.Name, Request: SampleRequest(s), Expect: expectations(s), Tolerance: s.Tolerance})
	}
	return out
}

// SampleRequest encodes a profile sample as an inference request. BOOL
// values, written 0 and 1 in profiles, travel as JSON booleans.
func SampleRequest(s profiles.Sample) []byte {
	type tensor struct {
		Name     string  `json:"name"`
		Datatype string  `json:"datatype"`
		Shape    []int64 `json:"shape"`
		Data     any     `json:"data"`
	}
	req := struct {
		ID     string   `json:"id"`
		Inputs []tensor `json:"inputs"`
	}{ID: s.Name}
	for _, in := range s.Inputs {
		var data any = in.Data
		if in.Datatype == profiles.DatatypeBool {
			b := make([]bool, len(in.Data))
			for i, x := range in.Data {
				b[i] = x != 0
			}
			data = b
		}
		req.Inputs = append(req.Inputs, tensor{in.Name, in.Datatype, in.Shape, data})
	}
	out, _ := json.Marshal(req)
	return out
}

func expectations(s profiles.Sample) map[string][]float64 {
	m := make(map[string][]float64, len(s.Expect))
	for _, o := range s.Expect {
		m[o.Name] = o.Data
	}
	return m
}

package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Sample is an inference request with the outputs it must give. kubox
// serve runs a model's samples before it reports ready, so a version that
// answers wrongly never receives traffic; deploys run them again through
// the cluster.
type Sample struct {
	Name string `json:"name"`
	// Request is an inference request (JSON).
	Request json.RawMessage `json:"request"`
	// Expect maps output names to their values; empty only checks that the
	// request succeeds.
	Expect map[string][]float64 `json:"expect,omitempty"`
	// Tolerance is the largest absolute difference between a value and its
	// expectation.
	Tolerance float64 `json:"tolerance"`
}

// Check compares a response with the sample's expectations.
func (s Sample) Check(r Response) error {
	names := make([]string, 0, len(s.Expect))
	for n := range s.Expect {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := s.Expect[name]
		var got *ResponseTensor
		for i := range r.Outputs {
			if r.Outputs[i].Name == name {
				got = &r.Outputs[i]
			}
		}
		if got == nil {
			return fmt.Errorf("no output %q in the response", name)
		}
		if len(got.Data) != len(want) {
			return fmt.Errorf("output %q has %d values, want %d", name, len(got.Data), len(want))
		}
		for i := range want {
			if d := math.Abs(got.Data[i] - want[i]); !(d <= s.Tolerance) {
				return fmt.Errorf("output %q[%d] = %v, want %v (tolerance %g)", name, i, got.Data[i], want[i], s.Tolerance)
			}
		}
	}
	return nil
}

// SelfCheck runs samples against m through the server's own request path,
// before the server reports ready.
func (s *Server) SelfCheck(ctx context.Context, m Model, samples []Sample) error {
	for _, sample := range samples {
		status, body, _ := s.run(ctx, m, bytes.NewReader(sample.Request))
		r, err := decodeResponse(status, body)
		if err == nil {
			err = sample.Check(r)
		}
		if err != nil {
			return fmt.Errorf("sample %q: %w", sample.Name, err)
		}
	}
	return nil
}

// decodeResponse turns a status and body into a Response, or the server's
// error.
func decodeResponse(status int, body []byte) (Response, error) {
	if status != 200 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return Response{Raw: body}, fmt.Errorf("status %d: %s", status, e.Error)
		}
		return Response{Raw: body}, fmt.Errorf("status %d: %s", status, bytes.TrimSpace(body))
	}
	r := Response{Raw: body}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("decoding the inference response: %w", err)
	}
	for i := range r.Outputs {
		o := &r.Outputs[i]
		var err error
		if o.Data, err = flatten(o.RawData, o.Datatype, 0); err != nil {
			return r, fmt.Errorf("output %q: %w", o.Name, err)
		}
	}
	return r, nil
}

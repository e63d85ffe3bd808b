package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// inferRequest is the Open Inference Protocol v2 inference request.
type inferRequest struct {
	ID         string          `json:"id,omitempty"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Inputs     []requestTensor `json:"inputs"`
	Outputs    []struct {
		Name string `json:"name"`
	} `json:"outputs,omitempty"`
}

type requestTensor struct {
	Name       string          `json:"name"`
	Shape      []int64         `json:"shape"`
	Datatype   Datatype        `json:"datatype"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// maxExactInt is the largest integer a float64 holds exactly.
const maxExactInt = 1 << 53

// decodeTensor turns a request tensor into a Tensor, checking that its data
// fits its shape and datatype. Data may be flat or nested row-major arrays.
func decodeTensor(rt requestTensor) (Tensor, error) {
	t := Tensor{Name: rt.Name, Datatype: rt.Datatype, Shape: rt.Shape}
	if rt.Name == "" {
		return t, errors.New("an input has no name")
	}
	for _, d := range rt.Shape {
		if d < 0 {
			return t, fmt.Errorf("input %q: shape %v has a negative dimension", rt.Name, rt.Shape)
		}
	}
	switch rt.Datatype {
	case BOOL, INT32, INT64, FP32, FP64:
	default:
		return t, fmt.Errorf("input %q: datatype %q is not supported: use one of BOOL, INT32, INT64, FP32, FP64", rt.Name, rt.Datatype)
	}
	data, err := flatten(rt.Data, rt.Datatype, int(t.Elements()))
	if err != nil {
		return t, fmt.Errorf("input %q: %w", rt.Name, err)
	}
	if int64(len(data)) != t.Elements() {
		return t, fmt.Errorf("input %q: %d values, but shape %v holds %d", rt.Name, len(data), rt.Shape, t.Elements())
	}
	t.Data = data
	return t, nil
}

// flatten decodes row-major data: the common flat numeric array on a fast
// path, anything else (nested arrays, booleans) on a general one.
func flatten(raw json.RawMessage, dt Datatype, hint int) ([]float64, error) {
	if len(raw) == 0 {
		return nil, errors.New("no data")
	}
	out := make([]float64, 0, hint)
	if dt != BOOL {
		if err := json.Unmarshal(raw, &out); err == nil {
			return out, checkValues(out, dt)
		}
		out = out[:0]
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("data is not valid JSON: %w", err)
	}
	out, err := appendFlat(out, v, dt)
	if err != nil {
		return nil, err
	}
	return out, checkValues(out, dt)
}

func appendFlat(out []float64, v any, dt Datatype) ([]float64, error) {
	switch x := v.(type) {
	case []any:
		var err error
		for _, e := range x {
			if out, err = appendFlat(out, e, dt); err != nil {
				return nil, err
			}
		}
		return out, nil
	case bool:
		if dt != BOOL {
			return nil, fmt.Errorf("data holds a boolean, but the datatype is %s", dt)
		}
		if x {
			return append(out, 1), nil
		}
		return append(out, 0), nil
	case json.Number:
		if dt == BOOL {
			return nil, errors.New("data holds a number, but the datatype is BOOL")
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, fmt.Errorf("data holds %s, which is not a number", x)
		}
		return append(out, f), nil
	default:
		return nil, fmt.Errorf("data holds %v, want numbers or booleans in arrays", v)
	}
}

func checkValues(data []float64, dt Datatype) error {
	for _, v := range data {
		switch dt {
		case INT32:
			if v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
				return fmt.Errorf("%v is not an INT32", v)
			}
		case INT64:
			if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
				return fmt.Errorf("%v is not an INT64 kubox serves exactly (|v| <= 2^53)", v)
			}
		case FP32:
			if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
				return fmt.Errorf("%v overflows FP32", v)
			}
		}
	}
	return nil
}

// appendTensorJSON writes one response tensor, formatting each value as its
// datatype prints it (FP32 values with float32 precision, so 0.1 stays 0.1).
func appendTensorJSON(b []byte, t Tensor) []byte {
	b = append(b, `{"name":`...)
	b = strconv.AppendQuote(b, t.Name)
	b = append(b, `,"datatype":"`...)
	b = append(b, t.Datatype...)
	b = append(b, `","shape":[`...)
	for i, d := range t.Shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, d, 10)
	}
	b = append(b, `],"data":[`...)
	for i, v := range t.Data {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValue(b, v, t.Datatype)
	}
	return append(b, "]}"...)
}

func appendValue(b []byte, v float64, dt Datatype) []byte {
	switch {
	case dt == BOOL:
		return strconv.AppendBool(b, v != 0)
	case dt == INT32 || dt == INT64:
		return strconv.AppendInt(b, int64(v), 10)
	case math.IsNaN(v) || math.IsInf(v, 0):
		// JSON has no NaN; null keeps the response parseable and the position.
		return append(b, "null"...)
	case dt == FP32:
		return strconv.AppendFloat(b, v, 'g', -1, 32)
	default:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
}

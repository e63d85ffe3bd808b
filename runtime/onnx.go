package runtime

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/advancedclimatesystems/gonnx"
	"github.com/advancedclimatesystems/gonnx/onnx"
	"gorgonia.org/tensor"
)

// onnxOpset is the only ONNX opset gonnx v1.1.0 runs.
const onnxOpset = 13

// onnxModel runs an ONNX graph with gonnx, in pure Go.
//
// gonnx keeps the graph's initializers as tensors it hands to every run,
// and some of its operators reshape their inputs in place: Conv reshapes its
// bias (addBias), RNN, GRU and LSTM their initial state. With a shared
// initializer the second run of a Conv fails ("Cannot reshape (1, 2, 1, 1)
// into [1 1 1 1]") and concurrent runs race. So kubox strips the
// initializers from the graph gonnx sees and feeds each run new tensor
// headers over the same data: no copy, and nothing a run reshapes outlives
// it.
type onnxModel struct {
	model   *gonnx.Model
	consts  []onnxConst
	inputs  []TensorSpec
	outputs []TensorSpec

	// run admits one Run at a time: gonnx does not say it is safe for
	// concurrent use, and its operators are many. A channel rather than a
	// mutex lets a cancelled request stop waiting.
	run chan struct{}
}

// onnxConst is an initializer: its shape and its backing slice (or, for a
// scalar, its value).
type onnxConst struct {
	name  string
	shape []int
	data  any
}

// tensor returns a new header over the initializer's data.
func (c onnxConst) tensor() tensor.Tensor {
	if len(c.shape) == 0 {
		return tensor.New(tensor.FromScalar(c.data))
	}
	return tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(c.data))
}

var _ Model = (*onnxModel)(nil)

// decodeONNX reads an ONNX model and checks, before any request, that
// gonnx can run every node of it.
func decodeONNX(data []byte) (m *onnxModel, err error) {
	// gonnx and gorgonia panic on some malformed graphs and tensors.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("the ONNX decoder failed: %v", r)
		}
	}()

	mp, err := gonnx.ModelProtoFromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("decoding protobuf: %w", err)
	}
	g := mp.GetGraph()
	if g == nil || len(g.GetNode()) == 0 {
		return nil, errors.New("the file holds no ONNX graph")
	}
	if v := defaultOpset(mp); v != onnxOpset {
		return nil, fmt.Errorf("%w: the model uses ONNX opset %d and the built-in runtime runs opset %d only: export with opset %d (torch.onnx.export(..., opset_version=%d), skl2onnx target_opset=%d), or use a custom runtime",
			errUnsupported, v, onnxOpset, onnxOpset, onnxOpset, onnxOpset)
	}
	m = &onnxModel{run: make(chan struct{}, 1)}
	isConst := make(map[string]bool)
	for _, tp := range g.GetInitializer() {
		t, err := onnx.TensorFromProto(tp)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", tp.GetName(), err)
		}
		c := onnxConst{name: tp.GetName(), shape: t.Shape().Clone(), data: t.Data()}
		if len(c.shape) == 0 {
			c.data = firstElement(c.data)
		}
		m.consts = append(m.consts, c)
		isConst[c.name] = true
	}
	g.Initializer = nil
	if m.model, err = gonnx.NewModel(mp); err != nil {
		return nil, fmt.Errorf("building the graph: %w", err)
	}
	if err := checkOperators(m.model, g); err != nil {
		return nil, err
	}

	for _, vi := range g.GetInput() {
		// Models from older exporters list their initializers as inputs too.
		if isConst[vi.GetName()] {
			continue
		}
		spec, err := valueSpec(vi)
		if err != nil {
			return nil, fmt.Errorf("input %w", err)
		}
		m.inputs = append(m.inputs, spec)
	}
	for _, vi := range g.GetOutput() {
		spec, err := valueSpec(vi)
		if err != nil {
			return nil, fmt.Errorf("output %w", err)
		}
		m.outputs = append(m.outputs, spec)
	}
	return m, nil
}

// defaultOpset is the version of the default ("" or "ai.onnx") domain the
// model imports.
func defaultOpset(mp *onnx.ModelProto) int64 {
	for _, imp := range mp.GetOpsetImport() {
		if d := imp.GetDomain(); d == "" || d == "ai.onnx" {
			return imp.GetVersion()
		}
	}
	return 0
}

// checkOperators fails on the operators, or operator attributes, gonnx
// lacks, so that a model that cannot run fails to load instead of failing
// every request.
func checkOperators(model *gonnx.Model, g *onnx.GraphProto) error {
	missing := make(map[string]bool)
	for _, n := range g.GetNode() {
		name := n.GetOpType()
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			missing[d+"."+name] = true
			continue
		}
		op, err := model.GetOperator(name)
		if err != nil {
			missing[name] = true
			continue
		}
		if err := op.Init(n); err != nil {
			return fmt.Errorf("%w: node %q (%s): %w: export the model without it, or use a custom runtime", errUnsupported, n.GetName(), name, err)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, len(missing))
	for name := range missing {
		names = append(names, name)
	}
	sort.Strings(names)
	return fmt.Errorf("%w operators %s: the built-in runtime runs a subset of opset %d; export the model without them, or use a custom runtime",
		errUnsupported, strings.Join(names, ", "), onnxOpset)
}

// valueSpec describes a graph input or output. A dimension without a
// fixed size (a dim_param such as "N", or none) is -1.
func valueSpec(vi *onnx.ValueInfoProto) (TensorSpec, error) {
	tt := vi.GetType().GetTensorType()
	if tt == nil {
		return TensorSpec{}, fmt.Errorf("%q is not a tensor: %w: the built-in runtime serves tensors only", vi.GetName(), errUnsupported)
	}
	dt, ok := onnxDatatype(tt.GetElemType())
	if !ok {
		return TensorSpec{}, fmt.Errorf("%q has element type %s: %w: the built-in runtime serves FLOAT, DOUBLE, INT32, INT64 and BOOL; cast it in the graph",
			vi.GetName(), onnx.TensorProto_DataType(tt.GetElemType()), errUnsupported)
	}
	if tt.GetShape() == nil {
		return TensorSpec{}, fmt.Errorf("%q has no shape in the graph: export it with a shape (dynamic axes are fine)", vi.GetName())
	}
	shape := make([]int64, 0, len(tt.GetShape().GetDim()))
	for _, d := range tt.GetShape().GetDim() {
		size := d.GetDimValue()
		if size <= 0 {
			size = -1
		}
		shape = append(shape, size)
	}
	return TensorSpec{Name: vi.GetName(), Datatype: dt, Shape: shape}, nil
}

func onnxDatatype(elem int32) (Datatype, bool) {
	switch onnx.TensorProto_DataType(elem) {
	case onnx.TensorProto_FLOAT:
		return FP32, true
	case onnx.TensorProto_DOUBLE:
		return FP64, true
	case onnx.TensorProto_INT32:
		return INT32, true
	case onnx.TensorProto_INT64:
		return INT64, true
	case onnx.TensorProto_BOOL:
		return BOOL, true
	}
	return "", false
}

// looksLikeONNX reports whether data decodes as an ONNX model with a graph.
func looksLikeONNX(data []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	mp, err := gonnx.ModelProtoFromBytes(data)
	return err == nil && mp.GetIrVersion() > 0 && len(mp.GetGraph().GetNode()) > 0
}

// Inputs are the graph's inputs, less its initializers.
func (m *onnxModel) Inputs() []TensorSpec { return m.inputs }

// Outputs are the graph's outputs.
func (m *onnxModel) Outputs() []TensorSpec { return m.outputs }

// Infer runs the graph once for the whole batch.
func (m *onnxModel) Infer(ctx context.Context, inputs []Tensor) ([]Tensor, error) {
	// select below picks at random among ready cases; a request cancelled
	// before it starts must not run.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	feed := make(gonnx.Tensors, len(m.inputs)+len(m.consts))
	for _, spec := range m.inputs {
		in, ok := tensorNamed(inputs, spec.Name)
		if !ok {
			return nil, fmt.Errorf("no input tensor named %q: the model takes %s", spec.Name, onnxInputNames(m.inputs))
		}
		t, err := toGonnx(spec.Datatype, in)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", spec.Name, err)
		}
		feed[spec.Name] = t
	}

	for _, c := range m.consts {
		feed[c.name] = c.tensor()
	}

	select {
	case m.run <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out, err := m.runGraph(feed)
	<-m.run
	if err != nil {
		return nil, err
	}

	result := make([]Tensor, 0, len(m.outputs))
	for _, spec := range m.outputs {
		t, ok := out[spec.Name]
		if !ok || t == nil {
			return nil, fmt.Errorf("the graph computed no output %q", spec.Name)
		}
		r, err := fromGonnx(spec.Name, t)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", spec.Name, err)
		}
		result = append(result, r)
	}
	return result, nil
}

func (m *onnxModel) runGraph(feed gonnx.Tensors) (out gonnx.Tensors, err error) {
	// gorgonia panics where it meets shapes it cannot handle.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("running the ONNX graph: %v", r)
		}
	}()
	out, err = m.model.Run(feed)
	if err != nil {
		return nil, fmt.Errorf("running the ONNX graph: %w", err)
	}
	return out, nil
}

func tensorNamed(ts []Tensor, name string) (Tensor, bool) {
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

func onnxInputNames(specs []TensorSpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = fmt.Sprintf("%q", s.Name)
	}
	return strings.Join(names, ", ")
}

// toGonnx converts t to a tensor of the Go type the graph declares.
func toGonnx(dt Datatype, t Tensor) (tensor.Tensor, error) {
	if int64(len(t.Data)) != t.Elements() {
		return nil, fmt.Errorf("%d values for shape %v", len(t.Data), t.Shape)
	}
	var backing any
	switch dt {
	case FP32:
		backing = convertSlice(t.Data, func(v float64) float32 { return float32(v) })
	case FP64:
		backing = append([]float64(nil), t.Data...)
	case INT32:
		backing = convertSlice(t.Data, func(v float64) int32 { return int32(v) })
	case INT64:
		backing = convertSlice(t.Data, func(v float64) int64 { return int64(v) })
	case BOOL:
		backing = convertSlice(t.Data, func(v float64) bool { return v != 0 })
	default:
		return nil, fmt.Errorf("datatype %s is not served", dt)
	}
	if len(t.Shape) == 0 {
		return tensor.New(tensor.FromScalar(firstElement(backing))), nil
	}
	shape := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int(d)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)), nil
}

func convertSlice[From, To any](data []From, f func(From) To) []To {
	out := make([]To, len(data))
	for i, v := range data {
		out[i] = f(v)
	}
	return out
}

// firstElement returns a slice's first element, or v itself if it is not
// a slice.
func firstElement(v any) any {
	switch b := v.(type) {
	case []float32:
		return b[0]
	case []float64:
		return b[0]
	case []int32:
		return b[0]
	case []int64:
		return b[0]
	case []bool:
		return b[0]
	}
	return v
}

// fromGonnx converts a graph output back to a Tensor.
func fromGonnx(name string, t tensor.Tensor) (Tensor, error) {
	// A transposed or sliced result is a view whose Data is the whole
	// backing array, in the wrong order.
	if v, ok := t.(tensor.View); ok && v.IsMaterializable() {
		t = v.Materialize()
	}
	r := Tensor{Name: name, Shape: make([]int64, len(t.Shape()))}
	for i, d := range t.Shape() {
		r.Shape[i] = int64(d)
	}
	switch d := t.Data().(type) {
	case []float32:
		r.Datatype, r.Data = FP32, convertSlice(d, func(v float32) float64 { return float64(v) })
	case []float64:
		r.Datatype, r.Data = FP64, append([]float64(nil), d...)
	case []int32:
		r.Datatype, r.Data = INT32, convertSlice(d, func(v int32) float64 { return float64(v) })
	case []int64:
		r.Datatype, r.Data = INT64, convertSlice(d, func(v int64) float64 { return float64(v) })
	case []bool:
		r.Datatype, r.Data = BOOL, convertSlice(d, func(v bool) float64 { return boolToFloat(v) })
	case float32:
		r.Datatype, r.Data = FP32, []float64{float64(d)}
	case float64:
		r.Datatype, r.Data = FP64, []float64{d}
	case int32:
		r.Datatype, r.Data = INT32, []float64{float64(d)}
	case int64:
		r.Datatype, r.Data = INT64, []float64{float64(d)}
	case bool:
		r.Datatype, r.Data = BOOL, []float64{boolToFloat(d)}
	default:
		return Tensor{}, fmt.Errorf("the graph computed %s values, which kubox does not serve: cast the output to FLOAT, DOUBLE, INT32, INT64 or BOOL in the graph", t.Dtype())
	}
	if int64(len(r.Data)) != r.Elements() {
		return Tensor{}, fmt.Errorf("the graph computed %d values for shape %v", len(r.Data), r.Shape)
	}
	return r, nil
}

func boolToFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

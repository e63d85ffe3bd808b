package runtime

import (
	"context"
	"fmt"
)

// Datatype is an Open Inference Protocol tensor datatype.
type Datatype string

// The datatypes the built-in server accepts and returns.
const (
	BOOL  Datatype = "BOOL"
	INT32 Datatype = "INT32"
	INT64 Datatype = "INT64"
	FP32  Datatype = "FP32"
	FP64  Datatype = "FP64"
)

// Tensor is one named input or output of an inference request. Data holds
// the elements in row-major order as float64, whatever the datatype: every
// value of the supported datatypes a model consumes converts without loss
// (INT64 beyond ±2^53 is rejected when a request is decoded). Datatype says
// how the values are typed on the wire and for the model.
type Tensor struct {
	Name     string
	Datatype Datatype
	Shape    []int64
	Data     []float64
}

// Elements is the number of elements Shape describes.
func (t Tensor) Elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// TensorSpec describes a model's input or output. A dimension of -1 accepts
// any size (usually the batch).
type TensorSpec struct {
	Name     string
	Datatype Datatype
	Shape    []int64
}

// Model is a loaded model.
type Model interface {
	// Inputs and Outputs describe the model's tensors, in the model's order.
	Inputs() []TensorSpec
	Outputs() []TensorSpec
	// Infer runs the model. The caller has checked each input against
	// Inputs: present, of the right datatype, and of a matching shape.
	Infer(ctx context.Context, inputs []Tensor) ([]Tensor, error)
}

// Formats kubox serves without a custom runtime.
const (
	FormatONNX    = "onnx"
	FormatXGBoost = "xgboost"
)

// CheckShape reports whether shape matches spec: same rank, and equal sizes
// where spec's size is not -1.
func CheckShape(spec, shape []int64) error {
	if len(spec) != len(shape) {
		return fmt.Errorf("shape %v has rank %d, want rank %d (%v)", shape, len(shape), len(spec), spec)
	}
	for i := range spec {
		if spec[i] >= 0 && spec[i] != shape[i] {
			return fmt.Errorf("shape %v does not match %v", shape, spec)
		}
		if shape[i] < 0 {
			return fmt.Errorf("shape %v has a negative dimension", shape)
		}
	}
	return nil
}

package scaffold

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"

	"github.com/kubox-dev/kubox/runtime"
)

// samples holds copies of testdata/models/iris-{xgboost,onnx}: go:embed
// cannot reach the repository's testdata, and a test keeps the copies
// byte-identical to the fixtures.
//
//go:embed samples
var samples embed.FS

// sampleModel is the iris classifier init writes for a format.
type sampleModel struct {
	file     string // the model's name under ./model
	data     []byte
	request  []tensor // the first row of the fixture's inputs
	expected []tensor // the outputs the libraries computed for that row
}

// tensor is a tensor as the fixtures' expected.json holds it.
type tensor struct {
	Name     string    `json:"name"`
	Datatype string    `json:"datatype"`
	Shape    []int64   `json:"shape"`
	Data     []float64 `json:"data"`
}

func sampleDir(format string) string { return path.Join("samples", "iris-"+format) }

func sampleFile(format string) string {
	if format == runtime.FormatONNX {
		return "model.onnx"
	}
	return "model.json"
}

// loadSample reads the embedded sample of format and takes its first row:
// the request a deploy sends and the answer it must get.
func loadSample(format string) (sampleModel, error) {
	dir := sampleDir(format)
	s := sampleModel{file: sampleFile(format)}
	var err error
	if s.data, err = samples.ReadFile(path.Join(dir, s.file)); err != nil {
		return s, fmt.Errorf("no sample model for format %q: %w", format, err)
	}
	raw, err := samples.ReadFile(path.Join(dir, "expected.json"))
	if err != nil {
		return s, err
	}
	var fixture struct {
		Inputs  []tensor `json:"inputs"`
		Outputs []tensor `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &fixture); err != nil {
		return s, fmt.Errorf("reading %s/expected.json: %w", dir, err)
	}
	for _, t := range fixture.Inputs {
		s.request = append(s.request, firstRow(t))
	}
	for _, t := range fixture.Outputs {
		s.expected = append(s.expected, firstRow(t))
	}
	return s, nil
}

// firstRow is t's first entry along the batch dimension, still batched:
// shape [6 4] gives shape [1 4] and its first 4 values.
func firstRow(t tensor) tensor {
	if len(t.Shape) == 0 || t.Shape[0] == 0 {
		return t
	}
	per := int64(1)
	for _, d := range t.Shape[1:] {
		per *= d
	}
	shape := append([]int64{1}, t.Shape[1:]...)
	return tensor{Name: t.Name, Datatype: t.Datatype, Shape: shape, Data: t.Data[:per]}
}

package scaffold

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/kubox-dev/kubox/runtime"
)

// maxSampleValues bounds the zeros written into kubox.yaml: an image
// model's [1 3 224 224] input would otherwise put 150,528 of them there.
const maxSampleValues = 4096

// adopt plans a profile for the model the user already has: it loads the
// model, as the server will, to learn its inputs, and asks it for zeros of
// that shape.
func (p *plan) adopt(name string, c candidate) (profileData, error) {
	full := filepath.Join(p.dir, filepath.FromSlash(c.rel))
	m, err := runtime.Load(c.format, full)
	if err != nil {
		return profileData{}, fmt.Errorf("adopting %s as an %s model: %w", c.rel, c.format, err)
	}
	p.res.Format, p.res.Adopted = c.format, c.rel
	d := profileData{Name: name, Format: c.format}
	if dir, base := path.Split(c.rel); dir == "" {
		d.Path = "./" + base // a model file beside kubox.yaml
	} else {
		d.Path = "./" + strings.TrimSuffix(dir, "/")
		if base != sampleFile(c.format) {
			// The server would look for model.onnx or model.json, or
			// guess; naming the file leaves nothing to guess.
			d.File = base
		}
	}

	s := sampleData{Name: "zeros", Tolerance: defaultTolerance}
	total := int64(0)
	for _, in := range m.Inputs() {
		shape, n := batchOfOne(in.Shape)
		total += n
		if total > maxSampleValues {
			d.NoSample = "the model's inputs take too many values to write here"
			p.res.Notes = append(p.res.Notes, "kubox.yaml has no sample request, because the model's inputs take more than "+
				fmt.Sprint(maxSampleValues)+" values: add one, or `kubox predict` needs --data")
			return d, nil
		}
		s.Inputs = append(s.Inputs, tensor{Name: in.Name, Datatype: string(in.Datatype), Shape: shape, Data: make([]float64, n)})
	}
	if len(s.Inputs) == 0 {
		d.NoSample = "the model takes no inputs"
		return d, nil
	}
	d.Samples = []sampleData{s}
	return d, nil
}

// batchOfOne is the shape of a request of batch size 1 for a model input
// of shape spec: every dimension the model leaves open (-1) is 1. n is the
// number of values; it stops growing past maxSampleValues, so that no
// shape overflows it.
func batchOfOne(spec []int64) (shape []int64, n int64) {
	shape = make([]int64, len(spec))
	n = 1
	for i, d := range spec {
		if d < 0 {
			d = 1
		}
		shape[i] = d
		if d > maxSampleValues {
			d = maxSampleValues + 1 // as good as any larger size, and no overflow
		}
		n = min(n*d, maxSampleValues+1)
	}
	return shape, n
}

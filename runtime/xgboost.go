package runtime

import (
	"context"
	"fmt"
	"math"
)

// xgbTransform turns the summed margins of a row into its prediction.
type xgbTransform int

const (
	xgbIdentity xgbTransform = iota
	xgbSigmoid
	xgbExp
	xgbHinge
	xgbSoftprob
	xgbSoftmaxIndex
)

// xgbLink is how XGBoost's ProbToMargin turns base_score, which it stores as
// the user gave it (a probability for logistic objectives, a mean for
// log-link ones), into a margin.
type xgbLink int

const (
	xgbLinkIdentity xgbLink = iota
	xgbLinkLogit
	xgbLinkLog
)

const xgbObjectives = "reg:squarederror, reg:squaredlogerror, reg:pseudohubererror, reg:absoluteerror, " +
	"reg:logistic, binary:logistic, binary:logitraw, binary:hinge, count:poisson, reg:gamma, reg:tweedie, " +
	"multi:softprob and multi:softmax"

// xgbObjective returns what the named objective does to margins and to
// base_score.
func xgbObjective(name string) (xgbTransform, xgbLink, bool) {
	switch name {
	case "reg:squarederror", "reg:linear", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror":
		return xgbIdentity, xgbLinkIdentity, true
	case "reg:logistic", "binary:logistic":
		return xgbSigmoid, xgbLinkLogit, true
	case "binary:logitraw":
		return xgbIdentity, xgbLinkLogit, true
	case "binary:hinge":
		return xgbHinge, xgbLinkIdentity, true
	case "count:poisson", "reg:gamma", "reg:tweedie":
		return xgbExp, xgbLinkLog, true
	case "multi:softprob":
		return xgbSoftprob, xgbLinkIdentity, true
	case "multi:softmax":
		return xgbSoftmaxIndex, xgbLinkIdentity, true
	}
	return 0, 0, false
}

// xgboostModel evaluates an XGBoost JSON model with a gbtree or dart
// booster. The trees are flattened into one struct of slices so that a
// prediction walks plain arrays and allocates nothing per node: node n of
// the forest is (feature[n], value[n], left[n], right[n], missing[n]), and
// children are indices into the same slices.
type xgboostModel struct {
	numFeature int
	numGroup   int       // margins per row: num_class, or 1
	baseMargin []float32 // per group, base_score already turned into a margin
	transform  xgbTransform
	inputs     []TensorSpec
	outputs    []TensorSpec

	roots []int32 // each tree's root node
	group []int32 // which margin each tree adds to

	feature []int32
	// value is the split threshold of an inner node and the leaf value
	// (times the dart weight) of a leaf.
	value   []float32
	left    []int32 // -1 marks a leaf
	right   []int32
	missing []int32 // left or right, where a missing (NaN) feature goes
}

var _ Model = (*xgboostModel)(nil)

// Inputs is one FP32 matrix named "input", a row per example.
func (m *xgboostModel) Inputs() []TensorSpec { return m.inputs }

// Outputs is "predict": FP32 [-1] per row, or [-1, num_class] for
// multi:softprob.
func (m *xgboostModel) Outputs() []TensorSpec { return m.outputs }

// Infer predicts like Booster.predict(output_margin=False). Features are
// compared as float32, as XGBoost stores them; NaN is a missing value.
// FP64 input is accepted and rounded to float32 the same way.
func (m *xgboostModel) Infer(ctx context.Context, inputs []Tensor) ([]Tensor, error) {
	var in *Tensor
	for i := range inputs {
		if inputs[i].Name == "input" {
			in = &inputs[i]
		}
	}
	if in == nil {
		return nil, fmt.Errorf("no input tensor named \"input\": send the features as \"input\", FP32, shape [rows, %d]", m.numFeature)
	}
	if err := CheckShape(m.inputs[0].Shape, in.Shape); err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	rows := int(in.Shape[0])
	if len(in.Data) != rows*m.numFeature {
		return nil, fmt.Errorf("input has %d values for shape %v", len(in.Data), in.Shape)
	}

	g := m.numGroup
	margin := make([]float32, rows*g)
	for r := 0; r < rows; r++ {
		// Checking every row would cost more than it saves.
		if r%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m.predictRow(in.Data[r*m.numFeature:(r+1)*m.numFeature], margin[r*g:(r+1)*g])
	}
	return []Tensor{m.finish(rows, margin)}, nil
}

// predictRow adds every tree's leaf to the row's margins in float32 and in
// tree order, as XGBoost's CPU predictor does, so sums round the same way.
func (m *xgboostModel) predictRow(row []float64, margin []float32) {
	copy(margin, m.baseMargin)
	feature, value, left, right, missing := m.feature, m.value, m.left, m.right, m.missing
	for t, n := range m.roots {
		for left[n] >= 0 {
			x := row[feature[n]]
			switch {
			case x != x: // NaN
				n = missing[n]
			case float32(x) < value[n]:
				n = left[n]
			default:
				n = right[n]
			}
		}
		margin[m.group[t]] += value[n]
	}
}

// finish applies the objective's transform to the margins.
func (m *xgboostModel) finish(rows int, margin []float32) Tensor {
	g := m.numGroup
	out := Tensor{Name: "predict", Datatype: FP32, Shape: []int64{int64(rows)}}
	switch m.transform {
	case xgbSoftprob:
		out.Shape = []int64{int64(rows), int64(g)}
		out.Data = make([]float64, rows*g)
		for r := 0; r < rows; r++ {
			xgbSoftmax(margin[r*g:(r+1)*g], out.Data[r*g:(r+1)*g])
		}
	case xgbSoftmaxIndex:
		out.Data = make([]float64, rows)
		for r := range out.Data {
			out.Data[r] = float64(xgbArgmax(margin[r*g : (r+1)*g]))
		}
	default:
		out.Data = make([]float64, rows)
		for r, x := range margin {
			out.Data[r] = float64(m.apply(x))
		}
	}
	return out
}

func (m *xgboostModel) apply(x float32) float32 {
	switch m.transform {
	case xgbSigmoid:
		return float32(1 / (1 + math.Exp(-float64(x))))
	case xgbExp:
		return float32(math.Exp(float64(x)))
	case xgbHinge:
		if x > 0 {
			return 1
		}
		return 0
	default:
		return x
	}
}

// xgbSoftmax writes the float32-rounded probabilities of margins to out.
func xgbSoftmax(margins []float32, out []float64) {
	top := margins[0]
	for _, x := range margins {
		if x > top {
			top = x
		}
	}
	var sum float64
	for i, x := range margins {
		out[i] = math.Exp(float64(x - top))
		sum += out[i]
	}
	for i := range out {
		out[i] = float64(float32(out[i] / sum))
	}
}

// xgbArgmax returns the first index of the largest margin, as XGBoost does.
func xgbArgmax(margins []float32) int {
	best := 0
	for i, x := range margins {
		if x > margins[best] {
			best = i
		}
	}
	return best
}

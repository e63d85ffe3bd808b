package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// The JSON that Booster.save_model writes. XGBoost writes most scalars as
// strings ("4", "5E-1", "[5E-1]" since 2.0), so they are decoded as text.
type (
	xgbFile struct {
		Learner struct {
			ModelParam struct {
				BaseScore  xgbText `json:"base_score"`
				NumClass   xgbText `json:"num_class"`
				NumFeature xgbText `json:"num_feature"`
				NumTarget  xgbText `json:"num_target"`
			} `json:"learner_model_param"`
			Objective struct {
				Name string `json:"name"`
			} `json:"objective"`
			Booster *xgbBooster `json:"gradient_booster"`
		} `json:"learner"`
	}
	xgbBooster struct {
		Name       string      `json:"name"`
		Model      *xgbTrees   `json:"model"`       // gbtree
		GBTree     *xgbBooster `json:"gbtree"`      // dart wraps a gbtree
		WeightDrop []xgbFloat  `json:"weight_drop"` // dart
	}
	xgbTrees struct {
		Param struct {
			NumTrees       xgbText `json:"num_trees"`
			SizeLeafVector xgbText `json:"size_leaf_vector"`
		} `json:"gbtree_model_param"`
		TreeInfo []int32   `json:"tree_info"`
		Trees    []xgbTree `json:"trees"`
	}
	xgbTree struct {
		Left        []int32    `json:"left_children"`
		Right       []int32    `json:"right_children"`
		SplitIndex  []int64    `json:"split_indices"`
		SplitCond   []xgbFloat `json:"split_conditions"`
		DefaultLeft []xgbBit   `json:"default_left"`
		SplitType   []int32    `json:"split_type"`
		Param       struct {
			SizeLeafVector xgbText `json:"size_leaf_vector"`
		} `json:"tree_param"`
	}
)

// xgbText accepts a JSON string or number and keeps its text.
type xgbText string

func (t *xgbText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = xgbText(s)
		return nil
	}
	*t = xgbText(b)
	return nil
}

func (t xgbText) int(name string, def int) (int, error) {
	if t == "" {
		return def, nil
	}
	n, err := strconv.Atoi(string(t))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s is %q, not a count", name, string(t))
	}
	return n, nil
}

// xgbFloat is a float32 that may also be "NaN", "Infinity" or
// "-Infinity", as quoteNonFinite rewrites XGBoost's bare literals.
type xgbFloat float32

func (f *xgbFloat) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) > 1 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*f = xgbFloat(v)
	return nil
}

// quoteNonFinite turns the NaN, Infinity and -Infinity that XGBoost's JSON
// writer emits, and JSON lacks, into strings that xgbFloat reads. Categorical
// splits, for one, have a NaN split condition.
func quoteNonFinite(data []byte) []byte {
	var out []byte // stays nil, and data is returned, if there is nothing to do
	last, inString, escaped := 0, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		var lit string
		for _, l := range []string{"NaN", "Infinity", "-Infinity"} {
			if c == l[0] && bytes.HasPrefix(data[i:], []byte(l)) {
				lit = l
				break
			}
		}
		if lit == "" {
			continue
		}
		out = append(out, data[last:i]...)
		out = append(append(append(out, '"'), lit...), '"')
		i += len(lit) - 1
		last = i + 1
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// xgbBit accepts 0/1 as XGBoost writes default_left, and true/false.
type xgbBit bool

func (b *xgbBit) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "1", "true":
		*b = true
	case "0", "false":
		*b = false
	default:
		return fmt.Errorf("default_left value %s is not 0 or 1", data)
	}
	return nil
}

// parseBaseScore reads base_score: "5E-1" (XGBoost 1.x), "[5E-1]" (2.0 and
// later), or one value per output "[1E-1,2E-1]".
func parseBaseScore(s string) ([]float32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []float32{0.5}, nil // XGBoost's default before it wrote one
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	var out []float32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("base_score %q is not a number", s)
		}
		out = append(out, float32(v))
	}
	return out, nil
}

// decodeXGBoost reads an XGBoost JSON model. Errors say what is wrong with
// the file; the caller adds which file and what to do.
func decodeXGBoost(data []byte) (*xgboostModel, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errNotXGBoostJSON
	}
	// UBJSON, which XGBoost 2.1 and later write for any name not ending in
	// .json, also opens with '{', then a length marker where JSON has '"'.
	if len(trimmed) > 1 && strings.IndexByte("iUIlL", trimmed[1]) >= 0 {
		return nil, fmt.Errorf("%w: it is XGBoost's binary UBJSON format", errNotXGBoostJSON)
	}
	var f xgbFile
	if err := json.Unmarshal(quoteNonFinite(data), &f); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotXGBoostJSON, err)
	}
	l := &f.Learner
	if l.Booster == nil || l.Objective.Name == "" {
		return nil, fmt.Errorf("%w: it has no learner.gradient_booster or learner.objective", errNotXGBoostJSON)
	}

	m := &xgboostModel{}
	var err error
	if m.numFeature, err = l.ModelParam.NumFeature.int("num_feature", 0); err != nil {
		return nil, err
	}
	numClass, err := l.ModelParam.NumClass.int("num_class", 0)
	if err != nil {
		return nil, err
	}
	if n, err := l.ModelParam.NumTarget.int("num_target", 1); err != nil {
		return nil, err
	} else if n > 1 {
		return nil, fmt.Errorf("%w: multi-output models (num_target=%d): train one model per target, or serve the model with a custom runtime", errUnsupported, n)
	}
	if m.numFeature == 0 {
		return nil, fmt.Errorf("num_feature is 0: the model was saved before training")
	}
	m.inputs = []TensorSpec{{Name: "input", Datatype: FP32, Shape: []int64{-1, int64(m.numFeature)}}}
	if err := m.setObjective(l.Objective.Name, numClass); err != nil {
		return nil, err
	}
	base, err := parseBaseScore(string(l.ModelParam.BaseScore))
	if err != nil {
		return nil, err
	}
	if m.baseMargin, err = m.margins(l.Objective.Name, base); err != nil {
		return nil, err
	}

	trees, weights, err := boosterTrees(l.Booster)
	if err != nil {
		return nil, err
	}
	// Every boosting round adds a tree per class, so a larger num_class
	// is a damaged file, and would size buffers from a number read there.
	if len(trees.Trees) < m.numGroup {
		return nil, fmt.Errorf("num_class is %d but the model has %d trees", m.numGroup, len(trees.Trees))
	}
	if err := m.addTrees(trees, weights); err != nil {
		return nil, err
	}
	return m, nil
}

var (
	errNotXGBoostJSON = errors.New("not an XGBoost JSON model")
	errUnsupported    = errors.New("unsupported")
)

func (m *xgboostModel) setObjective(name string, numClass int) error {
	t, _, ok := xgbObjective(name)
	if !ok {
		return fmt.Errorf("%w objective %q: kubox evaluates %s; serve the model with a custom runtime",
			errUnsupported, name, xgbObjectives)
	}
	m.transform, m.numGroup = t, 1
	multi := t == xgbSoftprob || t == xgbSoftmaxIndex
	switch {
	case multi && numClass < 2:
		return fmt.Errorf("objective %s needs num_class >= 2, the model has %d", name, numClass)
	case multi:
		m.numGroup = numClass
	case numClass > 1:
		return fmt.Errorf("objective %s with num_class=%d is not a model XGBoost trains", name, numClass)
	}
	shape := []int64{-1}
	if t == xgbSoftprob {
		shape = []int64{-1, int64(m.numGroup)}
	}
	m.outputs = []TensorSpec{{Name: "predict", Datatype: FP32, Shape: shape}}
	return nil
}

// margins turns base_score into the margin added to every row, with
// XGBoost's ProbToMargin in float32.
func (m *xgboostModel) margins(objectiveName string, base []float32) ([]float32, error) {
	if len(base) != 1 && len(base) != m.numGroup {
		return nil, fmt.Errorf("base_score has %d values for %d outputs", len(base), m.numGroup)
	}
	_, l, _ := xgbObjective(objectiveName)
	out := make([]float32, m.numGroup)
	for g := range out {
		b := base[0]
		if len(base) > 1 {
			b = base[g]
		}
		switch l {
		case xgbLinkLogit:
			if !(b > 0 && b < 1) {
				return nil, fmt.Errorf("base_score %g of objective %s is not a probability in (0, 1)", b, objectiveName)
			}
			b = -float32(math.Log(float64(1/b - 1)))
		case xgbLinkLog:
			if !(b > 0) {
				return nil, fmt.Errorf("base_score %g of objective %s is not positive", b, objectiveName)
			}
			b = float32(math.Log(float64(b)))
		}
		out[g] = b
	}
	return out, nil
}

func boosterTrees(b *xgbBooster) (*xgbTrees, []xgbFloat, error) {
	switch b.Name {
	case "gbtree":
		if b.Model == nil {
			return nil, nil, fmt.Errorf("gbtree booster has no model")
		}
		return b.Model, nil, nil
	case "dart":
		if b.GBTree == nil || b.GBTree.Model == nil {
			return nil, nil, fmt.Errorf("dart booster has no gbtree")
		}
		if len(b.WeightDrop) != len(b.GBTree.Model.Trees) {
			return nil, nil, fmt.Errorf("dart booster has %d weights for %d trees", len(b.WeightDrop), len(b.GBTree.Model.Trees))
		}
		return b.GBTree.Model, b.WeightDrop, nil
	default:
		return nil, nil, fmt.Errorf("%w booster %q: kubox evaluates gbtree and dart; retrain with booster=\"gbtree\", or serve the model with a custom runtime", errUnsupported, b.Name)
	}
}

func (m *xgboostModel) addTrees(t *xgbTrees, weights []xgbFloat) error {
	if n, err := t.Param.SizeLeafVector.int("size_leaf_vector", 0); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("%w: vector-leaf trees (multi_strategy=\"multi_output_tree\"): retrain with one output per tree, or serve the model with a custom runtime", errUnsupported)
	}
	if n, err := t.Param.NumTrees.int("num_trees", len(t.Trees)); err != nil {
		return err
	} else if n != len(t.Trees) || len(t.TreeInfo) != len(t.Trees) {
		return fmt.Errorf("model says num_trees=%d but has %d trees and %d tree_info entries", n, len(t.Trees), len(t.TreeInfo))
	}
	for i := range t.Trees {
		w := float32(1)
		if weights != nil {
			w = float32(weights[i])
		}
		if g := t.TreeInfo[i]; g < 0 || int(g) >= m.numGroup {
			return fmt.Errorf("tree %d adds to output %d of %d", i, g, m.numGroup)
		}
		if err := m.addTree(&t.Trees[i], t.TreeInfo[i], w); err != nil {
			return fmt.Errorf("tree %d: %w", i, err)
		}
	}
	return nil
}

// addTree checks one tree and appends it to the flat arrays, so that Infer
// can index without bounds worries and every walk ends at a leaf.
func (m *xgboostModel) addTree(t *xgbTree, group int32, weight float32) error {
	n := len(t.Left)
	if n == 0 || len(t.Right) != n || len(t.SplitIndex) != n || len(t.SplitCond) != n || len(t.DefaultLeft) != n {
		return fmt.Errorf("node arrays have different lengths (left_children %d, right_children %d, split_indices %d, split_conditions %d, default_left %d)",
			n, len(t.Right), len(t.SplitIndex), len(t.SplitCond), len(t.DefaultLeft))
	}
	if k, err := t.Param.SizeLeafVector.int("size_leaf_vector", 0); err != nil {
		return err
	} else if k > 0 {
		return fmt.Errorf("%w: vector leaves: retrain with one output per tree, or serve the model with a custom runtime", errUnsupported)
	}
	for _, st := range t.SplitType {
		if st != 0 {
			return fmt.Errorf("%w: categorical splits: one-hot encode the categorical features and retrain, or serve the model with a custom runtime", errUnsupported)
		}
	}
	// Walk from the root so that a child that points back up, or a node
	// reached twice, is an error here instead of a loop in Infer.
	seen := make([]bool, n)
	stack := []int32{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			return fmt.Errorf("node %d is reached twice: the tree is not a tree", i)
		}
		seen[i] = true
		l, r := t.Left[i], t.Right[i]
		if l == -1 {
			continue
		}
		if l <= 0 || r <= 0 || int(l) >= n || int(r) >= n {
			return fmt.Errorf("node %d has children %d and %d, outside 1..%d", i, l, r, n-1)
		}
		if f := t.SplitIndex[i]; f < 0 || f >= int64(m.numFeature) {
			return fmt.Errorf("node %d splits on feature %d, but the model has %d features", i, f, m.numFeature)
		}
		stack = append(stack, l, r)
	}

	offset := int32(len(m.left))
	m.roots = append(m.roots, offset)
	m.group = append(m.group, group)
	for i := 0; i < n; i++ {
		if t.Left[i] == -1 || !seen[i] {
			m.feature = append(m.feature, 0)
			// XGBoost multiplies in float32 too, so folding the dart weight
			// in here gives the same product it adds.
			m.value = append(m.value, float32(t.SplitCond[i])*weight)
			m.left = append(m.left, -1)
			m.right = append(m.right, -1)
			m.missing = append(m.missing, -1)
			continue
		}
		l, r := t.Left[i]+offset, t.Right[i]+offset
		m.feature = append(m.feature, int32(t.SplitIndex[i]))
		m.value = append(m.value, float32(t.SplitCond[i]))
		m.left = append(m.left, l)
		m.right = append(m.right, r)
		if t.DefaultLeft[i] {
			m.missing = append(m.missing, l)
		} else {
			m.missing = append(m.missing, r)
		}
	}
	return nil
}

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

package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

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

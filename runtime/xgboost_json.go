package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

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

package profiles

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// datatypes are the protocol datatypes a sample may carry, in the order
// messages list them.
func datatypes() []string {
	return []string{DatatypeBool, DatatypeInt32, DatatypeInt64, DatatypeFP32, DatatypeFP64}
}

func (p *parser) checkSamples(samples []Sample) {
	names := map[string]int{}
	for i, s := range samples {
		path := fmt.Sprintf("samples[%d]", i)
		if !p.has(path) {
			continue
		}
		if p.has(path + ".name") {
			p.checkUnique(path+".name", s.Name, names, i, "samples[%d]")
		}
		if p.has(path+".inputs") && len(s.Inputs) == 0 {
			p.errorf(path+".inputs", "want at least one input")
		}
		inputs := map[string]int{}
		for j, in := range s.Inputs {
			p.checkInput(path, j, in, inputs)
		}
		outputs := map[string]int{}
		for j, out := range s.Expect {
			if p.has(fmt.Sprintf("%s.expect[%d].name", path, j)) {
				p.checkUnique(fmt.Sprintf("%s.expect[%d].name", path, j), out.Name, outputs, j, path+".expect[%d]")
			}
		}
		if p.has(path+".tolerance") && s.Tolerance < 0 {
			p.errorf(path+".tolerance", "want 0 or more, got %v", s.Tolerance)
		}
	}
}

// checkUnique reports an empty name, or one an earlier entry has, naming
// that entry with the format firstPath.
func (p *parser) checkUnique(path, name string, seen map[string]int, i int, firstPath string) {
	first, dup := seen[name]
	switch {
	case name == "":
		p.errorf(path, "must not be empty")
	case dup:
		p.errorf(path, "%q is already the name of %s", name, fmt.Sprintf(firstPath, first))
	default:
		seen[name] = i
	}
}

// checkInput checks input j of the sample at sample; names holds the input
// names seen so far.
func (p *parser) checkInput(sample string, j int, in Input, names map[string]int) {
	path := fmt.Sprintf("%s.inputs[%d]", sample, j)
	if !p.has(path) {
		return
	}
	if p.has(path + ".name") {
		p.checkUnique(path+".name", in.Name, names, j, sample+".inputs[%d]")
	}
	typeOK := p.has(path + ".datatype")
	if typeOK && !slices.Contains(datatypes(), in.Datatype) {
		hint := choiceHint(in.Datatype, datatypes())
		if alias := datatypeAlias(in.Datatype); alias != "" {
			hint = fmt.Sprintf(" (the protocol calls %s %q)", in.Datatype, alias)
		}
		p.errorf(path+".datatype", "unknown datatype %q%s", in.Datatype, hint)
		typeOK = false
	}
	shapeOK := p.has(path + ".shape")
	for k, d := range in.Shape {
		if d < 0 {
			p.errorf(fmt.Sprintf("%s.shape[%d]", path, k), "want a size of 0 or more, got %d", d)
			shapeOK = false
		}
	}
	if !p.has(path + ".data") {
		return
	}
	if shapeOK {
		n, ok := elements(in.Shape)
		switch {
		case !ok:
			p.errorf(path+".shape", "%v holds more values than a sample can", in.Shape)
		case int64(len(in.Data)) != n:
			p.errorf(path+".data", "%s, but shape %v holds %d", plural(len(in.Data), "value"), in.Shape, n)
		}
	}
	if !typeOK {
		return
	}
	// One bad value says what is wrong; a list of them would bury the rest.
	for k, v := range in.Data {
		if why := valueProblem(in.Datatype, v); why != "" {
			p.errorf(fmt.Sprintf("%s.data[%d]", path, k), "%s is not %s: %s", formatNumber(v), in.Datatype, why)
			return
		}
	}
}

// datatypeAlias maps the NumPy and framework names people know to the
// protocol's, or returns "".
func datatypeAlias(s string) string {
	switch strings.ToLower(s) {
	case "bool", "boolean":
		return DatatypeBool
	case "int32", "int":
		return DatatypeInt32
	case "int64", "long":
		return DatatypeInt64
	case "float32", "float":
		return DatatypeFP32
	case "float64", "double":
		return DatatypeFP64
	}
	return ""
}

// formatNumber writes whole numbers in full, as they were likely typed.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e21 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// elements is the number of values shape holds; false if it overflows.
func elements(shape []int64) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d != 0 && n > math.MaxInt64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// valueProblem says why v cannot be sent as datatype, or returns "".
func valueProblem(datatype string, v float64) string {
	whole := v == math.Trunc(v)
	switch datatype {
	case DatatypeBool:
		if v != 0 && v != 1 {
			return "write BOOL values as 0 or 1"
		}
	case DatatypeInt32:
		if !whole || v < math.MinInt32 || v > math.MaxInt32 {
			return "want a whole number from -2147483648 to 2147483647"
		}
	case DatatypeInt64:
		// Samples hold numbers as float64, exact only up to 2^53.
		if !whole || math.Abs(v) > 1<<53 {
			return "want a whole number from -2^53 to 2^53"
		}
	case DatatypeFP32:
		if math.Abs(v) > math.MaxFloat32 {
			return "want a magnitude of at most 3.4e38"
		}
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

package profiles

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser turns one profile's text into a Profile. It keeps going after a
// problem so that a user sees them all at once, and remembers the node each
// field came from so that later checks can point into the file.
type parser struct {
	file string
	// nodes holds the value node of every field decoded without a problem,
	// by path. A path missing here was absent, null or wrong, and later
	// checks skip it rather than repeat the problem.
	nodes map[string]*yaml.Node
	// keys holds the key node of every mapping entry, by path.
	keys map[string]*yaml.Node
	// root is the top-level mapping, where problems with no better place go.
	root  *yaml.Node
	errs  ErrorList
	warns ErrorList
}

func newParser(file string) *parser {
	return &parser{file: file, nodes: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
}

func (p *parser) errorAt(n *yaml.Node, path, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// decode fills v from n. It reports whether n had the right shape for v;
// problems inside a mapping or list are reported without failing it.
func (p *parser) decode(n *yaml.Node, v reflect.Value, path string) bool {
	at := n // an alias is reported where it is used
	n = resolve(n)
	if isNull(n) {
		return false
	}
	ok := false
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if ok = p.decode(at, elem.Elem(), path); ok {
			v.Set(elem)
		}
		return ok
	case reflect.Struct:
		ok = p.mapping(at, n, v, path)
	case reflect.Slice:
		ok = p.sequence(at, n, v, path)
	case reflect.Map:
		ok = p.dict(at, n, v, path)
	default:
		ok = p.scalar(at, n, v, path)
	}
	if ok {
		p.nodes[path] = at
	}
	return ok
}

func (p *parser) mapping(at, n *yaml.Node, v reflect.Value, path string) bool {
	fields := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		p.errorAt(at, path, "want a mapping (%s), got %s", strings.Join(fields.names(), ", "), describe(n))
		return false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, ok := p.key(k, path)
		child := joinPath(path, key)
		if !ok || p.duplicate(k, child, key, seen) {
			continue
		}
		f, found := fields.byName(key)
		if !found {
			p.errorAt(k, child, "unknown field%s", unknownHint(key, fields.names()))
			continue
		}
		p.keys[child] = k
		p.decode(val, v.Field(f.index), child)
		if f.required && isNull(resolve(val)) {
			p.errorAt(k, child, "required field is empty")
		}
	}
	// A missing field is reported at its parent's key, where it belongs,
	// or at the mapping itself for a list entry or the top level.
	where := at
	if k := p.keys[path]; k != nil {
		where = k
	}
	for _, f := range fields {
		if f.required && seen[f.name] == nil {
			p.errorAt(where, joinPath(path, f.name), "required field is missing")
		}
	}
	return true
}

// key returns the name a mapping key gives; false means skip the entry,
// its problem reported.
func (p *parser) key(k *yaml.Node, path string) (string, bool) {
	r := resolve(k)
	switch {
	case r.Kind != yaml.ScalarNode:
		p.errorAt(k, path, "want a field name, got %s as a key", describe(r))
		return "", false
	case r.ShortTag() == "!!merge":
		p.errorAt(k, path, "merge keys (<<) are not supported; write the fields out, or alias the whole value")
		return "", false
	}
	return r.Value, true
}

// duplicate reports a key seen before in the same mapping, which YAML
// forbids and which would otherwise silently drop one of the values.
func (p *parser) duplicate(k *yaml.Node, path, key string, seen map[string]*yaml.Node) bool {
	if first := seen[key]; first != nil {
		p.errorAt(k, path, "duplicate key (first at line %d)", first.Line)
		return true
	}
	seen[key] = k
	return false
}

func (p *parser) sequence(at, n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.SequenceNode {
		p.errorAt(at, path, "want a list, got %s", describe(n))
		return false
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		child := fmt.Sprintf("%s[%d]", path, i)
		if isNull(resolve(e)) {
			p.errorAt(e, child, "empty list entry")
			continue
		}
		p.decode(e, s.Index(i), child)
	}
	v.Set(s)
	return true
}

// dict fills a map[string]string. A null value is an empty string there,
// as it is for a build argument or a label written "key:".
func (p *parser) dict(at, n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.MappingNode {
		p.errorAt(at, path, "want a mapping, got %s", describe(n))
		return false
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, ok := p.key(k, path)
		child := path + "[" + strconv.Quote(key) + "]"
		if !ok || p.duplicate(k, child, key, seen) {
			continue
		}
		p.keys[child] = k
		elem := reflect.New(v.Type().Elem()).Elem()
		if p.decode(val, elem, child) || isNull(resolve(val)) {
			m.SetMapIndex(reflect.ValueOf(key), elem)
			p.nodes[child] = val
		}
	}
	v.Set(m)
	return true
}

func (p *parser) scalar(at, n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.ScalarNode {
		p.errorAt(at, path, "want %s, got %s", want(v.Kind()), describe(n))
		return false
	}
	tag := n.ShortTag()
	switch v.Kind() {
	case reflect.String:
		// Any scalar reads as the text written: a version 1.10, an env
		// value 8080 or true are what the user meant as strings.
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		var i int64
		if tag != "!!int" {
			p.errorAt(at, path, "want an integer, got %s", describe(n))
			return false
		}
		if err := n.Decode(&i); err != nil || v.OverflowInt(i) {
			p.errorAt(at, path, "integer %s is out of range", n.Value)
			return false
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if tag != "!!int" && tag != "!!float" {
			p.errorAt(at, path, "want a number, got %s", describe(n))
			return false
		}
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.errorAt(at, path, "want a finite number, got %s", n.Value)
			return false
		}
		v.SetFloat(f)
	case reflect.Bool:
		var b bool
		if tag != "!!bool" || n.Decode(&b) != nil {
			p.errorAt(at, path, "want true or false, got %s", describe(n))
			return false
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("profiles: no decoder for %s at %s", v.Type(), path))
	}
	return true
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe says what a node is, for "want X, got Y": strings quoted so
// that "two" is told apart from two.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" {
			return strconv.Quote(n.Value)
		}
		if isNull(n) {
			return "null"
		}
		return n.Value
	}
	return "an alias"
}

func want(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return k.String()
}

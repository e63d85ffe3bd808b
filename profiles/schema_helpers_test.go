package profiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"
)

// schemaDoc is the schema as plain JSON values, for walking it.
func schemaDoc(t testing.TB) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatalf("Schema() is not JSON: %v", err)
	}
	return doc
}

// compileSchema compiles the schema, or the part of it at pointer (such as
// "/properties/name"), checking it against the draft 2020-12 meta-schema.
func compileSchema(t testing.TB, pointer string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("Schema() is not JSON: %v", err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatalf("AddResource() = %v", err)
	}
	sch, err := c.Compile(id + "#" + pointer)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", pointer, err)
	}
	return sch
}

// yamlValue reads a YAML document the way an editor hands it to a schema:
// plain values, YAML 1.2 scalars. yaml.v3 keeps timestamps as strings, as
// the loader does, and a NaN stays a float, which the schema rejects.
func yamlValue(data []byte) (any, error) {
	var v any
	err := yaml.Unmarshal(data, &v)
	return v, err
}

// validateYAML checks data against sch. Text that is not YAML is an error
// before any schema sees it, as it is in an editor.
func validateYAML(sch *jsonschema.Schema, data []byte) error {
	v, err := yamlValue(data)
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// errorPlaces lists where in the document the schema found problems, as
// JSON pointers ("" is the document itself), sorted and without repeats.
func errorPlaces(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var places []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		// v6 reports a bad key at a stale location; name the key instead.
		if k, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			places = append(places, "key "+strconv.Quote(k.Property))
			return
		}
		if len(e.Causes) == 0 {
			places = append(places, pointer(e.InstanceLocation))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(places)
	return slices.Compact(places)
}

func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	return "/" + strings.Join(tokens, "/")
}

// deref follows s's $ref into $defs. Keywords written next to the $ref
// (description, default) win over the definition's, as they do for a
// property's own description in an editor.
func deref(t testing.TB, root, s map[string]any) map[string]any {
	t.Helper()
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		target, found := root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok || !found {
			t.Fatalf("$ref %q does not name a definition in $defs", ref)
		}
		merged := maps.Clone(target)
		for k, v := range s {
			if k != "$ref" {
				merged[k] = v
			}
		}
		s = merged
	}
}

func jsonTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var types []string
		for _, v := range t {
			types = append(types, v.(string))
		}
		return types
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// jsonOf is v as the schema's JSON holds it: numbers as float64.
func jsonOf(t testing.TB, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

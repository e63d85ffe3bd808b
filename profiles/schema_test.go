package profiles

import (
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestSchemaHeader(t *testing.T) {
	compileSchema(t, "") // checks it against the meta-schema
	doc := schemaDoc(t)
	want := map[string]string{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://kubox.dev/schemas/profile/v1alpha1.json",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %q", k, doc[k], v)
		}
	}
	for _, k := range []string{"title", "description"} {
		if s, _ := doc[k].(string); s == "" {
			t.Errorf("%s is missing", k)
		}
	}
}

// keywords are the ones the schema may use. VS Code's YAML extension
// validates with a draft-07 engine and silently ignores later keywords
// (dependentRequired, unevaluatedProperties, prefixItems), so the schema
// keeps to what both understand; $defs is fine, because a $ref is followed
// as a JSON pointer whatever the keyword is called. A misspelt keyword
// ("minimun"), which JSON Schema would ignore, fails here too.
var keywords = []string{
	"$schema", "$id", "$defs", "$ref", "title", "description", "default", "examples",
	"type", "enum", "const", "properties", "additionalProperties", "propertyNames", "required",
	"items", "minItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
	"if", "then", "else", "not", "anyOf", "allOf",
}

func TestSchemaKeywords(t *testing.T) {
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		for _, k := range slices.Sorted(maps.Keys(s)) {
			if !slices.Contains(keywords, k) {
				t.Errorf("%s: keyword %q is not one the schema may use (see keywords)", at, k)
			}
			switch v := s[k].(type) {
			case map[string]any:
				if k == "properties" || k == "$defs" {
					for _, name := range slices.Sorted(maps.Keys(v)) {
						walk(v[name].(map[string]any), at+"/"+k+"/"+name)
					}
				} else if k != "default" && k != "const" {
					walk(v, at+"/"+k)
				}
			case []any:
				if k == "anyOf" || k == "allOf" {
					for _, sub := range v {
						walk(sub.(map[string]any), at+"/"+k)
					}
				}
			}
		}
	}
	walk(schemaDoc(t), "#")
}

// TestSchemaMatchesTypes walks the Go types as the loader sees them
// (fieldsOf: yaml names and kubox:"required") beside the schema, so that a
// field added, renamed or made required on one side fails until the other
// follows.
func TestSchemaMatchesTypes(t *testing.T) {
	root := schemaDoc(t)
	checkStruct(t, root, root, reflect.TypeFor[Profile](), "")
}

func checkStruct(t *testing.T, root, s map[string]any, typ reflect.Type, path string) {
	t.Helper()
	s = deref(t, root, s)
	at := path
	if at == "" {
		at = "(top level)"
	}
	if types := jsonTypes(s); !slices.Equal(types, []string{"object"}) {
		t.Errorf("%s (%s): type %v, want object", at, typ, types)
	}
	if s["additionalProperties"] != false {
		t.Errorf("%s (%s): additionalProperties must be false: the loader rejects unknown fields", at, typ)
	}
	fields := fieldsOf(typ)
	props, _ := s["properties"].(map[string]any)
	if got, want := slices.Sorted(maps.Keys(props)), slices.Sorted(slices.Values(fields.names())); !slices.Equal(got, want) {
		t.Errorf("%s (%s): schema properties %v, Go fields %v", at, typ, got, want)
	}
	var required, schemaRequired []string
	for _, f := range fields {
		if f.required {
			required = append(required, f.name)
		}
	}
	for _, r := range asSlice(s["required"]) {
		schemaRequired = append(schemaRequired, r.(string))
	}
	slices.Sort(required)
	if slices.Sort(schemaRequired); !slices.Equal(schemaRequired, required) {
		t.Errorf("%s (%s): schema requires %v, Go requires %v", at, typ, schemaRequired, required)
	}
	for _, f := range fields {
		prop, ok := props[f.name].(map[string]any)
		if !ok {
			continue
		}
		child := joinPath(path, f.name)
		if d, _ := deref(t, root, prop)["description"].(string); d == "" {
			t.Errorf("%s: no description", child)
		}
		checkValue(t, root, prop, typ.Field(f.index).Type, child)
	}
}

// checkValue checks that s takes what the loader decodes into typ. A Go
// string may also take numbers, booleans or null where the loader reads
// those as text (a cpu of 2, an env value of true).
func checkValue(t *testing.T, root, s map[string]any, typ reflect.Type, path string) {
	t.Helper()
	s = deref(t, root, s)
	types := jsonTypes(s)
	is := func(want string) {
		if !slices.Equal(types, []string{want}) {
			t.Errorf("%s (%s): type %v, want %s", path, typ, types, want)
		}
	}
	switch typ.Kind() {
	case reflect.Pointer:
		checkValue(t, root, s, typ.Elem(), path)
	case reflect.Struct:
		checkStruct(t, root, s, typ, path)
	case reflect.Slice:
		is("array")
		items, _ := s["items"].(map[string]any)
		checkValue(t, root, items, typ.Elem(), path+"[]")
	case reflect.Map:
		is("object")
		values, _ := s["additionalProperties"].(map[string]any)
		checkValue(t, root, values, typ.Elem(), path+"[]")
	case reflect.String:
		if !slices.Contains(types, "string") {
			t.Errorf("%s (%s): type %v, want string among them", path, typ, types)
		}
		for _, ty := range types {
			if !slices.Contains([]string{"string", "number", "boolean", "null"}, ty) {
				t.Errorf("%s (%s): type %s, but the loader reads only scalars into a string", path, typ, ty)
			}
		}
	case reflect.Int, reflect.Int64:
		is("integer")
	case reflect.Float64:
		is("number")
	case reflect.Bool:
		is("boolean")
	default:
		t.Errorf("%s: no JSON type for Go %s; teach checkValue one", path, typ)
	}
}

// TestSchemaDefaults loads a profile that leaves every defaulted field out
// and compares what the loader filled in with the schema's defaults, so
// that the defaults an editor shows are the ones kubox applies.
func TestSchemaDefaults(t *testing.T) {
	const probe = head + model + `serving:
  resources: {cpu: 100m}
  autoscaling: {maxReplicas: 3}
  inferenceLog: {}
  tolerations: [{key: dedicated}]
samples:
  - name: one
    inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]
`
	pr, _, err := Parse([]byte(probe), "probe.yaml", ".")
	if err != nil {
		t.Fatalf("Parse(probe) = %v", err)
	}
	written, err := yamlValue([]byte(probe))
	if err != nil {
		t.Fatal(err)
	}
	root := schemaDoc(t)
	checkDefaults(t, root, root, reflect.ValueOf(*pr), written, "")
}

// checkDefaults compares the loader's value v with s's defaults, where the
// probe (written) left the field out: a default must match, and a field
// without one must stay zero.
func checkDefaults(t *testing.T, root, s map[string]any, v reflect.Value, written any, path string) {
	t.Helper()
	s = deref(t, root, s)
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Fatalf("the probe must set %s, to check the defaults in it", path)
		}
		checkDefaults(t, root, s, v.Elem(), written, path)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Struct {
			return
		}
		items := deref(t, root, s["items"].(map[string]any))
		if v.Len() == 0 {
			for name, prop := range items["properties"].(map[string]any) {
				if _, ok := deref(t, root, prop.(map[string]any))["default"]; ok {
					t.Fatalf("the probe must have an entry in %s, to check the default of %s", path, name)
				}
			}
			return
		}
		checkDefaults(t, root, items, v.Index(0), asSlice(written)[0], path+"[0]")
	case reflect.Struct:
		props, _ := s["properties"].(map[string]any)
		w, _ := written.(map[string]any)
		for _, f := range fieldsOf(v.Type()) {
			prop := deref(t, root, props[f.name].(map[string]any))
			fv, child := v.Field(f.index), joinPath(path, f.name)
			def, hasDefault := prop["default"]
			_, isWritten := w[f.name]
			scalar := fv.Kind() != reflect.Struct && fv.Kind() != reflect.Pointer && fv.Kind() != reflect.Slice
			switch {
			case hasDefault && isWritten:
				t.Fatalf("the probe must leave %s out, to see its default", child)
			case hasDefault:
				if got := jsonOf(t, fv.Interface()); !reflect.DeepEqual(got, def) {
					t.Errorf("%s: the loader fills in %v, the schema's default is %v", child, got, def)
				}
			case !isWritten && scalar && !fv.IsZero():
				t.Errorf("%s: the loader fills in %v, the schema has no default", child, fv.Interface())
			}
			checkDefaults(t, root, prop, fv, w[f.name], child)
		}
	}
}

func TestSchemaEnums(t *testing.T) {
	defs := schemaDoc(t)["$defs"].(map[string]any)
	enum := func(def, field string) []string {
		prop := defs[def].(map[string]any)["properties"].(map[string]any)[field].(map[string]any)
		var values []string
		for _, v := range asSlice(prop["enum"]) {
			values = append(values, v.(string))
		}
		return values
	}
	formats := []string{string(FormatONNX), string(FormatXGBoost), string(FormatCustom)}
	if got := enum("model", "format"); !slices.Equal(got, formats) {
		t.Errorf("model.format enum = %v, want %v", got, formats)
	}
	if got := enum("input", "datatype"); !slices.Equal(got, datatypes()) {
		t.Errorf("input.datatype enum = %v, want %v", got, datatypes())
	}
}

// TestSchemaExamples checks every example and default in the schema where
// it stands, since editors offer them as completions.
func TestSchemaExamples(t *testing.T) {
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		values := asSlice(s["examples"])
		if def, ok := s["default"]; ok {
			values = append(values, def)
		}
		if len(values) > 0 {
			sch := compileSchema(t, at)
			for _, v := range values {
				if err := sch.Validate(v); err != nil {
					t.Errorf("%s: example or default %v is invalid: %v", at, v, err)
				}
			}
		}
		for _, k := range []string{"properties", "$defs"} {
			subs, _ := s[k].(map[string]any)
			for name, sub := range subs {
				walk(sub.(map[string]any), at+"/"+k+"/"+name)
			}
		}
	}
	walk(schemaDoc(t), "")
}

// yamlBlock is a fenced YAML block in Markdown.
var yamlBlock = regexp.MustCompile("(?ms)^```yaml\n(.*?)^```")

// TestProfileDocExamples keeps the complete profiles in docs/profile.md
// working: each must load without errors or warnings, since readers copy
// them, and pass the schema.
func TestProfileDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/profile.md")
	if err != nil {
		t.Fatal(err)
	}
	sch := compileSchema(t, "")
	n := 0
	for _, m := range yamlBlock.FindAllSubmatch(doc, -1) {
		block := m[1]
		if !strings.HasPrefix(string(block), "apiVersion: "+APIVersion+"\n") {
			continue
		}
		n++
		_, warnings, err := Parse(block, "docs/profile.md", ".")
		if err != nil || len(warnings) > 0 {
			t.Errorf("example %d: Parse() = %v, warnings %q; want neither\n%s", n, err, warnings, block)
		}
		if err := validateYAML(sch, block); err != nil {
			t.Errorf("example %d: Validate() = %v\n%s", n, err, block)
		}
	}
	if n < 5 {
		t.Errorf("found %d complete profiles in docs/profile.md, want at least 5", n)
	}
}

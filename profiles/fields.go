package profiles

import (
	"reflect"
	"strings"
)

// field is one yaml-tagged field of a profile struct.
type field struct {
	name     string
	index    int
	required bool
}

type fieldList []field

// fieldsOf lists t's fields as they appear in YAML. It is recomputed per
// mapping rather than cached, to keep the package free of mutable state;
// profiles are small.
func fieldsOf(t reflect.Type) fieldList {
	var fs fieldList
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		fs = append(fs, field{name: name, index: i, required: sf.Tag.Get("kubox") == "required"})
	}
	return fs
}

func (fs fieldList) byName(name string) (field, bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func (fs fieldList) names() []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

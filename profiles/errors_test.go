package profiles

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"full", Error{File: "kubox.yaml", Line: 4, Column: 3, Path: "model.fromat", Msg: "unknown field"}, "kubox.yaml:4:3: model.fromat: unknown field"},
		{"no column", Error{File: "kubox.yaml", Line: 5, Msg: "invalid YAML: x"}, "kubox.yaml:5: invalid YAML: x"},
		{"no place", Error{File: "kubox.yaml", Msg: "the file is empty"}, "kubox.yaml: the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorListSortsByPlace(t *testing.T) {
	t.Parallel()
	list := ErrorList{
		{File: "k.yaml", Line: 9, Column: 1, Msg: "c"},
		{File: "k.yaml", Line: 2, Column: 7, Msg: "b"},
		{File: "k.yaml", Line: 2, Column: 1, Msg: "a"},
		{File: "k.yaml", Line: 9, Column: 1, Msg: "d"},
	}
	want := "k.yaml:2:1: a\nk.yaml:2:7: b\nk.yaml:9:1: c\nk.yaml:9:1: d"
	if got := list.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if list[0].Msg != "c" {
		t.Error("Error() reordered the list it was called on")
	}
}

func TestErrorListThroughWrapping(t *testing.T) {
	t.Parallel()
	_, _, err := Parse([]byte(head+"model: {}\n"), "kubox.yaml", "/p")
	wrapped := fmt.Errorf("loading profile: %w", err)
	var list ErrorList
	if !errors.As(wrapped, &list) {
		t.Fatalf("errors.As(%v) = false, want the ErrorList", wrapped)
	}
	if len(list) != 2 || list[0].Path != "model.path" || list[1].Path != "model.format" || list[0].Line != 4 {
		t.Errorf("ErrorList = %v, want model.path and model.format at line 4", list)
	}
}

func TestValidProfileReturnsNilError(t *testing.T) {
	t.Parallel()
	p, warnings, err := Parse([]byte(head+model), "kubox.yaml", "/p")
	if err != nil || p == nil || len(warnings) != 0 {
		t.Errorf("Parse() = %v, %q, %v, want a profile, no warnings and a nil error", p, warnings, err)
	}
}

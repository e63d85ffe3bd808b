package profiles

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a profile, placed where an editor can jump to it.
type Error struct {
	// File is the profile's name as the caller gave it to Load or Parse.
	File string
	// Line and Column are 1-based. Column is 0 when the YAML parser gave
	// only a line, and both are 0 when the problem has no place in the text.
	Line, Column int
	// Path is the field in the profile, such as samples[0].inputs[1].data
	// or serving.nodeSelector["disktype"]; empty for the file as a whole.
	Path string
	// Msg says what is wrong and, where it can, what to write instead.
	Msg string
}

// Error formats e as file:line:column: path: message, the form compilers
// use, so that editors and CI logs link it to the line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList holds every problem found in a profile, so that a user fixes
// them in one pass rather than one per run. Load and Parse return it as
// their error; callers get it back with errors.As.
type ErrorList []*Error

// Error prints one problem a line, in the order they appear in the file.
func (l ErrorList) Error() string {
	sorted := slices.Clone(l)
	sorted.sort()
	lines := make([]string, len(sorted))
	for i, e := range sorted {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders by place, keeping the order problems were found in for one
// place (a missing field's parent collects several).
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// err returns l sorted, or a true nil when it is empty so that callers'
// err != nil checks hold.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	return l
}

// lines formats l sorted, one string each: the form warnings take.
func (l ErrorList) lines() []string {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = e.Error()
	}
	return out
}

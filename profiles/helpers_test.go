package profiles

import (
	"errors"
	"strings"
	"testing"
)

// head and model make up the smallest valid profile; cases add to them.
const (
	head  = "apiVersion: kubox.dev/v1alpha1\nkind: Model\nname: iris\n"
	model = "model:\n  path: ./model\n  format: xgboost\n"
)

// parseCase is a profile and the problems Parse must find in it: each
// entry is a substring of one line, in file order, and there are no others.
type parseCase struct {
	name  string
	yaml  string
	errs  []string
	warns []string
}

func runParseCases(t *testing.T, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, warns, err := Parse([]byte(tt.yaml), "kubox.yaml", "/profile")
			var got []string
			if err != nil {
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("Parse() error = %v (%T), want an ErrorList", err, err)
				}
				got = strings.Split(list.Error(), "\n")
				if p != nil {
					t.Errorf("Parse() = %+v with errors, want nil", p)
				}
			} else if p == nil {
				t.Fatal("Parse() = nil, nil, want a profile or an error")
			}
			matchLines(t, "errors", got, tt.errs)
			matchLines(t, "warnings", warns, tt.warns)
		})
	}
}

func matchLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Parse() %s:\n%s\nwant %d, matching %q", what, strings.Join(got, "\n"), len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("Parse() %s[%d] = %q, want it to contain %q", what, i, got[i], want[i])
		}
	}
}

package profiles

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubox-dev/kubox/internal/golden"
	"gopkg.in/yaml.v3"
)

// TestLoadValidGolden loads each valid profile and compares the defaulted
// result, which is what the deploy step sees.
func TestLoadValidGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/profiles/valid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid profiles: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, warnings, err := Load(file)
			if err != nil {
				t.Fatalf("Load(%s) = %v, want no error", file, err)
			}
			out, err := yaml.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString("# Load result; $DIR is the profile's directory.\n")
			for _, w := range warnings {
				b.WriteString("# warning: " + strings.ReplaceAll(w, file, filepath.Base(file)) + "\n")
			}
			b.WriteString(strings.ReplaceAll(string(out), p.Dir, "$DIR"))
			golden.Assert(t, filepath.Join("../testdata/golden/profiles/valid", name+".yaml"), []byte(b.String()))
		})
	}
}

// TestLoadInvalidGolden records the full output a user sees for each
// broken profile. It runs Load from the profiles' directory, as a user in
// their project would, so that messages name files the way they typed them.
func TestLoadInvalidGolden(t *testing.T) {
	dir, err := filepath.Abs("../testdata/profiles/invalid")
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs("../testdata/golden/profiles/invalid")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid profiles: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(file, ".yaml"), func(t *testing.T) {
			p, warnings, err := Load(file)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load(%s) = %v, %v, want an ErrorList", file, p, err)
			}
			out := err.Error() + "\n"
			if len(warnings) > 0 {
				out += "-- warnings --\n" + strings.Join(warnings, "\n") + "\n"
			}
			golden.Assert(t, filepath.Join(want, strings.TrimSuffix(file, ".yaml")+".txt"), []byte(out))
		})
	}
}

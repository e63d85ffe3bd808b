package profiles

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSchemaValidFixtures(t *testing.T) {
	sch := compileSchema(t, "")
	files, _ := filepath.Glob("../testdata/profiles/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no profiles in testdata/profiles/valid")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateYAML(sch, data); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

// invalidFixture is an invalid profile and what the schema makes of it.
type invalidFixture struct {
	file string
	// places are where the schema reports problems (JSON pointers, or a
	// bad map key); none means it finds nothing.
	places []string
	// notYAML is set for text that a YAML parser, in an editor too,
	// rejects before any schema sees it.
	notYAML bool
	// loaderOnly is what only the loader sees, and why.
	loaderOnly string
}

// TestSchemaInvalidFixtures says, for every invalid profile in testdata,
// where the schema finds its problems and what only the loader sees, so
// that a new fixture has to be placed here.
func TestSchemaInvalidFixtures(t *testing.T) {
	tests := []invalidFixture{
		{file: "builtin-runtime.yaml", places: []string{"/runtime"}}, // custom, command, args, port, context, buildArgs without a server
		{file: "duplicates.yaml", notYAML: true, loaderOnly: "duplicate keys are a YAML error; merge keys (<<) are merged by YAML parsers"},
		{file: "empty.yaml", places: []string{""}},
		{file: "missing.yaml", places: []string{"", "/model", "/runtime/env/0", "/samples/0", "/samples/0/inputs/0", "/samples/1", "/samples/1/expect/0", "/serving/autoscaling"}},
		{file: "not-a-mapping.yaml", places: []string{""}},
		{
			file:       "runtime.yaml",
			places:     []string{"/runtime", "/runtime/env/1/name", "/runtime/port"},
			loaderOnly: "a repeated env name (JSON Schema has no unique-by-field); files that do not exist",
		},
		{
			file: "samples.yaml",
			places: []string{"/samples/0/inputs/0/datatype", "/samples/0/inputs/1/data/1", "/samples/0/inputs/1/shape/1",
				"/samples/0/tolerance", "/samples/1/inputs", "/samples/2/inputs/0/data/1", "/samples/2/inputs/1/data/0",
				"/samples/2/inputs/2/data/0", "/samples/3"},
			loaderOnly: "data that does not fill its shape (a product); repeated sample, input and output names",
		},
		{file: "tab-indent.yaml", notYAML: true},
		{file: "two-documents.yaml", loaderOnly: "a schema checks one document; that a file holds only one is the loader's rule"},
		{
			file: "types.yaml",
			places: []string{"/model", "/runtime/env", "/runtime/image", "/samples", "/serving/inferenceLog/enabled",
				"/serving/nodeSelector", "/serving/port", "/serving/replicas", "/serving/tolerations"},
		},
		{file: "typos.yaml", places: []string{"", "/model", "/samples/0/inputs/0", "/serving", "/serving/port", "/serving/resources"}},
		{
			file: "values.yaml",
			places: []string{"/apiVersion", "/kind", "/model/file", "/model/format", "/name", "/serving/autoscaling/targetCPU",
				"/serving/inferenceLog/size", "/serving/port", "/serving/replicas", "/serving/resources/cpu",
				"/serving/resources/gpu", "/serving/tolerations/0", "/serving/tolerations/1/effect",
				"/serving/tolerations/1/operator", `key "team name"`},
			loaderOnly: "memory 512m is not whole bytes, minReplicas above maxReplicas: they compare values",
		},
	}
	files, _ := filepath.Glob("../testdata/profiles/invalid/*.yaml")
	for _, file := range files {
		if !slices.ContainsFunc(tests, func(tc invalidFixture) bool { return tc.file == filepath.Base(file) }) {
			t.Errorf("%s is not in the table: say what the schema finds in it", file)
		}
	}
	sch := compileSchema(t, "")
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("../testdata/profiles/invalid", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := yamlValue(data); tc.notYAML {
				if err == nil {
					t.Errorf("yaml.Unmarshal() = nil, want an error")
				}
				return
			}
			err = validateYAML(sch, data)
			if got := errorPlaces(err); !slices.Equal(got, tc.places) {
				t.Errorf("Validate() finds problems at %q, want %q\n%v", got, tc.places, err)
			}
		})
	}
}

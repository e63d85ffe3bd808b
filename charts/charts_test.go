package charts

import (
	"bytes"
	"slices"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// TestModelServingMatchesDirectory checks that the embedded chart is the chart Helm loads from
// the source directory: same metadata, templates, values, schema and files. A file go:embed
// left out (a partial, the schema) would show up here before it shows up in a cluster.
func TestModelServingMatchesDirectory(t *testing.T) {
	t.Parallel()
	got, err := ModelServing()
	if err != nil {
		t.Fatalf("ModelServing() error = %v", err)
	}
	want, err := loader.LoadDir(modelServingRoot)
	if err != nil {
		t.Fatalf("loader.LoadDir() error = %v", err)
	}

	if got.Metadata.APIVersion != chart.APIVersionV2 || got.Name() != "model-serving" || got.Metadata.Version != "0.1.0" {
		t.Errorf("metadata = %s %s %s, want v2 model-serving 0.1.0", got.Metadata.APIVersion, got.Name(), got.Metadata.Version)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	if !bytes.Equal(got.Schema, want.Schema) || len(got.Schema) == 0 {
		t.Errorf("schema: embedded %d bytes, directory %d bytes; want the same, non-empty", len(got.Schema), len(want.Schema))
	}
	if gotN, wantN := fileNames(got.Templates), fileNames(want.Templates); !slices.Equal(gotN, wantN) {
		t.Errorf("templates = %v, want %v", gotN, wantN)
	}
	if !slices.Contains(fileNames(got.Templates), "templates/_helpers.tpl") {
		t.Errorf("templates = %v, want templates/_helpers.tpl among them", fileNames(got.Templates))
	}
	for i, f := range got.Templates {
		if i < len(want.Templates) && !bytes.Equal(f.Data, want.Templates[i].Data) {
			t.Errorf("template %s differs from the directory's", f.Name)
		}
	}
	if gotN, wantN := fileNames(got.Files), fileNames(want.Files); !slices.Equal(gotN, wantN) {
		t.Errorf("files = %v, want %v", gotN, wantN)
	}
	if gotV, wantV := len(got.Values), len(want.Values); gotV != wantV || gotV == 0 {
		t.Errorf("values has %d top-level keys, directory %d; want the same, non-zero", gotV, wantV)
	}
}

// TestModelServingFresh checks that callers can change the chart they get (the deploy code
// may set values or metadata) without changing what the next caller gets.
func TestModelServingFresh(t *testing.T) {
	t.Parallel()
	first, err := ModelServing()
	if err != nil {
		t.Fatalf("ModelServing() error = %v", err)
	}
	first.Metadata.Version = "9.9.9"
	first.Values["port"] = 1
	second, err := ModelServing()
	if err != nil {
		t.Fatalf("ModelServing() error = %v", err)
	}
	if second.Metadata.Version != "0.1.0" || second.Values["port"] == 1 {
		t.Errorf("second ModelServing() = version %s, port %v; want 0.1.0 and 8080", second.Metadata.Version, second.Values["port"])
	}
}

func fileNames(files []*chart.File) []string {
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

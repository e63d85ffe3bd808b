package scaffold

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestInitRefusesWithoutWriting(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		files  map[string]string // project file -> contents, or "fixture:" a model fixture
		errHas []string
	}{
		{"existing files", Spec{}, map[string]string{"kubox.yaml": "mine", ".kuboxignore": "mine"},
			[]string{"kubox.yaml, .kuboxignore already exist", "nothing was written", "--force"}},
		{"existing workflow", Spec{Format: "onnx"}, map[string]string{".github/workflows/kubox.yml": "mine"},
			[]string{".github/workflows/kubox.yml already exists", "--force"}},
		{"a file where a directory goes, even with --force", Spec{Force: true}, map[string]string{".github": "mine"},
			[]string{".github is a file", "move it away"}},
		{"unknown format", Spec{}, map[string]string{"model/model.pkl": "pickle"},
			[]string{"found model/model.pkl but cannot tell its format", "--format onnx"}},
		{"several models", Spec{}, map[string]string{"model/a.onnx": "fixture:iris-onnx/model.onnx", "model/b.onnx": "fixture:iris-onnx/model.onnx"},
			[]string{"found 2 models (model/a.onnx, model/b.onnx)", "keep the one to serve"}},
		{"--format disagrees with the model", Spec{Format: "onnx"}, map[string]string{"model/model.json": "fixture:iris-xgboost/model.json"},
			[]string{"model/model.json is an xgboost model, not onnx", "drop --format"}},
		{"a model that does not load", Spec{}, map[string]string{"model/model.onnx": "not onnx"},
			[]string{"adopting model/model.onnx as an onnx model", "export it again"}},
		{"bad --format", Spec{Format: "pytorch"}, nil, []string{`unknown format "pytorch"`, "--format onnx"}},
		{"bad --name", Spec{Name: "My_Model"}, nil, []string{`invalid name "My_Model"`, "--name my-model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for rel, data := range tt.files {
				if fixture, ok := strings.CutPrefix(data, "fixture:"); ok {
					copyFixture(t, fixture, dir, rel)
				} else {
					writeTestFile(t, dir, rel, data)
				}
			}
			before := snapshot(t, dir)
			tt.spec.Dir = dir
			_, err := Init(context.Background(), tt.spec)
			if err == nil {
				t.Fatal("Init() = nil, want an error")
			}
			for _, want := range tt.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Init() = %q, want it to contain %q", err, want)
				}
			}
			if after := snapshot(t, dir); !sameFiles(before, after) {
				t.Errorf("a refused Init changed the directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestInitExistsErrorListsEveryFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Init(context.Background(), Spec{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err := Init(context.Background(), Spec{Dir: dir})
	var exists *ExistsError
	if !errors.As(err, &exists) {
		t.Fatalf("second Init() = %v, want an *ExistsError", err)
	}
	want := []string{"kubox.yaml", "model/model.json", ".kuboxignore", ".github/workflows/kubox.yml"}
	if !slices.Equal(exists.Files, want) {
		t.Errorf("ExistsError.Files = %v, want %v", exists.Files, want)
	}
}

func TestInitRemovesWhatItWroteWhenAWriteFails(t *testing.T) {
	dir := t.TempDir()
	// A directory where the workflow goes: with --force, init tries to
	// replace it with a file, and the rename fails after kubox.yaml and
	// the model were written.
	writeTestFile(t, dir, ".github/workflows/kubox.yml/keep", "x")
	before := snapshot(t, dir)
	if _, err := Init(context.Background(), Spec{Dir: dir, Force: true}); err == nil {
		t.Fatal("Init() = nil, want the write error")
	}
	if after := snapshot(t, dir); !sameFiles(before, after) {
		t.Errorf("a failed Init left files behind:\nbefore %v\nafter  %v", before, after)
	}
}

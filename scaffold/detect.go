package scaffold

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kubox-dev/kubox/runtime"
)

// modelDir is where kubox keeps a project's model, and where init looks
// first for one to adopt.
const modelDir = "model"

// candidate is a file that holds, or may hold, a model.
type candidate struct {
	rel    string // slash-separated, relative to the project directory
	format string // runtime.FormatONNX, runtime.FormatXGBoost, or "" when unknown
}

// findModels lists the models in dir/model or, when it holds none, in dir
// itself. Only those two levels are searched: a model deeper down is more
// likely training data or a checkpoint than the model to serve.
func findModels(dir string) ([]candidate, error) {
	if fi, err := os.Stat(filepath.Join(dir, modelDir)); err == nil && fi.IsDir() {
		found, err := candidatesIn(dir, modelDir)
		if err != nil || len(found) > 0 {
			return found, err
		}
	}
	return candidatesIn(dir, ".")
}

func candidatesIn(dir, sub string) ([]candidate, error) {
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // a project directory that init will create
	}
	if err != nil {
		return nil, fmt.Errorf("looking for a model to adopt: %w", err)
	}
	var found []candidate
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // editors' and macOS's litter, never the model
		}
		full := filepath.Join(dir, sub, name)
		if fi, err := os.Stat(full); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		rel := path.Join(sub, name)
		switch ext := strings.ToLower(filepath.Ext(name)); {
		case ext == ".onnx":
			found = append(found, candidate{rel, runtime.FormatONNX})
		case ext == ".json":
			// Most JSON files are not models; XGBoost's JSON model has a
			// "learner" at the top.
			if isXGBoostJSON(full) {
				found = append(found, candidate{rel, runtime.FormatXGBoost})
			}
		case otherModelExt(ext):
			found = append(found, candidate{rel, ""})
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].rel < found[j].rel })
	return found, nil
}

// otherModelExt reports whether ext is that of a model file in a format
// kubox cannot tell or serve on its own: worth naming so that the user
// learns why nothing was adopted.
func otherModelExt(ext string) bool {
	switch ext {
	case ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".safetensors", ".h5", ".keras",
		".ubj", ".bst", ".model", ".pb", ".tflite", ".cbm", ".bin":
		return true
	}
	return false
}

// isXGBoostJSON reports whether the top-level object of the JSON file has
// a "learner" key. It stops at the first top-level keys it can decide on,
// so a large model is not read whole.
func isXGBoostJSON(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	// XGBoost writes "learner" first; a few other keys are tolerated for
	// files that were rewritten by other tools.
	for range 16 {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, ok := tok.(string)
		if !ok {
			return false
		}
		if key == "learner" {
			return true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

// chooseModel picks the model to adopt among found, honouring the format
// the user gave. It returns nil when there is nothing to adopt and a
// sample model should be written instead.
func chooseModel(found []candidate, format string) (*candidate, error) {
	var known, unknown []candidate
	for _, c := range found {
		if c.format == "" {
			unknown = append(unknown, c)
		} else {
			known = append(known, c)
		}
	}
	if len(known) > 0 && format != "" {
		var matching []candidate
		for _, c := range known {
			if c.format == format {
				matching = append(matching, c)
			}
		}
		if len(matching) == 0 {
			return nil, fmt.Errorf("%s is an %s model, not %s: drop --format to adopt it, or move it out of the directory to start from the %s sample",
				describe(known), known[0].format, format, format)
		}
		known = matching
	}
	switch {
	case len(known) == 1:
		return &known[0], nil
	case len(known) > 1:
		return nil, fmt.Errorf("found %d models (%s), so kubox cannot tell which to serve: keep the one to serve in ./%s (or pass --format when they differ in format), then run kubox init again",
			len(known), describe(known), modelDir)
	case len(unknown) == 0:
		return nil, nil
	case format == "":
		return nil, fmt.Errorf("found %s but cannot tell its format: kubox serves ONNX (.onnx) and XGBoost JSON models (Booster.save_model(\"model.json\")); export the model to one of them, or pass --format onnx or --format xgboost if it is one",
			describe(unknown))
	case len(unknown) > 1:
		return nil, fmt.Errorf("found %d files that may be models (%s): keep the one to serve in ./%s, then run kubox init --format %s again",
			len(unknown), describe(unknown), modelDir, format)
	}
	unknown[0].format = format
	return &unknown[0], nil
}

func describe(cs []candidate) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.rel
	}
	return strings.Join(names, ", ")
}

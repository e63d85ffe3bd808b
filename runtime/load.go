package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads a model of the given format (FormatONNX or FormatXGBoost).
// path is the model file, or a directory that holds it: there Load takes
// model.onnx or model.json if present, and otherwise the directory's only
// file with the format's extension (.onnx, .json), leaving out hidden files
// and expected.json (sample inputs and outputs, as in testdata/models).
//
// A file that is corrupt, truncated or of another format is an error that
// says so, never a panic.
func Load(format, path string) (Model, error) {
	ext, ok := formatExt(format)
	if !ok {
		return nil, fmt.Errorf("unknown model format %q: set model.format in kubox.yaml to %q or %q, or use a custom runtime",
			format, FormatONNX, FormatXGBoost)
	}
	file, err := modelFile(path, format, ext)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading model: %w", err)
	}

	var m Model
	switch format {
	case FormatONNX:
		m, err = decodeONNX(data)
	case FormatXGBoost:
		m, err = decodeXGBoost(data)
	}
	if err != nil {
		// The caller says what it was loading; the file is what it may not know.
		return nil, fmt.Errorf("%s: %w", file, withAdvice(err, format, data))
	}
	return m, nil
}

func formatExt(format string) (string, bool) {
	switch format {
	case FormatONNX:
		return ".onnx", true
	case FormatXGBoost:
		return ".json", true
	}
	return "", false
}

// modelFile finds the model file that path names.
func modelFile(path, format, ext string) (string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("model path %s does not exist: check model.path in kubox.yaml, or save the model there", path)
	}
	if err != nil {
		return "", fmt.Errorf("reading model path: %w", err)
	}
	if !info.IsDir() {
		return path, nil
	}

	entries, err := os.ReadDir(path)
	if err != nil {
		return "", fmt.Errorf("reading model directory: %w", err)
	}
	var candidates, others []string
	for _, e := range entries {
		name := e.Name()
		// Editors and macOS leave hidden files (.model.json.swp, ._model.onnx)
		// next to the model; they are never the model.
		if strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue
		}
		switch {
		case name == "model"+ext:
			return filepath.Join(path, name), nil
		case name == "expected.json":
			// Sample requests and answers kept beside the model, as in
			// testdata/models.
		case strings.EqualFold(filepath.Ext(name), ext):
			candidates = append(candidates, name)
		case isModelExt(filepath.Ext(name)):
			others = append(others, name)
		}
	}
	sort.Strings(candidates)
	switch len(candidates) {
	case 1:
		return filepath.Join(path, candidates[0]), nil
	case 0:
		msg := fmt.Sprintf("model directory %s has no %s file", path, ext)
		if len(others) > 0 {
			msg += fmt.Sprintf(" (it has %s)", strings.Join(others, ", "))
		}
		return "", fmt.Errorf("%s: %s", msg, saveAdvice(format))
	default:
		return "", fmt.Errorf("model directory %s has %d %s files (%s): keep one, name it model%s, or name it with model.file in kubox.yaml",
			path, len(candidates), ext, strings.Join(candidates, ", "), ext)
	}
}

// isModelExt reports whether ext is that of a model file kubox might be
// handed by mistake, worth naming when the expected file is missing.
func isModelExt(ext string) bool {
	switch strings.ToLower(ext) {
	case ".onnx", ".json", ".ubj", ".bst", ".model", ".txt", ".pkl", ".joblib", ".pt", ".pth", ".safetensors", ".h5":
		return true
	}
	return false
}

func saveAdvice(format string) string {
	if format == FormatONNX {
		return "export the model to ONNX there (opset 13), or point model.file in kubox.yaml at it"
	}
	return `save the model there with Booster.save_model("model.json"), or point model.file in kubox.yaml at it`
}

// withAdvice adds what to do to a decoder's error: set the right format if the
// file is plainly of another one, else re-save or re-export it.
func withAdvice(err error, format string, data []byte) error {
	if other := sniffFormat(data); other != "" && other != format {
		return fmt.Errorf("%w: the file looks like an %s model: set model.format: %s in kubox.yaml", err, other, other)
	}
	if errors.Is(err, errUnsupported) {
		return err // such errors already say what to do
	}
	switch format {
	case FormatONNX:
		return fmt.Errorf("%w: the file is corrupt, truncated or not ONNX; export it again (opset 13)", err)
	default:
		return fmt.Errorf(`%w: the file is corrupt, truncated or not XGBoost JSON; save it again with Booster.save_model("model.json")`, err)
	}
}

// sniffFormat guesses a model file's format from its content, "" if unsure.
func sniffFormat(data []byte) string {
	trimmed := strings.TrimSpace(string(data[:min(len(data), 4096)]))
	if strings.HasPrefix(trimmed, "{") && strings.Contains(trimmed, `"learner"`) {
		return FormatXGBoost
	}
	if looksLikeONNX(data) {
		return FormatONNX
	}
	return ""
}

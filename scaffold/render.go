package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

//go:embed templates
var templates embed.FS

// defaultTolerance is the profile's own default, written out so that a
// user sees what to tune.
const defaultTolerance = 1e-4

// profileData is what kubox.yaml is rendered from.
type profileData struct {
	Name, Path, Format, File string
	// Sample is set when the model is kubox's sample, not the user's.
	Sample  bool
	Samples []sampleData
	// NoSample says why there is no sample request, when there is none.
	NoSample string
}

type sampleData struct {
	Name      string
	Inputs    []tensor
	Expect    []tensor
	Tolerance float64
}

func renderProfile(d profileData) ([]byte, error) {
	return render("templates/kubox.yaml.tmpl", "{{", "}}", d)
}

// renderWorkflow renders the CI workflow. Its template uses [[ ]], because
// GitHub Actions has its own ${{ }}.
func renderWorkflow(version string) ([]byte, error) {
	return render("templates/workflow.yml.tmpl", "[[", "]]", struct{ Version string }{installVersion(version)})
}

func ignoreFile() ([]byte, error) { return templates.ReadFile("templates/kuboxignore") }

func render(name, left, right string, data any) ([]byte, error) {
	text, err := templates.ReadFile(name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Delims(left, right).Option("missingkey=error").Funcs(template.FuncMap{
		"yaml": yamlScalar, "ints": flowInts, "floats": flowFloats, "float": formatFloat64,
	}).Parse(string(text))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// installVersion is what `go install ...@` takes for the kubox that ran
// init: its own release, so that CI runs what the user tried; "latest" for
// a development build, which the module proxy cannot serve.
func installVersion(v string) string {
	if v == "" || v == "(devel)" || strings.Contains(v, "+") {
		return "latest"
	}
	return v
}

// yamlScalar writes s as YAML reads it back as the same string: plain when
// it can be, quoted when it would read as a number, a boolean or null, or
// holds characters YAML gives a meaning to.
func yamlScalar(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		if b, err := yaml.Marshal(s); err == nil {
			return strings.TrimSuffix(string(b), "\n")
		}
	}
	b, _ := json.Marshal(s) // JSON strings are YAML double-quoted scalars
	return string(b)
}

func flowInts(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// flowFloats writes FP32 values in their shortest float32 form, so that
// 5.099999904632568, which is how a float32 5.1 reads as float64, is
// written 5.1 and means the same float32.
func flowFloats(datatype string, xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		if datatype == "FP32" {
			parts[i] = strconv.FormatFloat(x, 'g', -1, 32)
		} else {
			parts[i] = formatFloat64(x)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func formatFloat64(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

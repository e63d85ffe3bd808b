package profiles

import (
	"strings"
	"testing"
)

func TestParseStructure(t *testing.T) {
	t.Parallel()
	runParseCases(t, []parseCase{
		{name: "smallest valid profile", yaml: head + model},
		{name: "flow style", yaml: "{apiVersion: kubox.dev/v1alpha1, kind: Model, name: iris, model: {path: m, format: onnx}}"},
		{name: "empty file", yaml: "", errs: []string{"kubox.yaml: the file is empty"}},
		{name: "only comments", yaml: "# nothing yet\n", errs: []string{"kubox.yaml: the file is empty"}},
		{name: "only a document marker", yaml: "---\n", errs: []string{"kubox.yaml: the file is empty"}},
		{name: "null document", yaml: "~\n", errs: []string{"kubox.yaml: the file is empty"}},
		{name: "a list", yaml: "- name: iris\n", errs: []string{"kubox.yaml:1:1: want a mapping of apiVersion, kind, name, model and so on, got a list"}},
		{name: "a string", yaml: "iris\n", errs: []string{`kubox.yaml:1:1: want a mapping of apiVersion, kind, name, model and so on, got "iris"`}},
		{name: "broken YAML", yaml: head + "model: [\n", errs: []string{"kubox.yaml:4: invalid YAML: "}},
		{name: "tab indent", yaml: head + "model:\n\tpath: m\n", errs: []string{"kubox.yaml:5: invalid YAML: found character that cannot start any token (this line has a tab; YAML indents with spaces)"}},
		{name: "second document", yaml: head + model + "---\nname: other\n", errs: []string{"kubox.yaml:8:1: a profile is one YAML document"}},
		{name: "empty second document", yaml: head + model + "---\n"},
		{name: "broken second document", yaml: head + model + "---\nname: [\n", errs: []string{"invalid YAML"}},

		{name: "unknown field suggests a spelling", yaml: head + "model:\n  path: m\n  fromat: onnx\n",
			errs: []string{"kubox.yaml:4:1: model.format: required field is missing", "kubox.yaml:6:3: model.fromat: unknown field (did you mean \"format\"?)"}},
		{name: "unknown field suggests a case", yaml: "apiversion: kubox.dev/v1alpha1\nkind: Model\nname: iris\n" + model,
			errs: []string{`1:1: apiversion: unknown field (did you mean "apiVersion"?)`, "1:1: apiVersion: required field is missing"}},
		{name: "unknown field lists the fields", yaml: head + model + "version: 2\n",
			errs: []string{"7:1: version: unknown field (want one of apiVersion, kind, name, model, runtime, serving, samples)"}},
		{name: "environment field: namespace", yaml: head + model + "namespace: prod\n", errs: []string{"namespace: unknown field: the namespace describes the environment"}},
		{name: "environment field: registry", yaml: head + model + "runtime:\n  registry: ghcr.io\n", errs: []string{"runtime.registry: unknown field: the registry describes the environment"}},
		{name: "environment field: storage class", yaml: head + model + "serving:\n  storageClassName: fast\n", errs: []string{"serving.storageClassName: unknown field: the storage class describes the environment"}},
		{name: "environment field: ingress", yaml: head + model + "serving:\n  ingressHost: iris.example.com\n", errs: []string{"the ingress host describes the environment"}},
		{name: "environment field: pull secrets", yaml: head + model + "runtime:\n  imagePullSecrets: [regcred]\n", errs: []string{"the pull secret describes the environment"}},

		{name: "string for a mapping", yaml: head + "model: ./model\n", errs: []string{`4:8: model: want a mapping (path, format, file), got "./model"`}},
		{name: "list for a string", yaml: head + model + "runtime:\n  image: [a, b]\n", errs: []string{"8:10: runtime.image: want a string, got a list"}},
		{name: "mapping for a list", yaml: head + model + "runtime:\n  args: {a: b}\n", errs: []string{"8:9: runtime.args: want a list, got a mapping"}},
		{name: "string for a list", yaml: head + model + "runtime:\n  command: serve\n", errs: []string{`8:12: runtime.command: want a list, got "serve"`}},
		{name: "word for an integer", yaml: head + model + "serving:\n  replicas: two\n", errs: []string{`8:13: serving.replicas: want an integer, got "two"`}},
		{name: "quoted integer", yaml: head + model + "serving:\n  port: \"8080\"\n", errs: []string{`serving.port: want an integer, got "8080"`}},
		{name: "fraction for an integer", yaml: head + model + "serving:\n  port: 80.5\n", errs: []string{"serving.port: want an integer, got 80.5"}},
		{name: "integer out of range", yaml: head + model + "serving:\n  replicas: 99999999999999999999\n", errs: []string{"serving.replicas: want an integer, got 99999999999999999999"}},
		{name: "word for a number", yaml: head + model + "samples:\n- name: a\n  tolerance: small\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n", errs: []string{`samples[0].tolerance: want a number, got "small"`}},
		{name: "NaN for a number", yaml: head + model + "samples:\n- name: a\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [.inf]}]\n", errs: []string{"samples[0].inputs[0].data[0]: want a finite number, got .inf"}},
		{name: "word for a boolean", yaml: head + model + "serving:\n  inferenceLog:\n    enabled: yes\n", errs: []string{`serving.inferenceLog.enabled: want true or false, got "yes"`}},
		{name: "list for a map", yaml: head + model + "serving:\n  nodeSelector: [gpu]\n", errs: []string{"serving.nodeSelector: want a mapping, got a list"}},
		{name: "scalars read as strings", yaml: head + model + "runtime:\n  env:\n  - {name: A, value: 8080}\n  - {name: B, value: true}\n  - {name: C, value: 1.10}\n"},

		{name: "duplicate top-level key", yaml: head + model + "name: again\n", errs: []string{"7:1: name: duplicate key (first at line 3)"}},
		{name: "duplicate nested key", yaml: head + model + "  format: onnx\n", errs: []string{"7:3: model.format: duplicate key (first at line 6)"}},
		{name: "duplicate map key", yaml: head + model + "serving:\n  nodeSelector:\n    disk: ssd\n    disk: hdd\n", errs: []string{`10:5: serving.nodeSelector["disk"]: duplicate key (first at line 9)`}},
		{name: "merge key", yaml: head + model + "serving:\n  <<: {replicas: 2}\n", errs: []string{"8:3: serving: merge keys (<<) are not supported"}},
		{name: "complex key", yaml: head + model + "? [a, b]\n: c\n", errs: []string{"7:3: want a field name, got a list as a key"}},
		{name: "alias", yaml: head + "model: &m\n  path: m\n  format: onnx\nsamples:\n- name: a\n  inputs: [&x {name: x, datatype: FP32, shape: [1], data: [1]}]\n- name: b\n  inputs: [*x]\n"},
		{name: "alias of the wrong kind", yaml: head + "x: &s hello\n" + model, errs: []string{"4:1: x: unknown field"}},
		{name: "alias reported where used", yaml: head + model + "samples:\n- name: &n a\n  inputs: *n\n", errs: []string{`9:11: samples[0].inputs: want a list, got "a"`}},

		{name: "required field missing at top", yaml: "apiVersion: kubox.dev/v1alpha1\nkind: Model\n" + model, errs: []string{"1:1: name: required field is missing"}},
		{name: "required field missing nested", yaml: head + "model:\n  format: onnx\n", errs: []string{"4:1: model.path: required field is missing"}},
		{name: "required field null", yaml: head + "model:\n", errs: []string{"4:1: model: required field is empty"}},
		{name: "required field missing in a list entry", yaml: head + model + "samples:\n- inputs: [{name: x, shape: [1], data: [1]}]\n",
			errs: []string{"8:3: samples[0].name: required field is missing", "8:12: samples[0].inputs[0].datatype: required field is missing"}},
		{name: "empty list entry", yaml: head + model + "samples:\n-\n", errs: []string{"8:2: samples[0]: empty list entry"}},
		{name: "optional null fields", yaml: head + model + "runtime:\nserving: ~\nsamples:\n"},
		{name: "null map value is empty", yaml: head + model + "runtime:\n  dockerfile: Dockerfile\n  buildArgs:\n    DEBUG:\n"},
	})
}

func TestParseKeepsValues(t *testing.T) {
	t.Parallel()
	src := head + model + `runtime:
  image: ghcr.io/acme/server:1.10
  env:
    - {name: PORT, value: 8080}
    - {name: DEBUG, value: true}
    - {name: EMPTY}
serving:
  nodeSelector:
    disk: ~
samples:
  - name: s
    inputs: [{name: x, datatype: INT64, shape: [1, 2], data: [0x10, 1_000]}]
`
	p, _, err := Parse([]byte(src), "kubox.yaml", "/profile")
	if err != nil {
		t.Fatalf("Parse() = %v", err)
	}
	env := p.Runtime.Env
	if len(env) != 3 || env[0].Value != "8080" || env[1].Value != "true" || env[2].Value != "" {
		t.Errorf("Runtime.Env = %+v, want the values as written", env)
	}
	if v, ok := p.Serving.NodeSelector["disk"]; !ok || v != "" {
		t.Errorf("NodeSelector = %v, want disk with an empty value", p.Serving.NodeSelector)
	}
	if got := p.Samples[0].Inputs[0]; got.Shape[1] != 2 || got.Data[0] != 16 || got.Data[1] != 1000 {
		t.Errorf("Inputs[0] = %+v, want shape [1 2] and data [16 1000]", got)
	}
	if !strings.HasSuffix(p.Runtime.Image, ":1.10") {
		t.Errorf("Runtime.Image = %q, want the tag as written", p.Runtime.Image)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	known := []string{"path", "format", "file", "replicas", "tolerations"}
	tests := []struct {
		name, word, want string
	}{
		{"transposition", "fromat", "format"},
		{"missing letter", "replica", "replicas"},
		{"case", "PATH", "path"},
		{"two edits", "tolerashuns", ""},
		{"unrelated", "version", ""},
		{"short word", "x", ""},
		{"one letter off a short word", "fle", "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := suggest(tt.word, known); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

package profiles

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TestSchemaPatterns checks the schema's patterns against the checks the
// loader runs on the same strings. gap marks what the schema lets through
// because a pattern cannot say it (a value of zero, a prefix's length);
// the schema may go either way there. Nothing the loader accepts may fail.
func TestSchemaPatterns(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name    string
		pointer string
		accepts func(string) bool
		gap     func(string) bool
		corpus  []string
	}{
		{
			name:    "profile name",
			pointer: "/properties/name",
			accepts: func(s string) bool { return nameProblem(s) == "" },
			corpus:  []string{"iris", "a", "a1", "a-1", "iris-classifier-v2", long(53), long(54), "Iris", "1a", "-a", "a-", "a_b", "a.b", "", "iris ", "ïris"},
		},
		{
			name:    "env name",
			pointer: "/$defs/envVar/properties/name",
			accepts: func(s string) bool { return s != "" && !strings.Contains(s, "=") },
			corpus:  []string{"A", "GOMAXPROCS", "a.b", "1", "with space", "A=B", "=", ""},
		},
		{
			name:    "model file",
			pointer: "/$defs/model/properties/file",
			accepts: filepath.IsLocal,
			gap:     func(s string) bool { return strings.Contains(s, "/..") },
			corpus:  []string{"model.onnx", "a/b.json", ".hidden", "./m", "..x", "x..", "a/../b", ".", "..", "../m", "/m", "", "a/../../m", "./../m"},
		},
		{
			name:    "quantity",
			pointer: "/$defs/quantity",
			accepts: func(s string) bool { q, err := resource.ParseQuantity(s); return err == nil && q.Sign() > 0 },
			gap:     func(s string) bool { q, err := resource.ParseQuantity(s); return err == nil && q.Sign() <= 0 },
			corpus: []string{
				"1", "2", "+1", "1.", "1.5", ".5", "0.5", "007", "500m", "100n", "100u", "1k", "1M", "1G", "1T", "1P", "1E",
				"1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei", "0.5Gi", "1.G", "1e3", "1E3", "1e-3", "1e+3", "1.5e3",
				"0", "0Gi", "0.0", "-1", "-1Gi", ".", "lots", "1 Gi", " 1", "1Gi ", "10Gb", "1Mb", "1mi", "1gi", "1K", "1KiB",
				"Mi", "", "e3", "1e", "1e3.5", "1ee3", "1.5.5", "1i", "1u5", "++1", "1,000", "0x10",
			},
		},
		{
			name:    "label key",
			pointer: "/$defs/labelKey",
			accepts: func(s string) bool { return len(validation.IsQualifiedName(s)) == 0 },
			gap:     func(s string) bool { return len(s) > 253 },
			corpus: []string{
				"a", "A", "a.b", "a-b", "a_b", "a/b", "1.2.3/x", "kubernetes.io/arch", "nvidia.com/gpu.present", "example.com/A_b.c-d",
				long(63), long(64), "x/" + long(63), strings.Repeat("a.", 127) + "a/b",
				"-a", "a-", "_a", "a/", "/a", "a/b/c", "A.com/b", "a..b/c", "a.-b/c", "a b", "team name", "",
			},
		},
		{
			name:    "label value",
			pointer: "/$defs/labelValue",
			accepts: func(s string) bool { return len(validation.IsValidLabelValue(s)) == 0 },
			corpus:  []string{"", "a", "A", "1", "a-b", "a_b", "a.b", "true", long(63), long(64), "-a", "a-", "a b", "a/b"},
		},
		{
			name:    "toleration key",
			pointer: "/$defs/toleration/properties/key",
			accepts: func(s string) bool { return s == "" || len(validation.IsQualifiedName(s)) == 0 },
			corpus:  []string{"", "dedicated", "nvidia.com/gpu", "a/b/c", "bad key", "-a", long(64)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sch := compileSchema(t, tc.pointer)
			for _, s := range tc.corpus {
				want := tc.accepts(s)
				if !want && tc.gap != nil && tc.gap(s) {
					continue
				}
				if err := sch.Validate(s); (err == nil) != want {
					t.Errorf("%q: Validate() = %v, want accepted = %t as the loader does", s, err, want)
				}
			}
		})
	}
}

// verdict is what Parse and the schema make of a profile.
type verdict int

const (
	bothAccept verdict = iota
	bothReject
	// onlyLoaderRejects is a rule the schema cannot express.
	onlyLoaderRejects
	// onlySchemaRejects is the schema being stricter than the loader, on
	// purpose: an editor flags what is almost surely a slip.
	onlySchemaRejects
)

func (v verdict) String() string {
	return [...]string{"both accept", "both reject", "only the loader rejects", "only the schema rejects"}[v]
}

// TestSchemaAgreesWithParse runs profiles through both Parse and the
// schema, mostly rules that join fields, and pins where they differ.
func TestSchemaAgreesWithParse(t *testing.T) {
	custom := head + "model: {path: ./model, format: custom}\n"
	sample := func(input string) string {
		return head + model + "samples:\n  - name: s\n    inputs:\n      - " + input + "\n"
	}
	tests := []struct {
		name string
		yaml string
		want verdict
	}{
		{"custom with image", custom + "runtime: {image: 'mlserver:1.6.1'}", bothAccept},
		{"custom with dockerfile", custom + "runtime: {dockerfile: Dockerfile}", bothAccept},
		{"custom without runtime", custom, bothReject},
		{"custom with only env", custom + "runtime: {env: [{name: A}]}", bothReject},
		{"image and dockerfile", custom + "runtime: {image: 'x:1', dockerfile: Dockerfile}", bothReject},
		{"command without a server", head + model + "runtime: {command: [serve]}", bothReject},
		{"args without a server", head + model + "runtime: {args: [--fast]}", bothReject},
		{"port without a server", head + model + "runtime: {port: 9000}", bothReject},
		{"context with image", custom + "runtime: {image: 'x:1', context: .}", bothReject},
		{"buildArgs with image", custom + "runtime: {image: 'x:1', buildArgs: {A: b}}", bothReject},
		{"buildArgs of any scalar", custom + "runtime: {dockerfile: Dockerfile, buildArgs: {A: 3.12, B: true, C: }}", bothAccept},
		{"buildArg without a name", custom + "runtime: {dockerfile: Dockerfile, buildArgs: {'': x}}", bothReject},
		{"args of any scalar", custom + "runtime: {image: 'x:1', args: [--workers, 4, --debug, true]}", bothAccept},
		{"runtime port 65535", custom + "runtime: {image: 'x:1', port: 65535}", bothAccept},
		{"runtime port 65536", custom + "runtime: {image: 'x:1', port: 65536}", bothReject},
		{"env values of any scalar", head + model + "runtime: {env: [{name: A, value: 2}, {name: B, value: }, {name: C, value: true}]}", bothAccept},
		{"env name repeated", head + model + "runtime: {env: [{name: A}, {name: A}]}", onlyLoaderRejects},
		{"image with a space", custom + "runtime: {image: 'my image:1'}", bothReject},
		{"image not lower case", custom + "runtime: {image: 'Bad/Repo:1'}", onlyLoaderRejects},
		{"runtime null", head + model + "runtime:", onlySchemaRejects},
		{"replicas 0", head + model + "serving: {replicas: 0}", bothReject},
		{"port as a string", head + model + "serving: {port: '8080'}", bothReject},
		{"port as a fraction", head + model + "serving: {port: 8080.5}", bothReject},
		{"quantities as numbers", head + model + "serving: {resources: {cpu: 2, memory: 1Gi, cpuLimit: 2.5, memoryLimit: 2Gi}}", bothAccept},
		{"cpu 0 as a number", head + model + "serving: {resources: {cpu: 0}}", bothReject},
		{"cpu 0 as a string", head + model + "serving: {resources: {cpu: '0'}}", onlyLoaderRejects},
		{"memory in thousandths", head + model + "serving: {resources: {memory: 512m}}", onlyLoaderRejects},
		{"limit below request", head + model + "serving: {resources: {cpu: '1', cpuLimit: 500m}}", onlyLoaderRejects},
		{"gpu -1", head + model + "serving: {resources: {gpu: -1}}", bothReject},
		{"autoscaling without maxReplicas", head + model + "serving: {autoscaling: {minReplicas: 2}}", bothReject},
		{"autoscaling min above max", head + model + "serving: {autoscaling: {minReplicas: 3, maxReplicas: 2}}", onlyLoaderRejects},
		{"targetCPU 0", head + model + "serving: {autoscaling: {maxReplicas: 2, targetCPU: 0}}", bothReject},
		{"enabled: yes", head + model + "serving: {inferenceLog: {enabled: yes}}", bothReject},
		{"log size in gigabits", head + model + "serving: {inferenceLog: {enabled: true, size: 10Gb}}", bothReject},
		{"nodeSelector values of any scalar", head + model + "serving: {nodeSelector: {nvidia.com/gpu.count: 1, gpu: true, empty: }}", bothAccept},
		{"nodeSelector key with a space", head + model + "serving: {nodeSelector: {team name: ml}}", bothReject},
		{"nodeSelector value with a space", head + model + "serving: {nodeSelector: {team: machine learning}}", bothReject},
		{"toleration with a key", head + model + "serving: {tolerations: [{key: gpu}]}", bothAccept},
		{"toleration without a key", head + model + "serving: {tolerations: [{value: gpu}]}", bothReject},
		{"toleration of every taint", head + model + "serving: {tolerations: [{operator: Exists}]}", bothAccept},
		{"Exists with a value", head + model + "serving: {tolerations: [{key: gpu, operator: Exists, value: x}]}", bothReject},
		{"Exists with an effect", head + model + "serving: {tolerations: [{key: gpu, operator: Exists, effect: NoExecute}]}", bothAccept},
		{"operator in lower case", head + model + "serving: {tolerations: [{key: gpu, operator: exists}]}", bothReject},
		{"effect misspelt", head + model + "serving: {tolerations: [{key: gpu, effect: NoScheduel}]}", bothReject},
		{"effect empty", head + model + "serving: {tolerations: [{key: gpu, effect: ''}]}", onlySchemaRejects},
		{"operator empty", head + model + "serving: {tolerations: [{key: gpu, operator: ''}]}", onlySchemaRejects},
		{"BOOL as 0 and 1", sample("{name: x, datatype: BOOL, shape: [2], data: [0, 1]}"), bothAccept},
		{"BOOL 2", sample("{name: x, datatype: BOOL, shape: [1], data: [2]}"), bothReject},
		{"BOOL true", sample("{name: x, datatype: BOOL, shape: [1], data: [true]}"), bothReject},
		{"INT32 fraction", sample("{name: x, datatype: INT32, shape: [1], data: [2.5]}"), bothReject},
		{"INT32 largest", sample("{name: x, datatype: INT32, shape: [1], data: [2147483647]}"), bothAccept},
		{"INT32 too large", sample("{name: x, datatype: INT32, shape: [1], data: [2147483648]}"), bothReject},
		{"INT64 2^53", sample("{name: x, datatype: INT64, shape: [1], data: [9007199254740992]}"), bothAccept},
		{"INT64 2^54", sample("{name: x, datatype: INT64, shape: [1], data: [18014398509481984]}"), bothReject},
		{"FP32 too large", sample("{name: x, datatype: FP32, shape: [1], data: [1e39]}"), bothReject},
		{"FP64 1e39", sample("{name: x, datatype: FP64, shape: [1], data: [1e39]}"), bothAccept},
		{"NaN", sample("{name: x, datatype: FP64, shape: [1], data: [.nan]}"), bothReject},
		{"negative dimension", sample("{name: x, datatype: FP64, shape: [-1], data: []}"), bothReject},
		{"data short of its shape", sample("{name: x, datatype: FP64, shape: [2], data: [1]}"), onlyLoaderRejects},
		{"tolerance 0", sample("{name: x, datatype: FP64, shape: [1], data: [1]}") + "    tolerance: 0\n", bothAccept},
		{"tolerance -1", sample("{name: x, datatype: FP64, shape: [1], data: [1]}") + "    tolerance: -1\n", bothReject},
		{"no inputs", head + model + "samples: [{name: s, inputs: []}]", bothReject},
		{"empty sample", head + model + "samples:\n  -\n", bothReject},
		{"sample names repeated", head + model + "samples: [{name: s, inputs: [{name: x, datatype: FP64, shape: [], data: [1]}]}, {name: s, inputs: [{name: x, datatype: FP64, shape: [], data: [1]}]}]", onlyLoaderRejects},
		{"merge key", head + model + "samples:\n  - name: s\n    <<: {inputs: [{name: x, datatype: FP64, shape: [], data: [1]}]}\n", onlyLoaderRejects},
		{"environment field", head + model + "namespace: ml-prod", bothReject},
	}
	sch := compileSchema(t, "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := yamlValue([]byte(tc.yaml)); err != nil {
				t.Fatalf("the case is not YAML, so it tests nothing: %v", err)
			}
			_, _, parseErr := Parse([]byte(tc.yaml), "kubox.yaml", ".")
			schemaErr := validateYAML(sch, []byte(tc.yaml))
			var got verdict
			switch {
			case parseErr == nil && schemaErr == nil:
				got = bothAccept
			case parseErr != nil && schemaErr != nil:
				got = bothReject
			case parseErr != nil:
				got = onlyLoaderRejects
			default:
				got = onlySchemaRejects
			}
			if got != tc.want {
				t.Errorf("%s, want %s\nParse() = %v\nValidate() = %v\n%s", got, tc.want, parseErr, schemaErr, tc.yaml)
			}
		})
	}
}

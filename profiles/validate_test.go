package profiles

import (
	"strings"
	"testing"
)

func TestValidateHeader(t *testing.T) {
	t.Parallel()
	named := func(name string) string {
		return "apiVersion: kubox.dev/v1alpha1\nkind: Model\nname: " + name + "\n" + model
	}
	runParseCases(t, []parseCase{
		{name: "wrong apiVersion", yaml: "apiVersion: kubox.dev/v1\nkind: Model\nname: iris\n" + model,
			errs: []string{`1:13: apiVersion: want "kubox.dev/v1alpha1", got "kubox.dev/v1"`}},
		{name: "wrong kind", yaml: "apiVersion: kubox.dev/v1alpha1\nkind: model\nname: iris\n" + model,
			errs: []string{`2:7: kind: want "Model", got "model"`}},
		{name: "name with digits and dashes", yaml: named("iris-v2-1")},
		{name: "name of 53 characters", yaml: named(strings.Repeat("a", 53))},
		{name: "name of 54 characters", yaml: named(strings.Repeat("a", 54)), errs: []string{"is 54 characters long"}},
		{name: "empty name", yaml: named(`""`), errs: []string{`3:7: name: "" is empty`}},
		{name: "null name", yaml: named(""), errs: []string{"3:1: name: required field is empty"}},
		{name: "upper case", yaml: named("Iris"), errs: []string{`name: "Iris" does not start with a lower case letter; it names the Helm release, the Service and the model, so use up to 53 lower case letters, digits and '-', starting with a letter (try "iris")`}},
		{name: "leading digit", yaml: named("1iris"), errs: []string{"does not start with a lower case letter"}},
		{name: "number", yaml: named("123"), errs: []string{`name: "123" does not start`}},
		{name: "underscore", yaml: named("iris_v2"), errs: []string{`contains '_'; it names the Helm release`}},
		{name: "suggested fix", yaml: named(`"Iris Classifier_v2"`), errs: []string{`(try "iris-classifier-v2")`}},
		{name: "dot", yaml: named("iris.v2"), errs: []string{`contains '.'`}},
		{name: "trailing dash", yaml: named("iris-"), errs: []string{"ends with '-'"}},
	})
}

func TestFixName(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"case and underscores", "Iris_Classifier", "iris-classifier"},
		{"runs of separators", "iris  --  v2_", "iris-v2"},
		{"leading digits", "2024-iris", "iris"},
		{"nothing left", "123", ""},
		{"too long", strings.Repeat("ab-", 30), strings.Repeat("ab-", 17) + "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fixName(tt.in); got != tt.want {
				t.Errorf("fixName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateModel(t *testing.T) {
	t.Parallel()
	withModel := func(lines string) string { return head + "model:\n" + lines }
	runParseCases(t, []parseCase{
		{name: "onnx", yaml: withModel("  path: m\n  format: onnx\n")},
		{name: "unknown format", yaml: withModel("  path: m\n  format: pytorch\n"),
			errs: []string{`6:11: model.format: unknown format "pytorch" (want one of onnx, xgboost, custom)`}},
		{name: "format in capitals", yaml: withModel("  path: m\n  format: ONNX\n"), errs: []string{`(did you mean "onnx"?)`}},
		{name: "custom with the built-in server", yaml: withModel("  path: m\n  format: custom\n"),
			errs: []string{"model.format: format custom needs a server"}},
		{name: "custom with an image", yaml: withModel("  path: m\n  format: custom\n") + "runtime:\n  image: acme/server:1.0\n"},
		{name: "custom with a Dockerfile", yaml: withModel("  path: m\n  format: custom\n") + "runtime:\n  dockerfile: Dockerfile\n"},
		{name: "empty path", yaml: withModel("  path: \"\"\n  format: onnx\n"), errs: []string{"5:9: model.path: must not be empty"}},
		{name: "absolute path", yaml: withModel("  path: /srv/iris\n  format: onnx\n"), warns: []string{`5:9: model.path: "/srv/iris" is absolute`}},
		{name: "parent path", yaml: withModel("  path: ../models/iris\n  format: onnx\n")},
		{name: "file inside", yaml: withModel("  path: m\n  format: onnx\n  file: v2/model.onnx\n")},
		{name: "file outside", yaml: withModel("  path: m\n  format: onnx\n  file: ../model.onnx\n"),
			errs: []string{`7:9: model.file: "../model.onnx" is not a path inside model.path`}},
		{name: "absolute file", yaml: withModel("  path: m\n  format: onnx\n  file: /model.onnx\n"), errs: []string{"model.file: \"/model.onnx\" is not a path inside"}},
	})
}

func TestValidateRuntime(t *testing.T) {
	t.Parallel()
	runtime := func(lines string) string { return head + model + "runtime:\n" + lines }
	runParseCases(t, []parseCase{
		{name: "image and Dockerfile", yaml: runtime("  image: acme/server:1.0\n  dockerfile: Dockerfile\n"),
			errs: []string{"9:15: runtime.dockerfile: runtime.image and runtime.dockerfile are mutually exclusive"}},
		{name: "image with a version", yaml: runtime("  image: seldonio/mlserver:1.6.1-xgboost\n")},
		{name: "image with a digest", yaml: runtime("  image: nvcr.io/nvidia/tritonserver@sha256:" + strings.Repeat("a", 64) + "\n")},
		{name: "image with a port in the registry", yaml: runtime("  image: registry.example.com:443/acme/server:2\n")},
		{name: "image without a tag", yaml: runtime("  image: seldonio/mlserver\n"),
			warns: []string{`8:10: runtime.image: "seldonio/mlserver" has no tag, so it means :latest`}},
		{name: "image at latest", yaml: runtime("  image: seldonio/mlserver:latest\n"), warns: []string{`"seldonio/mlserver:latest" changes under you`}},
		{name: "image in the local registry", yaml: runtime("  image: localhost:5001/iris:1\n"),
			warns: []string{"is in a registry on this machine"}},
		{name: "image on the cluster network", yaml: runtime("  image: kubox-registry:5000/iris:1\n"), warns: []string{"is in a registry on this machine"}},
		{name: "bad image", yaml: runtime("  image: Acme/Server:1\n"), errs: []string{`runtime.image: "Acme/Server:1" is not an image reference`}},
		{name: "empty image", yaml: runtime("  image: \"\"\n"), errs: []string{`runtime.image: "" is not an image reference`}},
		{name: "command with the built-in server", yaml: runtime("  command: [serve]\n"),
			errs: []string{"8:12: runtime.command: only applies with runtime.image or runtime.dockerfile"}},
		{name: "args with the built-in server", yaml: runtime("  args: [--fast]\n"), errs: []string{"runtime.args: only applies with"}},
		{name: "port with the built-in server", yaml: runtime("  port: 9000\n"), errs: []string{"runtime.port: only applies with"}},
		{name: "env with the built-in server", yaml: runtime("  env: [{name: GOMAXPROCS, value: 2}]\n")},
		{name: "everything for an image", yaml: runtime("  image: acme/server:1\n  command: [serve]\n  args: [--port, 9000]\n  port: 9000\n  env: [{name: A}]\n")},
		{name: "port zero", yaml: runtime("  image: acme/server:1\n  port: 0\n"), errs: []string{"9:9: runtime.port: want a port from 1 to 65535, got 0"}},
		{name: "port too high", yaml: runtime("  image: acme/server:1\n  port: 65536\n"), errs: []string{"got 65536"}},
		{name: "context without a Dockerfile", yaml: runtime("  image: acme/server:1\n  context: .\n"),
			errs: []string{"runtime.context: only applies to runtime.dockerfile, which is not set"}},
		{name: "buildArgs without a Dockerfile", yaml: runtime("  buildArgs: {A: b}\n"), errs: []string{"runtime.buildArgs: only applies to runtime.dockerfile"}},
		{name: "Dockerfile with context and buildArgs", yaml: runtime("  dockerfile: build/Dockerfile\n  context: ..\n  buildArgs: {VERSION: 1.2}\n")},
		{name: "empty Dockerfile", yaml: runtime("  dockerfile: \"\"\n"), errs: []string{"runtime.dockerfile: must not be empty"}},
		{name: "absolute Dockerfile", yaml: runtime("  dockerfile: /src/Dockerfile\n"), warns: []string{`runtime.dockerfile: "/src/Dockerfile" is absolute`}},
		{name: "build argument without a name", yaml: runtime("  dockerfile: Dockerfile\n  buildArgs: {\"\": b}\n"),
			errs: []string{`runtime.buildArgs[""]: a build argument needs a name`}},
		{name: "env without a name", yaml: runtime("  env: [{value: x}]\n"), errs: []string{"runtime.env[0].name: required field is missing"}},
		{name: "env with an empty name", yaml: runtime("  env: [{name: \"\"}]\n"), errs: []string{"runtime.env[0].name: must not be empty"}},
		{name: "env name with =", yaml: runtime("  env: [{name: A=1}]\n"), errs: []string{`runtime.env[0].name: "A=1" contains '='`}},
		{name: "env set twice", yaml: runtime("  env:\n  - {name: A}\n  - {name: A}\n"),
			errs: []string{`10:12: runtime.env[1].name: "A" is already set by runtime.env[0]`}},
	})
}

func TestValidateServing(t *testing.T) {
	t.Parallel()
	serving := func(lines string) string { return head + model + "serving:\n" + lines }
	resources := func(lines string) string { return serving("  resources:\n" + lines) }
	runParseCases(t, []parseCase{
		{name: "replicas", yaml: serving("  replicas: 3\n")},
		{name: "zero replicas", yaml: serving("  replicas: 0\n"), errs: []string{"8:13: serving.replicas: want at least 1, got 0"}},
		{name: "negative replicas", yaml: serving("  replicas: -2\n"), errs: []string{"serving.replicas: want at least 1, got -2"}},
		{name: "port", yaml: serving("  port: 65535\n")},
		{name: "port zero", yaml: serving("  port: 0\n"), errs: []string{"serving.port: want a port from 1 to 65535, got 0"}},
		{name: "port too high", yaml: serving("  port: 65536\n"), errs: []string{"serving.port: want a port from 1 to 65535, got 65536"}},

		{name: "quantities", yaml: resources("    cpu: 500m\n    memory: 1Gi\n    cpuLimit: 2\n    memoryLimit: 1.5Gi\n    gpu: 1\n")},
		{name: "cpu as a fraction", yaml: resources("    cpu: 0.5\n")},
		{name: "not a quantity", yaml: resources("    cpu: lots\n"), errs: []string{`9:10: serving.resources.cpu: "lots" is not a Kubernetes quantity`}},
		{name: "zero cpu", yaml: resources("    cpu: 0\n"), errs: []string{`serving.resources.cpu: want more than zero, got "0"`}},
		{name: "negative memory", yaml: resources("    memory: -1Gi\n"), errs: []string{"serving.resources.memory: want more than zero"}},
		{name: "milli memory", yaml: resources("    memory: 512m\n"),
			errs: []string{`serving.resources.memory: "512m" is not a whole number of bytes (m means thousandths; did you mean 512Mi?)`}},
		{name: "fractional bytes", yaml: resources("    memoryLimit: 0.5\n"), errs: []string{`serving.resources.memoryLimit: "0.5" is not a whole number of bytes`}},
		{name: "memory in gigabytes", yaml: resources("    memory: 1G\n")},
		{name: "gigabytes spelt wrong", yaml: resources("    memory: 1GB\n"), errs: []string{`"1GB" is not a Kubernetes quantity`}},
		{name: "cpu limit below request", yaml: resources("    cpu: 1\n    cpuLimit: 500m\n"),
			errs: []string{"10:15: serving.resources.cpuLimit: 500m is below the request cpu: 1"}},
		{name: "memory limit below request", yaml: resources("    memory: 1Gi\n    memoryLimit: 512Mi\n"),
			errs: []string{"serving.resources.memoryLimit: 512Mi is below the request memory: 1Gi"}},
		{name: "limit equal to request", yaml: resources("    memory: 1024Mi\n    memoryLimit: 1Gi\n")},
		{name: "limit without request", yaml: resources("    cpuLimit: 1\n")},
		{name: "negative gpu", yaml: resources("    gpu: -1\n"), errs: []string{"serving.resources.gpu: want 0 or more, got -1"}},

		{name: "autoscaling", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    minReplicas: 2\n    maxReplicas: 5\n    targetCPU: 150\n"},
		{name: "autoscaling without maxReplicas", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    minReplicas: 2\n",
			errs: []string{"10:3: serving.autoscaling.maxReplicas: required field is missing"}},
		{name: "max below min", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    minReplicas: 3\n    maxReplicas: 2\n",
			errs: []string{"serving.autoscaling.maxReplicas: want at least minReplicas (3), got 2"}},
		{name: "max below the default min", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    maxReplicas: 0\n",
			errs: []string{"serving.autoscaling.maxReplicas: want at least minReplicas (1), got 0"}},
		{name: "zero min", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    minReplicas: 0\n    maxReplicas: 2\n",
			errs: []string{"serving.autoscaling.minReplicas: want at least 1, got 0"}},
		{name: "zero target", yaml: resources("    cpu: 1\n") + "  autoscaling:\n    maxReplicas: 2\n    targetCPU: 0\n",
			errs: []string{"serving.autoscaling.targetCPU: want a percentage of at least 1, got 0"}},
		{name: "autoscaling and replicas", yaml: resources("    cpu: 1\n") + "  replicas: 2\n  autoscaling:\n    maxReplicas: 2\n",
			warns: []string{"serving.replicas: is ignored while serving.autoscaling is set"}},
		{name: "autoscaling without a cpu request", yaml: serving("  autoscaling:\n    maxReplicas: 2\n"),
			warns: []string{"9:5: serving.autoscaling: the autoscaler measures CPU against serving.resources.cpu, which is not set"}},

		{name: "inference log", yaml: serving("  inferenceLog:\n    enabled: true\n    size: 5Gi\n")},
		{name: "inference log size", yaml: serving("  inferenceLog:\n    enabled: true\n    size: 5GB\n"), errs: []string{`serving.inferenceLog.size: "5GB" is not a Kubernetes quantity`}},
		{name: "inference log size while disabled", yaml: serving("  inferenceLog:\n    size: 5Gi\n"),
			warns: []string{"serving.inferenceLog.size: has no effect while serving.inferenceLog.enabled is false"}},

		{name: "node selector", yaml: serving("  nodeSelector:\n    kubernetes.io/arch: arm64\n    accelerator: nvidia-l4\n")},
		{name: "bad label key", yaml: serving("  nodeSelector:\n    \"team name\": ml\n"),
			errs: []string{`9:5: serving.nodeSelector["team name"]: "team name" is not a label key`}},
		{name: "bad label value", yaml: serving("  nodeSelector:\n    team: \"machine learning\"\n"),
			errs: []string{`9:11: serving.nodeSelector["team"]: "machine learning" is not a label value`}},
		{name: "node selector on a host name", yaml: serving("  nodeSelector:\n    kubernetes.io/hostname: worker-7\n"),
			warns: []string{"pins the model to one node of one cluster"}},

		{name: "tolerations", yaml: serving("  tolerations:\n  - {key: gpu, value: \"true\", effect: NoSchedule}\n  - {key: spot, operator: Exists}\n  - {operator: Exists}\n")},
		{name: "Equal without a key", yaml: serving("  tolerations:\n  - {value: gpu}\n"),
			errs: []string{"9:5: serving.tolerations[0].key: required unless operator is Exists"}},
		{name: "Exists with a value", yaml: serving("  tolerations:\n  - {key: gpu, operator: Exists, value: x}\n"),
			errs: []string{"serving.tolerations[0].value: must be empty when operator is Exists"}},
		{name: "unknown operator", yaml: serving("  tolerations:\n  - {key: gpu, operator: exists}\n"),
			errs: []string{`serving.tolerations[0].operator: unknown operator "exists" (did you mean "Exists"?)`}},
		{name: "unknown effect", yaml: serving("  tolerations:\n  - {key: gpu, effect: Evict}\n"),
			errs: []string{`serving.tolerations[0].effect: unknown effect "Evict" (want one of NoSchedule, PreferNoSchedule, NoExecute)`}},
		{name: "bad taint key", yaml: serving("  tolerations:\n  - {key: \"a b\"}\n"), errs: []string{`serving.tolerations[0].key: "a b" is not a taint key`}},
		{name: "bad taint value", yaml: serving("  tolerations:\n  - {key: a, value: \"a b\"}\n"), errs: []string{`serving.tolerations[0].value: "a b" is not a taint value`}},
	})
}

func TestValidateSamples(t *testing.T) {
	t.Parallel()
	samples := func(lines string) string { return head + model + "samples:\n" + lines }
	input := func(fields string) string { return samples("- name: s\n  inputs:\n  - {name: x, " + fields + "}\n") }
	runParseCases(t, []parseCase{
		{name: "one input", yaml: input("datatype: FP32, shape: [1, 4], data: [1, 2, 3, 4]")},
		{name: "every datatype", yaml: samples("- name: s\n  inputs:\n" +
			"  - {name: a, datatype: BOOL, shape: [2], data: [0, 1]}\n" +
			"  - {name: b, datatype: INT32, shape: [2], data: [-2147483648, 2147483647]}\n" +
			"  - {name: c, datatype: INT64, shape: [2], data: [-9007199254740992, 9007199254740992]}\n" +
			"  - {name: d, datatype: FP32, shape: [1], data: [3.4e38]}\n" +
			"  - {name: e, datatype: FP64, shape: [1], data: [1e300]}\n")},
		{name: "scalar shape", yaml: input("datatype: FP64, shape: [], data: [1]")},
		{name: "empty tensor", yaml: input("datatype: FP64, shape: [0, 3], data: []")},
		{name: "too few values", yaml: input("datatype: FP32, shape: [1, 4], data: [1, 2, 3]"),
			errs: []string{"10:52: samples[0].inputs[0].data: 3 values, but shape [1 4] holds 4"}},
		{name: "one value", yaml: input("datatype: FP32, shape: [2], data: [1]"), errs: []string{"data: 1 value, but shape [2] holds 2"}},
		{name: "negative size", yaml: input("datatype: FP32, shape: [-1, 4], data: [1, 2, 3, 4]"),
			errs: []string{"samples[0].inputs[0].shape[0]: want a size of 0 or more, got -1"}},
		{name: "shape overflows", yaml: input("datatype: FP32, shape: [4294967296, 4294967296], data: [1]"),
			errs: []string{"samples[0].inputs[0].shape: [4294967296 4294967296] holds more values than a sample can"}},
		{name: "unknown datatype", yaml: input("datatype: STRING, shape: [1], data: [1]"),
			errs: []string{`samples[0].inputs[0].datatype: unknown datatype "STRING" (want one of BOOL, INT32, INT64, FP32, FP64)`}},
		{name: "lower case datatype", yaml: input("datatype: fp32, shape: [1], data: [1]"), errs: []string{`unknown datatype "fp32" (did you mean "FP32"?)`}},
		{name: "NumPy datatype", yaml: input("datatype: float64, shape: [1], data: [1]"), errs: []string{`unknown datatype "float64" (the protocol calls float64 "FP64")`}},
		{name: "BOOL of 2", yaml: input("datatype: BOOL, shape: [2], data: [1, 2]"), errs: []string{"samples[0].inputs[0].data[1]: 2 is not BOOL: write BOOL values as 0 or 1"}},
		{name: "INT32 fraction", yaml: input("datatype: INT32, shape: [1], data: [1.5]"), errs: []string{"data[0]: 1.5 is not INT32"}},
		{name: "INT32 too big", yaml: input("datatype: INT32, shape: [1], data: [2147483648]"), errs: []string{"data[0]: 2147483648 is not INT32"}},
		{name: "INT64 too big", yaml: input("datatype: INT64, shape: [1], data: [9007199254740994]"), errs: []string{"data[0]: 9007199254740994 is not INT64"}},
		{name: "FP32 too big", yaml: input("datatype: FP32, shape: [1], data: [1e39]"), errs: []string{"data[0]: 1e+39 is not FP32"}},
		{name: "first bad value only", yaml: input("datatype: BOOL, shape: [3], data: [2, 3, 4]"), errs: []string{"data[0]: 2 is not BOOL"}},
		{name: "string data", yaml: input("datatype: FP32, shape: [1], data: [a]"), errs: []string{`data[0]: want a number, got "a"`}},

		{name: "sample without a name", yaml: samples("- inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n"),
			errs: []string{"samples[0].name: required field is missing"}},
		{name: "empty sample name", yaml: samples("- name: \"\"\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n"),
			errs: []string{"samples[0].name: must not be empty"}},
		{name: "sample names repeat", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n"),
			errs: []string{`10:9: samples[1].name: "s" is already the name of samples[0]`}},
		{name: "no inputs", yaml: samples("- name: s\n"), errs: []string{"8:3: samples[0].inputs: required field is missing"}},
		{name: "empty inputs", yaml: samples("- name: s\n  inputs: []\n"), errs: []string{"samples[0].inputs: want at least one input"}},
		{name: "input names repeat", yaml: samples("- name: s\n  inputs:\n  - {name: x, datatype: FP32, shape: [1], data: [1]}\n  - {name: x, datatype: FP32, shape: [1], data: [1]}\n"),
			errs: []string{`samples[0].inputs[1].name: "x" is already the name of samples[0].inputs[0]`}},
		{name: "input without a shape", yaml: input("datatype: FP32, data: [1]"), errs: []string{"samples[0].inputs[0].shape: required field is missing"}},

		{name: "expect", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  expect:\n  - {name: y, data: [0.5]}\n  - {name: z, data: []}\n")},
		{name: "expect names repeat", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  expect:\n  - {name: y, data: [1]}\n  - {name: y, data: [2]}\n"),
			errs: []string{`samples[0].expect[1].name: "y" is already the name of samples[0].expect[0]`}},
		{name: "expect without data", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  expect: [{name: y}]\n"),
			errs: []string{"samples[0].expect[0].data: required field is missing"}},
		{name: "expect without a name", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  expect: [{data: [1]}]\n"),
			errs: []string{"samples[0].expect[0].name: required field is missing"}},
		{name: "tolerance zero", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  tolerance: 0\n")},
		{name: "negative tolerance", yaml: samples("- name: s\n  inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]\n  tolerance: -1e-3\n"),
			errs: []string{"10:14: samples[0].tolerance: want 0 or more, got -0.001"}},
	})
}

package profiles

// DefaultFile is the name kubox looks for in a model's directory.
const DefaultFile = "kubox.yaml"

// APIVersion and KindModel are the only apiVersion and kind this version of
// kubox reads; a later schema gets a new apiVersion rather than a silent
// change of meaning.
const (
	APIVersion = "kubox.dev/v1alpha1"
	KindModel  = "Model"
)

// Profile is a kubox.yaml: what the model is, how it is served and how to
// check that a deploy works. It never describes the environment (registry,
// storage class, ingress host, pull secrets, namespace): kubox resolves
// those at deploy time, so one profile deploys unchanged anywhere.
//
// A field marked kubox:"required" must be present and not null.
type Profile struct {
	// APIVersion must be APIVersion.
	APIVersion string `yaml:"apiVersion" kubox:"required"`
	// Kind must be KindModel.
	Kind string `yaml:"kind" kubox:"required"`
	// Name is a DNS-1035 label of at most 53 characters, because it names
	// the Helm release (Helm's limit is 53), the Service and the model on
	// the Open Inference Protocol.
	Name string `yaml:"name" kubox:"required"`
	// Model says where the model is and what format it is in.
	Model Model `yaml:"model" kubox:"required"`
	// Runtime says what serves the model. Default: the built-in server.
	Runtime Runtime `yaml:"runtime,omitempty"`
	// Serving shapes the Deployment and Service.
	Serving Serving `yaml:"serving,omitempty"`
	// Samples are inference requests that verify each deploy.
	Samples []Sample `yaml:"samples,omitempty"`

	// Dir is the absolute directory the relative paths in the file were
	// resolved against: the profile's own directory when loaded with Load.
	// It is not read from the file.
	Dir string `yaml:"-"`
}

// Model locates the model.
type Model struct {
	// Path is the model directory or file, written relative to the
	// profile's directory. The loader makes it absolute; Load checks that
	// it exists.
	Path string `yaml:"path" kubox:"required"`
	// Format is how the model is stored.
	Format Format `yaml:"format" kubox:"required"`
	// File names the model file inside a Path that is a directory, when
	// the server cannot pick it out itself. It stays relative to Path.
	File string `yaml:"file,omitempty"`
}

// Format is a model format.
type Format string

// The formats a profile may name. The built-in server serves ONNX and
// XGBoost; custom needs Runtime.Image or Runtime.Dockerfile.
const (
	FormatONNX    Format = "onnx"
	FormatXGBoost Format = "xgboost"
	FormatCustom  Format = "custom"
)

// Runtime selects the server. With neither Image nor Dockerfile the model
// runs in kubox's built-in server (kubox serve). Image and Dockerfile are
// mutually exclusive.
type Runtime struct {
	// Image is a prebuilt server image such as an MLServer or Triton
	// image. A tag or digest is expected; latest or no tag is allowed but
	// warned about, because production would not run what was tested.
	Image string `yaml:"image,omitempty"`
	// Dockerfile builds the server image from custom code. It is relative
	// to the profile's directory; the loader makes it absolute.
	Dockerfile string `yaml:"dockerfile,omitempty"`
	// Context is the Dockerfile's build context, relative to the profile's
	// directory. Default: the profile's directory. Only with Dockerfile.
	Context string `yaml:"context,omitempty"`
	// BuildArgs are passed to the Dockerfile build. Only with Dockerfile.
	BuildArgs map[string]string `yaml:"buildArgs,omitempty"`
	// Command replaces the image's entrypoint. Only with Image or
	// Dockerfile: the built-in server takes no command.
	Command []string `yaml:"command,omitempty"`
	// Args replace the image's arguments. Only with Image or Dockerfile.
	Args []string `yaml:"args,omitempty"`
	// Env is set in the server's container, for any runtime.
	Env []EnvVar `yaml:"env,omitempty"`
	// Port is where the image's server listens, 1-65535. Only with Image or
	// Dockerfile. Default: Serving.Port.
	Port int `yaml:"port,omitempty"`
}

// Builtin reports whether the model is served by kubox's own server.
func (r Runtime) Builtin() bool { return r.Image == "" && r.Dockerfile == "" }

// EnvVar is one environment variable of the server's container.
type EnvVar struct {
	// Name is unique within the list and contains no '='.
	Name string `yaml:"name" kubox:"required"`
	// Value may be empty. Numbers and booleans are taken as written.
	Value string `yaml:"value,omitempty"`
}

// Serving shapes the Deployment, Service and optional autoscaler. Every
// field is optional.
type Serving struct {
	// Replicas is the number of pods, at least 1. Default: 1. Ignored while
	// Autoscaling is set, since the autoscaler owns the count.
	Replicas int `yaml:"replicas,omitempty"`
	// Port is the Service port, and the port the built-in server listens
	// on, 1-65535. Default: 8080.
	Port int `yaml:"port,omitempty"`
	// Resources are the server container's requests and limits.
	Resources Resources `yaml:"resources,omitempty"`
	// Autoscaling adds a HorizontalPodAutoscaler on CPU.
	Autoscaling *Autoscaling `yaml:"autoscaling,omitempty"`
	// InferenceLog keeps requests and responses on a persistent volume.
	InferenceLog *InferenceLog `yaml:"inferenceLog,omitempty"`
	// NodeSelector constrains the pods to nodes with these labels, written
	// as Kubernetes label keys and values.
	NodeSelector map[string]string `yaml:"nodeSelector,omitempty"`
	// Tolerations let the pods run on tainted nodes, such as GPU nodes.
	Tolerations []Toleration `yaml:"tolerations,omitempty"`
}

// Resources are written as Kubernetes quantities ("500m", "2", "1Gi").
// An unset request or limit is left out of the pod. A limit is at least
// its request.
type Resources struct {
	// CPU is the CPU request, more than zero.
	CPU string `yaml:"cpu,omitempty"`
	// Memory is the memory request, a whole number of bytes more than zero.
	Memory string `yaml:"memory,omitempty"`
	// CPULimit is the CPU limit.
	CPULimit string `yaml:"cpuLimit,omitempty"`
	// MemoryLimit is the memory limit.
	MemoryLimit string `yaml:"memoryLimit,omitempty"`
	// GPU is the number of nvidia.com/gpu the pod requests, 0 or more.
	GPU int `yaml:"gpu,omitempty"`
}

// Autoscaling scales the replicas on CPU utilization, measured against
// Resources.CPU.
type Autoscaling struct {
	// MinReplicas is at least 1. Default: 1.
	MinReplicas int `yaml:"minReplicas,omitempty"`
	// MaxReplicas is at least MinReplicas.
	MaxReplicas int `yaml:"maxReplicas" kubox:"required"`
	// TargetCPU is the average CPU utilization to aim for, as a percentage
	// of the request, at least 1. Default: 80.
	TargetCPU int `yaml:"targetCPU,omitempty"`
}

// InferenceLog records inference requests and responses.
type InferenceLog struct {
	// Enabled turns the log on. Default: false.
	Enabled bool `yaml:"enabled,omitempty"`
	// Size of the log's volume, a quantity of bytes. Default: 1Gi.
	Size string `yaml:"size,omitempty"`
}

// Toleration is a Kubernetes toleration.
type Toleration struct {
	// Key is the taint key; empty (with operator Exists) matches every taint.
	Key string `yaml:"key,omitempty"`
	// Operator is Equal or Exists. Default: Equal.
	Operator string `yaml:"operator,omitempty"`
	// Value is the taint value; empty with operator Exists.
	Value string `yaml:"value,omitempty"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute; empty matches
	// all three.
	Effect string `yaml:"effect,omitempty"`
}

// Sample is one Open Inference Protocol v2 request that verifies a deploy:
// it must succeed and, when Expect is given, return those outputs.
type Sample struct {
	// Name is unique among the samples; progress and failures name it.
	Name string `yaml:"name" kubox:"required"`
	// Inputs are the request's tensors, at least one.
	Inputs []Input `yaml:"inputs" kubox:"required"`
	// Expect lists outputs to compare with the response. Outputs the
	// response has and Expect does not mention are not checked.
	Expect []Output `yaml:"expect,omitempty"`
	// Tolerance is the largest absolute difference between an expected
	// and a returned value that still counts as equal, 0 or more.
	// Default: 1e-4. Written out even when 0, which means exact.
	Tolerance float64 `yaml:"tolerance"`
}

// The Open Inference Protocol datatypes a sample may use.
const (
	DatatypeBool  = "BOOL"
	DatatypeInt32 = "INT32"
	DatatypeInt64 = "INT64"
	DatatypeFP32  = "FP32"
	DatatypeFP64  = "FP64"
)

// Input is a request tensor in the protocol's shape. Data holds the values
// in row-major order, as many as the product of Shape. Every datatype is
// written as numbers: BOOL as 0 or 1, INT32 and INT64 as whole numbers
// (INT64 within ±2^53, which float64 holds exactly).
type Input struct {
	// Name is unique within the sample.
	Name string `yaml:"name" kubox:"required"`
	// Datatype is one of BOOL, INT32, INT64, FP32 or FP64.
	Datatype string `yaml:"datatype" kubox:"required"`
	// Shape has a size of 0 or more for every dimension.
	Shape []int64 `yaml:"shape,flow" kubox:"required"`
	// Data are the values.
	Data []float64 `yaml:"data,flow" kubox:"required"`
}

// Output is an expected response tensor.
type Output struct {
	// Name is the output's name in the response, unique within Expect.
	Name string `yaml:"name" kubox:"required"`
	// Data are the expected values in row-major order.
	Data []float64 `yaml:"data,flow" kubox:"required"`
}

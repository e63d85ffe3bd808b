// Package runtime is the model server that runs inside the pod (`kubox
// serve`): the Open Inference Protocol v2 over REST in front of the built-in
// model formats (ONNX, XGBoost JSON).
package runtime

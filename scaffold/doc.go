// Package scaffold starts a kubox project in a directory (`kubox init`): a
// kubox.yaml, a sample model when the directory has none of its own, a
// .kuboxignore, and a GitHub Actions workflow that tests the model on an
// ephemeral cluster.
//
// A directory that already holds a model (an ONNX file, or an XGBoost JSON
// model) is adopted: the profile points at that model, and its sample is a
// request shaped like the model's inputs. Init plans every file before it
// writes one, and refuses to overwrite anything unless asked, so a refused
// init leaves the directory as it was.
package scaffold

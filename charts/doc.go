// Package charts holds the Helm charts kubox installs, embedded in the binary so a deploy needs
// no chart repository and no files next to kubox.
//
// The one chart, model-serving, serves a model over the Open Inference Protocol v2: a
// Deployment with zero-downtime rolling updates and readiness on the model's own ready
// endpoint, a Service named after the release, and optional Ingress, HorizontalPodAutoscaler,
// PodDisruptionBudget and inference-log PersistentVolumeClaim. Its pods meet the restricted Pod
// Security Standard. The chart's values contract is charts/model-serving/values.yaml, enforced
// by values.schema.json; the deploy package fills it.
package charts

{{/*
The chart's name: the app.kubernetes.io/name label.
*/}}
{{- define "model-serving.name" -}}
{{- .Chart.Name -}}
{{- end -}}

{{/*
The name of every object the chart makes: the release name itself, not "<release>-<chart>", so
`helm install iris` gives Service iris and in-cluster clients call http://iris/. A Service name
must be an RFC 1035 label, stricter than Helm's own check on release names (a leading digit
passes Helm but not the API server), so say so here instead of half-way through an install.
*/}}
{{- define "model-serving.fullname" -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" .Release.Name) -}}
{{- fail (printf "release name %q cannot name a Service: use lower-case letters, digits and '-', starting with a letter (e.g. helm install iris ...)" .Release.Name) -}}
{{- end -}}
{{- .Release.Name -}}
{{- end -}}

{{/*
The helm.sh/chart label.
*/}}
{{- define "model-serving.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The model's Open Inference Protocol name. The schema already requires it; this message is for
installs that skip schema validation.
*/}}
{{- define "model-serving.modelName" -}}
{{- required "model.name is required: set it to the model's Open Inference Protocol name (--set model.name=iris)" .Values.model.name -}}
{{- end -}}

{{/*
Labels on every object. kubox.dev/model lets tools find a model's objects whatever the release
is called.
*/}}
{{- define "model-serving.labels" -}}
helm.sh/chart: {{ include "model-serving.chart" . }}
{{ include "model-serving.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubox.dev/model: {{ include "model-serving.modelName" . | quote }}
{{- end -}}

{{/*
Selector labels: only the ones that never change for a release, because a Deployment's selector
is immutable.
*/}}
{{- define "model-serving.selectorLabels" -}}
app.kubernetes.io/name: {{ include "model-serving.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Pod labels: podLabels under the chart's labels, so a user label can never break the selector.
*/}}
{{- define "model-serving.podLabels" -}}
{{- $labels := deepCopy (.Values.podLabels | default dict) -}}
{{- $labels = mergeOverwrite $labels (include "model-serving.labels" . | fromYaml) -}}
{{- toYaml $labels -}}
{{- end -}}

{{/*
The image reference: by digest when there is one, so the pod runs exactly what was built and a
rebuilt model is a new rollout even under the same tag.
*/}}
{{- define "model-serving.image" -}}
{{- $repository := required "image.repository is required: the image's repository without tag or digest (--set image.repository=localhost:5001/team/iris)" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else if .Values.image.tag -}}
{{- printf "%s:%s" $repository .Values.image.tag -}}
{{- else -}}
{{- fail "image.digest or image.tag is required: prefer the digest (--set image.digest=sha256:...)" -}}
{{- end -}}
{{- end -}}

{{/*
The readiness path: by default the model's own ready endpoint, not the server's, so a pod gets
traffic only once this model is loaded and can answer.
*/}}
{{- define "model-serving.readinessPath" -}}
{{- .Values.probes.readinessPath | default (printf "/v2/models/%s/ready" (include "model-serving.modelName" .)) -}}
{{- end -}}

{{/*
imagePullSecrets accepts plain Secret names as well as {name: ...}, the Pod API's form.
*/}}
{{- define "model-serving.imagePullSecrets" -}}
{{- range .Values.imagePullSecrets }}
- name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
{{- end -}}
{{- end -}}

{{/*
Container resources, with the GPUs as an nvidia.com/gpu limit (for extended resources the
request defaults to the limit, and the two may not differ).
*/}}
{{- define "model-serving.resources" -}}
{{- $resources := deepCopy (.Values.resources | default dict) -}}
{{- if gt (int .Values.gpu) 0 -}}
{{- $limits := get $resources "limits" | default dict -}}
{{- $_ := set $limits "nvidia.com/gpu" (int .Values.gpu) -}}
{{- $_ = set $resources "limits" $limits -}}
{{- end -}}
{{- toYaml $resources -}}
{{- end -}}

{{/*
The server's environment. With the inference log each pod writes its own file, so replicas
sharing the volume never interleave records; $(KUBOX_POD_NAME) is expanded by the kubelet.
*/}}
{{- define "model-serving.env" -}}
{{- if .Values.inferenceLog.enabled }}
- name: KUBOX_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: KUBOX_INFERENCE_LOG
  value: /var/log/kubox/$(KUBOX_POD_NAME).log
{{- end }}
{{- with .Values.env }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Checks across values that the schema cannot express, failing with what to change rather than
leaving the API server or a stuck rollout to say it later.
*/}}
{{- define "model-serving.validate" -}}
{{- $grace := int .Values.terminationGracePeriodSeconds -}}
{{- $sleep := int .Values.preStopSleepSeconds -}}
{{- if and (gt $sleep 0) (ge $sleep $grace) -}}
{{- fail (printf "preStopSleepSeconds (%d) must be less than terminationGracePeriodSeconds (%d): the server needs time after the pause to finish in-flight requests" $sleep $grace) -}}
{{- end -}}
{{- $resources := .Values.resources | default dict -}}
{{- $requests := $resources.requests | default dict -}}
{{- range $name, $limit := ($resources.limits | default dict) -}}
{{- if hasKey $requests $name -}}
{{- $r := include "model-serving.quantityValue" (get $requests $name) -}}
{{- $l := include "model-serving.quantityValue" $limit -}}
{{- if and $r $l (gt (float64 $r) (float64 $l)) -}}
{{- fail (printf "resources.requests.%s (%v) is more than resources.limits.%s (%v), which the API server refuses: raise the limit too, or set it to null to drop the chart's default" $name (get $requests $name) $name $limit) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if .Values.autoscaling.enabled -}}
{{- if lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas) -}}
{{- fail (printf "autoscaling.maxReplicas (%d) must be at least autoscaling.minReplicas (%d)" (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- end -}}
{{- if not (hasKey $requests "cpu") -}}
{{- fail "autoscaling.enabled needs resources.requests.cpu: CPU utilization is measured against the request" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A resource quantity as a plain number, or "" for a form this does not read (exponents), so a
request above its limit is caught at render time: the chart's default memory limit survives a
raised memory request in the values, and the API server would otherwise refuse every pod while
the rollout waits.
*/}}
{{- define "model-serving.quantityValue" -}}
{{- $q := toString . -}}
{{- $number := regexFind "^[0-9]*\\.?[0-9]+" $q -}}
{{- $factors := dict "" 1.0 "n" 1e-9 "u" 1e-6 "m" 1e-3 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- $suffix := trimPrefix $number $q -}}
{{- if and $number (hasKey $factors $suffix) -}}
{{- mulf (float64 $number) (get $factors $suffix) -}}
{{- end -}}
{{- end -}}

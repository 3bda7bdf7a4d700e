{{/* The release's base name: the release name, or <release>-prodclass when it does not say prodclass. */}}
{{- define "prodclass.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "component" "name"). */}}
{{- define "prodclass.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: prodclass
{{ include "prodclass.selectorLabels" . }}
{{- end -}}

{{/* The labels a component's selector matches; call with (dict "root" $ "component" "name"). */}}
{{- define "prodclass.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference; call with (dict "root" $ "image" .Values.images.operator). */}}
{{- define "prodclass.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* Non-root, read-only container; every container of the chart uses it. */}}
{{- define "prodclass.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Pod security context for a non-root user id. */}}
{{- define "prodclass.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "prodclass.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "prodclass.postgresqlName" -}}{{ include "prodclass.fullname" . }}-postgresql{{- end -}}
{{- define "prodclass.mlflowName" -}}{{ include "prodclass.fullname" . }}-mlflow{{- end -}}
{{- define "prodclass.operatorName" -}}{{ include "prodclass.fullname" . }}-operator{{- end -}}

{{/* The Secret with DATABASE_URL and MLFLOW_TRACKING_URI that the operator, its Jobs and model servers read. */}}
{{- define "prodclass.pipelineSecret" -}}
{{- if .Values.postgresql.enabled -}}
{{ include "prodclass.fullname" . }}-pipeline
{{- else -}}
{{ .Values.externalDatabase.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "prodclass.mlflowUrl" -}}
http://{{ include "prodclass.mlflowName" . }}.{{ .Release.Namespace }}.svc:5000
{{- end -}}

{{- define "prodclass.predictionServiceName" -}}
{{- default (include "prodclass.fullname" .) .Values.predictionService.name -}}
{{- end -}}

{{/*
The bundled PostgreSQL's password: the one its Secret already holds (upgrades keep it), or 32
random characters at install. Remembered for the rest of the render so that every Secret built from
it agrees. `helm template` (no cluster) always generates a new one.
*/}}
{{- define "prodclass.postgresqlPassword" -}}
{{- if not (index .Values "generatedPostgresqlPassword") -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "prodclass.postgresqlName" .) -}}
{{- $stored := dig "data" "POSTGRES_PASSWORD" "" ($secret | default dict) -}}
{{- $_ := set .Values "generatedPostgresqlPassword" (ternary ($stored | b64dec) (randAlphaNum 32) (ne $stored "")) -}}
{{- end -}}
{{- index .Values "generatedPostgresqlPassword" -}}
{{- end -}}

{{/* postgresql:// URL of one database of the bundled PostgreSQL; call with (dict "root" $ "database" "name"). */}}
{{- define "prodclass.postgresqlUrl" -}}
{{- $root := .root -}}
postgresql://{{ $root.Values.postgresql.user }}:{{ include "prodclass.postgresqlPassword" $root }}@{{ include "prodclass.postgresqlName" $root }}.{{ $root.Release.Namespace }}.svc:5432/{{ .database }}
{{- end -}}

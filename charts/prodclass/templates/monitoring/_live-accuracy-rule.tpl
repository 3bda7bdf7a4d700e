{{- /*
The live-accuracy alert group, appended to the PrometheusRule: its margin, minimum labels and `for`
are values (monitoring.prometheusRule.liveAccuracy), so it is a template rather than a line of
files/alert-rules.yaml. The series are the operator's (job="prodclass-operator"), labelled with the
PredictionService's namespace and name and the model version.
*/ -}}
{{- define "prodclass.liveAccuracyRules" -}}
{{- $alert := .Values.monitoring.prometheusRule.liveAccuracy -}}
- name: prodclass-live-quality
  rules:
    - alert: ProdclassLiveAccuracyLow
      expr: |
        prodclass_live_accuracy
          < on (namespace, service, model_version)
        (prodclass_model_test_accuracy - {{ $alert.margin | float64 }})
          and on (namespace, service, model_version)
        prodclass_live_labels >= {{ $alert.minLabels | int }}
      for: {{ $alert.for }}
      labels:
        severity: warning
      annotations:
        summary: {{ `"{{ $labels.namespace }}/{{ $labels.service }} v{{ $labels.model_version }}: live accuracy below its test accuracy"` }}
        description: {{ printf "Live accuracy {{ $value | humanizePercentage }} over the labeled predictions of the PredictionService's window is more than %v below the version's offline test accuracy (at least %v labels). See `kubectl get predictionservice` (LIVE-ACC) and docs/quality.md; a DriftMonitor with the performance test can retrain." ($alert.margin | float64) ($alert.minLabels | int) | quote }}
{{- end }}

{{- $certs := dict }}
{{- if not .Values.webhook.certManager.enabled }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "hub.webhookSecret" .) }}
{{- if and $existing (index $existing.data "ca.crt") }}
{{- $certs = dict "ca" (index $existing.data "ca.crt" | b64dec) "crt" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) }}
{{- else }}
{{- $certs = include "hub.webhookCerts" . | fromJson }}
{{- end }}
# The webhook serving certificate and its CA, generated at install and kept on upgrade.
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: {{ include "hub.webhookSecret" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "hub.labels" . | nindent 4 }}
data:
  tls.crt: {{ $certs.crt | b64enc }}
  tls.key: {{ $certs.key | b64enc }}
  ca.crt: {{ $certs.ca | b64enc }}
{{- else }}
{{- if not .Values.webhook.certManager.issuerRef }}
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {{ include "hub.fullname" . }}-selfsigned
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "hub.labels" . | nindent 4 }}
spec:
  selfSigned: {}
---
{{- end }}
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ include "hub.fullname" . }}-webhook
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "hub.labels" . | nindent 4 }}
spec:
  secretName: {{ include "hub.webhookSecret" . }}
  dnsNames:
    - {{ include "hub.webhookService" . }}.{{ .Release.Namespace }}.svc
    - {{ include "hub.webhookService" . }}.{{ .Release.Namespace }}.svc.cluster.local
  issuerRef:
    {{- if .Values.webhook.certManager.issuerRef }}
    {{- toYaml .Values.webhook.certManager.issuerRef | nindent 4 }}
    {{- else }}
    name: {{ include "hub.fullname" . }}-selfsigned
    kind: Issuer
    {{- end }}
{{- end }}

{{- define "hub.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hub.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "hub.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "hub.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "hub.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "hub.webhookService" -}}
{{- printf "%s-webhook" (include "hub.fullname" .) -}}
{{- end -}}

{{- define "hub.webhookSecret" -}}
{{- printf "%s-webhook-tls" (include "hub.fullname" .) -}}
{{- end -}}

{{/* The webhook CA and serving certificate, generated once per render when cert-manager is off. */}}
{{- define "hub.webhookCerts" -}}
{{- $svc := include "hub.webhookService" . -}}
{{- $ca := genCA (printf "%s-ca" $svc) 3650 -}}
{{- $dns := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- $cert := genSignedCert $svc nil $dns 3650 $ca -}}
{{- dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key | toJson -}}
{{- end -}}

{{- define "hub.tokenService" -}}
{{- printf "%s-token" (include "hub.fullname" .) -}}
{{- end -}}

{{/* The token endpoint's serving certificate Secret (tls.crt, tls.key). */}}
{{- define "hub.tokenTlsSecret" -}}
{{- default (printf "%s-token-tls" (include "hub.fullname" .)) .Values.registryToken.tls.existingSecret -}}
{{- end -}}

{{/* DNS names of the token Service, plus registryToken.tls.dnsNames. */}}
{{- define "hub.tokenDnsNames" -}}
{{- $svc := include "hub.tokenService" . -}}
{{- $names := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- concat $names .Values.registryToken.tls.dnsNames | toJson -}}
{{- end -}}

{{/* The token endpoint's CA and serving certificate, generated when cert-manager is off. */}}
{{- define "hub.tokenCerts" -}}
{{- $svc := include "hub.tokenService" . -}}
{{- $ca := genCA (printf "%s-ca" $svc) 3650 -}}
{{- $cert := genSignedCert $svc nil (include "hub.tokenDnsNames" . | fromJsonArray) 3650 $ca -}}
{{- dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key | toJson -}}
{{- end -}}

{{/* The KubePkg controller (kubepkg.enabled): its own name, pods, ServiceAccount and webhook Service. */}}
{{- define "hub.kubepkgName" -}}
{{- printf "%s-kubepkg" (include "hub.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Not the catalogue's selector labels: neither its Services nor its PodDisruptionBudget may pick these pods. */}}
{{- define "hub.kubepkgSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-kubepkg
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hub.kubepkgWebhookService" -}}
{{- printf "%s-webhook" (include "hub.kubepkgName" .) -}}
{{- end -}}

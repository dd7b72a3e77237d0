{{/*
Named templates shared by the Wissel chart.
*/}}

{{/* The chart name, at most 63 characters (a DNS label). */}}
{{- define "wissel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's resources: release name + chart name, at most 63 characters. */}}
{{- define "wissel.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* name-version for the helm.sh/chart label. */}}
{{- define "wissel.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the router pods; never change them (Deployment selectors are immutable). */}}
{{- define "wissel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wissel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: router
{{- end }}

{{/* Labels of every resource, without the component. */}}
{{- define "wissel.baseLabels" -}}
helm.sh/chart: {{ include "wissel.chart" . }}
app.kubernetes.io/name: {{ include "wissel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: wissel
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the router's resources. */}}
{{- define "wissel.labels" -}}
{{ include "wissel.baseLabels" . }}
app.kubernetes.io/component: router
{{- end }}

{{/* The ServiceAccount the pods run as. */}}
{{- define "wissel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wissel.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference from {registry, repository, tag, digest}; `defaultTag` when tag is empty. */}}
{{- define "wissel.image" -}}
{{- $repository := .image.repository }}
{{- if .image.registry }}
{{- $repository = printf "%s/%s" .image.registry .image.repository }}
{{- end }}
{{- if .image.digest }}
{{- printf "%s@%s" $repository .image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (toString (default .defaultTag .image.tag)) }}
{{- end }}
{{- end }}

{{/* The Secret holding the pseudonym secrets, one key per pseudonym_secret_env. */}}
{{- define "wissel.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-pseudonym" (include "wissel.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
The distinct pseudonym_secret_env and attribute_key_env names of the tenants, in order, as a JSON
list: the environment variables filled from the Secret's keys of the same names.
*/}}
{{- define "wissel.secretEnvNames" -}}
{{- $names := list }}
{{- range .Values.config.tenants }}
{{- if not (has .pseudonym_secret_env $names) }}
{{- $names = append $names .pseudonym_secret_env }}
{{- end }}
{{- if and .attribute_key_env (not (has .attribute_key_env $names)) }}
{{- $names = append $names .attribute_key_env }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* The distinct attribute_key_env names of the tenants, as a JSON list. */}}
{{- define "wissel.attributeKeyEnvNames" -}}
{{- $names := list }}
{{- range .Values.config.tenants }}
{{- if and .attribute_key_env (not (has .attribute_key_env $names)) }}
{{- $names = append $names .attribute_key_env }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* The headless Service that gives each router pod a stable DNS name (cluster.advertise podDNS). */}}
{{- define "wissel.peersServiceName" -}}
{{- printf "%s-peers" (include "wissel.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Where the TLS Secret is mounted in the router container. */}}
{{- define "wissel.tlsDir" -}}
/etc/wissel/tls
{{- end }}

{{/* The name grpc_health_probe expects in the router's certificate: the Service's DNS name by default. */}}
{{- define "wissel.probeServerName" -}}
{{- default (printf "%s.%s.svc" (include "wissel.fullname" .) .Release.Namespace) .Values.grpcHealthProbe.serverName }}
{{- end }}

{{/*
Where the other routers reach this one, and the name they verify in its certificate. podDNS: the
pod's name under the headless peers Service (POD_NAME from metadata.name; the pod's hostname is
its name and its subdomain that Service). podIP: the pod IP (POD_IP from status.podIP), an IPv6
address in brackets. Kubernetes substitutes $(VAR) in args.
*/}}
{{- define "wissel.advertiseAddress" -}}
{{- if eq .Values.cluster.advertise "podDNS" }}
{{- printf "$(POD_NAME).%s.%s.svc.%s:%v" (include "wissel.peersServiceName" .) .Release.Namespace .Values.cluster.domain .Values.containerPorts.grpc }}
{{- else if .Values.cluster.podIPv6 }}
{{- printf "[$(POD_IP)]:%v" .Values.containerPorts.grpc }}
{{- else }}
{{- printf "$(POD_IP):%v" .Values.containerPorts.grpc }}
{{- end }}
{{- end }}

{{/*
A duration as the chart's values write it ("2s", "500ms", "1h30m", "1d") in whole milliseconds,
for the checks that compare two of them.
*/}}
{{- define "wissel.durationMs" -}}
{{- $ms := 0 }}
{{- range regexFindAll "[0-9]+(ms|s|m|h|d)" (toString .) -1 }}
{{- $unit := regexReplaceAll "^[0-9]+" . "" }}
{{- $factor := get (dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000) $unit }}
{{- $ms = add $ms (mul (atoi (regexFind "^[0-9]+" .)) $factor) }}
{{- end }}
{{- $ms }}
{{- end }}

{{/*
Checks that the schema cannot express; each failure names the value to change.
*/}}
{{- define "wissel.validateValues" -}}
{{- if not .Values.config.tenants }}
{{- fail "config.tenants: at least one tenant is required" }}
{{- end }}
{{- if not .Values.tls.secretName }}
{{- fail "tls.secretName: wisseld refuses to start without TLS; name a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (e.g. a cert-manager Certificate's secretName; see the chart README, \"TLS and access\")" }}
{{- end }}
{{- range $i, $t := .Values.config.tenants }}
{{- if or (hasKey $t "pseudonym_secret") (hasKey $t "pseudonym_secret_file") }}
{{- fail (printf "config.tenants[%d]: pseudonym_secret and pseudonym_secret_file are not allowed in the chart; set pseudonym_secret_env and put the secret in the Secret (secrets.*)" $i) }}
{{- end }}
{{- if or (hasKey $t "attribute_key") (hasKey $t "attribute_key_file") }}
{{- fail (printf "config.tenants[%d]: attribute_key and attribute_key_file are not allowed in the chart; set attribute_key_env and put the key in the Secret (secrets.*)" $i) }}
{{- end }}
{{- range $t.attributes }}
{{- if and .personal (not $t.attribute_key_env) }}
{{- fail (printf "config.tenants[%d]: attribute %s is personal and needs attribute_key_env, whose key (64 hex digits) comes from the Secret" $i .name) }}
{{- end }}
{{- end }}
{{- if not $t.pseudonym_secret_env }}
{{- fail (printf "config.tenants[%d]: pseudonym_secret_env is required" $i) }}
{{- end }}
{{- end }}
{{- if and .Values.secrets.create .Values.secrets.existingSecret }}
{{- fail "secrets.create and secrets.existingSecret exclude each other: create is for development, existingSecret for production" }}
{{- end }}
{{- if not (or .Values.secrets.create .Values.secrets.existingSecret) }}
{{- fail "set secrets.existingSecret to the Secret with the tenants' pseudonym secrets (production), or secrets.create=true (development)" }}
{{- end }}
{{- if and .Values.redis.sentinel.enabled (not .Values.redis.sentinel.masterName) }}
{{- fail "redis.sentinel.masterName: the name the Sentinels monitor the primary under is required" }}
{{- end }}
{{- if and .Values.redis.sentinel.enabled (not .Values.redis.sentinel.addresses) }}
{{- fail "redis.sentinel.addresses: list the Sentinels (host:port, usually port 26379), not the Redis servers" }}
{{- end }}
{{- if and (not .Values.redis.sentinel.enabled) (not .Values.redis.host) }}
{{- fail "redis.host: the Redis primary is required (this chart does not deploy Redis)" }}
{{- end }}
{{- if and .Values.redis.username (not .Values.redis.passwordSecret.name) }}
{{- fail "redis.username needs redis.passwordSecret.name: the Secret with that user's password" }}
{{- end }}
{{- if and .Values.redis.sentinel.username (not .Values.redis.sentinel.passwordSecret.name) }}
{{- fail "redis.sentinel.username needs redis.sentinel.passwordSecret.name: the Secret with that user's password" }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- $minAvailableIsNumber := or (kindIs "float64" $pdb.minAvailable) (kindIs "int64" $pdb.minAvailable) (kindIs "int" $pdb.minAvailable) }}
{{- if and $pdb.enabled (not .Values.autoscaling.hpa.enabled) $minAvailableIsNumber }}
{{- if ge (int $pdb.minAvailable) (int .Values.replicaCount) }}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below replicaCount (%d), or no node could ever be drained" (int $pdb.minAvailable) (int .Values.replicaCount)) }}
{{- end }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- /*
Cross-field mistakes that would otherwise pass install and fail only later. JSON Schema draft-07
cannot compare two values, so they are checked here.
*/}}
{{- $drain := default "10s" .Values.config.drain_timeout }}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) (int64 (include "wissel.durationMs" $drain)) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.drain_timeout (%s): the kubelet would kill a router while it still drains its calls" .Values.terminationGracePeriodSeconds $drain) }}
{{- end }}
{{- if ge (int64 (include "wissel.durationMs" .Values.redis.replicaAckTimeout)) (int64 (include "wissel.durationMs" .Values.redis.commandTimeout)) }}
{{- fail (printf "redis.replicaAckTimeout (%s) must be shorter than redis.commandTimeout (%s): the batch's command would time out before its replicas could acknowledge it (the router refuses it too)" .Values.redis.replicaAckTimeout .Values.redis.commandTimeout) }}
{{- end }}
{{- $hpa := .Values.autoscaling.hpa }}
{{- if and $hpa.enabled (gt (int $hpa.minReplicas) (int $hpa.maxReplicas)) }}
{{- fail (printf "autoscaling.hpa.minReplicas (%d) must not exceed autoscaling.hpa.maxReplicas (%d)" (int $hpa.minReplicas) (int $hpa.maxReplicas)) }}
{{- end }}
{{- end }}

{{/*
grpc_health_probe (grpcHealthProbe.path in the wisseld image) against the router in the same pod,
over mutual TLS with the pod's own certificate, as an exec probe's command (a YAML list).
*/}}
{{- define "wissel.grpcHealthProbeCommand" -}}
{{- $dir := include "wissel.tlsDir" . -}}
- {{ .Values.grpcHealthProbe.path | quote }}
- {{ printf "-addr=127.0.0.1:%v" .Values.containerPorts.grpc | quote }}
- -tls
- -tls-ca-cert={{ $dir }}/ca.crt
- -tls-client-cert={{ $dir }}/tls.crt
- -tls-client-key={{ $dir }}/tls.key
- {{ printf "-tls-server-name=%s" (include "wissel.probeServerName" .) | quote }}
- -connect-timeout=2s
- -rpc-timeout=2s
{{- end }}

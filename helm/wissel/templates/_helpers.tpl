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
The router configuration as the operator wrote it (config.wisselYaml), parsed, as JSON: what the
templates need to know of it (tenant ids, secret names, drain_timeout, access). The router's own
loader checks the file itself (`wisselctl config check`, scripts/check-chart.sh).
*/}}
{{- define "wissel.routerConfig" -}}
{{- $config := fromYaml .Values.config.wisselYaml }}
{{- if hasKey $config "Error" }}
{{- fail (printf "config.wisselYaml is not valid YAML: %s" $config.Error) }}
{{- end }}
{{- toJson $config }}
{{- end }}

{{/*
The environment variables filled from the Secret's keys of the same names, as a JSON list of
{name, generate}: every tenant's pseudonym_secret_env, previous_pseudonym_secret_env and
attribute_key_env, in file order, each once. generate is "secret", "attributeKey" or "" (a
previous secret is never generated: it must be the one the tenant used before).
*/}}
{{- define "wissel.secretEnvs" -}}
{{- $config := include "wissel.routerConfig" . | fromJson }}
{{- $names := list }}
{{- $envs := list }}
{{- range $tenant := $config.tenants | default list }}
{{- range $pair := list (list "pseudonym_secret_env" "secret") (list "previous_pseudonym_secret_env" "") (list "attribute_key_env" "attributeKey") }}
{{- $name := get $tenant (index $pair 0) | default "" | toString }}
{{- if and $name (not (has $name $names)) }}
{{- $names = append $names $name }}
{{- $envs = append $envs (dict "name" $name "generate" (index $pair 1)) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $envs }}
{{- end }}

{{/*
An operator's YAML file with the top-level sections in `owned` commented out line by line
("#(chart) "), so that every other line keeps its line number; the chart's own sections follow
at the end. {text, owned}. The router's wissel.yaml and wissel-sip's sip.yaml use it.
*/}}
{{- define "wissel.commentOutSections" -}}
{{- $owned := .owned }}
{{- $skip := false }}
{{- range $i, $line := splitList "\n" (trimSuffix "\n" .text) }}
{{- if regexMatch "^[A-Za-z_][A-Za-z0-9_]*[ \t]*:" $line }}
{{- $skip = has (regexFind "^[A-Za-z_][A-Za-z0-9_]*" $line) $owned }}
{{- end }}
{{- if $i }}{{ "\n" }}{{ end }}
{{- if and $skip (not (regexMatch "^[ \t]*(#.*)?$" $line)) }}{{ printf "#(chart) %s" $line }}{{ else }}{{ $line }}{{ end }}
{{- end }}
{{- end }}

{{/*
The operator's wissel.yaml (config.wisselYaml) as it goes into the ConfigMap: unchanged, except
that the top-level sections the chart writes itself from its values (listen_address, tls, redis;
metrics with metrics.enabled) are commented out line by line ("#(chart) "; their blank and comment lines are left as they are),
so that every other line keeps its line number: an error the
router reports at wissel.yaml:LINE is on that line of config.wisselYaml. The chart's own
sections follow at the end (wissel.chartConfig).
*/}}
{{- define "wissel.operatorConfig" -}}
{{- $owned := list "listen_address" "tls" "redis" }}
{{- if .Values.metrics.enabled }}
{{- $owned = append $owned "metrics" }}
{{- end }}
{{- include "wissel.commentOutSections" (dict "text" .Values.config.wisselYaml "owned" $owned) }}
{{- end }}

{{/*
The sections of wissel.yaml the chart writes from its values: where the router listens, its TLS
files (the mounted Secrets), and how it reaches Redis (passwords from Secrets, by environment).
Changes to them need a restart, so they are part of the pods' checksum/restart annotation.
*/}}
{{- define "wissel.chartConfig" -}}
# ---- Written by the wissel Helm chart from its values (the file's own listen_address, tls,
# ---- redis and metrics sections, if it has them, are the lines marked "#(chart)" above).
listen_address: "0.0.0.0:{{ .Values.containerPorts.grpc }}"
# The Secret {{ .Values.tls.secretName }}, mounted as a volume: renewals are reloaded without a restart.
tls:
  certificate_file: {{ include "wissel.tlsDir" . }}/tls.crt
  private_key_file: {{ include "wissel.tlsDir" . }}/tls.key
  client_ca_file: {{ include "wissel.caFile" (dict "ca" .Values.tls.clientCa "dir" "client-ca" "default" (printf "%s/ca.crt" (include "wissel.tlsDir" .))) }}
  {{- if or .Values.tls.peerCa.secretName .Values.tls.peerCa.configMapName }}
  peer_ca_file: {{ include "wissel.caFile" (dict "ca" .Values.tls.peerCa "dir" "peer-ca" "default" "") }}
  {{- end }}
  require_client_certificate: {{ .Values.tls.requireClientCertificate }}
  {{- with .Values.tls.refreshInterval }}
  refresh_interval: {{ . | quote }}
  {{- end }}
redis:
  {{- if .Values.redis.sentinel.enabled }}
  sentinel:
    master_name: {{ .Values.redis.sentinel.masterName | quote }}
    addresses:
      {{- range .Values.redis.sentinel.addresses }}
      - {{ . | quote }}
      {{- end }}
    {{- if .Values.redis.sentinel.passwordSecret.name }}
    {{- with .Values.redis.sentinel.username }}
    username: {{ . | quote }}
    {{- end }}
    password_env: WISSEL_REDIS_SENTINEL_PASSWORD
    {{- end }}
  {{- else }}
  host: {{ .Values.redis.host | quote }}
  port: {{ .Values.redis.port }}
  {{- end }}
  {{- if .Values.redis.passwordSecret.name }}
  {{- with .Values.redis.username }}
  username: {{ . | quote }}
  {{- end }}
  password_env: WISSEL_REDIS_PASSWORD
  {{- end }}
  connect_timeout: {{ .Values.redis.connectTimeout | quote }}
  command_timeout: {{ .Values.redis.commandTimeout | quote }}
  min_replica_acks: {{ .Values.redis.minReplicaAcks }}
  replica_ack_timeout: {{ .Values.redis.replicaAckTimeout | quote }}
{{- if .Values.metrics.enabled }}
# Prometheus: HTTPS with the certificate above; every scrape presents the token of the Secret
# {{ .Values.metrics.tokenSecret.name }}, mounted as a file and re-read when it changes.
metrics:
  listen_address: "0.0.0.0:{{ .Values.metrics.containerPort }}"
  bearer_token_file: {{ include "wissel.metricsTokenDir" . }}/{{ .Values.metrics.tokenSecret.key }}
{{- end }}
{{- end }}

{{/* Where the scrape token's Secret (metrics.tokenSecret) is mounted. */}}
{{- define "wissel.metricsTokenDir" -}}
/etc/wissel/metrics-token
{{- end }}

{{/*
Where a CA bundle of tls.clientCa / tls.peerCa is mounted: {ca: {secretName, configMapName, key},
dir, default}; `default` when neither names one.
*/}}
{{- define "wissel.caFile" -}}
{{- if or .ca.secretName .ca.configMapName }}
{{- printf "/etc/wissel/%s/%s" .dir .ca.key }}
{{- else }}
{{- .default }}
{{- end }}
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
{{- $config := include "wissel.routerConfig" . | fromJson }}
{{- if not $config.tenants }}
{{- fail "config.wisselYaml: at least one tenant is required (tenants:)" }}
{{- end }}
{{- if not .Values.tls.secretName }}
{{- fail "tls.secretName: wisseld refuses to start without TLS; name a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (e.g. tls.certManager.enabled, or a cert-manager Certificate's secretName; see the chart README, \"Certificates\")" }}
{{- end }}
{{- if ($config.access | default dict).allow_anonymous }}
{{- fail "config.wisselYaml: access.allow_anonymous is for loopback development only; the router refuses it on the pod's listen address" }}
{{- end }}
{{- range $i, $t := $config.tenants }}
{{- range $key := list "pseudonym_secret" "pseudonym_secret_file" "previous_pseudonym_secret" "previous_pseudonym_secret_file" "attribute_key" "attribute_key_file" }}
{{- if hasKey $t $key }}
{{- fail (printf "config.wisselYaml: tenants[%d].%s is not allowed in the chart: a secret must not be in a ConfigMap; use %s_env and put the secret in the Secret (secrets.*)" $i $key (trimSuffix "_file" $key)) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $name, $_ := .Values.config.files }}
{{- if eq $name "wissel.yaml" }}
{{- fail "config.files: wissel.yaml is config.wisselYaml; name the other files (handlers_file, rules_file) here" }}
{{- end }}
{{- end }}
{{- range (include "wissel.secretEnvs" . | fromJsonArray) }}
{{- if and $.Values.secrets.create (not .generate) (not (hasKey $.Values.secrets.pseudonymSecrets .name)) }}
{{- fail (printf "secrets.pseudonymSecrets.%s: a previous pseudonym secret is never generated; give the secret the tenant used before" .name) }}
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
{{- if and .Values.metrics.enabled (not .Values.metrics.tokenSecret.name) }}
{{- fail "metrics.tokenSecret.name: every scrape of the metrics endpoint presents a bearer token; name the Secret that holds it (key metrics.tokenSecret.key)" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: without it wisseld serves no metrics" }}
{{- end }}
{{- if and .Values.metrics.prometheusRule.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.prometheusRule.enabled needs metrics.enabled: the alerts read the router's metrics" }}
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
{{- if and .Values.tls.certManager.enabled (eq .Values.cluster.advertise "podIP") }}
{{- fail "tls.certManager.enabled with cluster.advertise podIP: one Certificate cannot carry every pod's IP; use podDNS, or per-pod certificates (e.g. cert-manager's CSI driver) without tls.certManager" }}
{{- end }}
{{- if and .Values.config.filesConfigMap (eq .Values.config.filesConfigMap (include "wissel.fullname" .)) }}
{{- fail "config.filesConfigMap: that is the chart's own ConfigMap; name another one" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- /*
Cross-field mistakes that would otherwise pass install and fail only later. JSON Schema draft-07
cannot compare two values, so they are checked here.
*/}}
{{- $drain := default "10s" $config.drain_timeout | toString }}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) (int64 (include "wissel.durationMs" $drain)) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed drain_timeout (%s) of config.wisselYaml: the kubelet would kill a router while it still drains its calls" .Values.terminationGracePeriodSeconds $drain) }}
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

{{/*
Named templates of the channel adapters beside the router (values sip, chat, webform, balie).
Most take a context dict {root: $, name: "chat", p: .Values.chat}, which the templates build as
  $ctx := dict "root" $ "name" $name "p" (index $.Values $name)
*/}}

{{/* The programs in the order they are rendered. */}}
{{- define "wissel.programNames" -}}
{{- toJson (list "sip" "chat" "webform" "balie") }}
{{- end }}

{{/* The HTTP adapters among them: HTTPS, a ClusterIP Service, an optional Ingress. */}}
{{- define "wissel.httpProgramNames" -}}
{{- toJson (list "chat" "webform" "balie") }}
{{- end }}

{{/* <fullname>-<program>, at most 63 characters. */}}
{{- define "wissel.program.fullname" -}}
{{- printf "%s-%s" (include "wissel.fullname" .root | trunc (int (sub 62 (len .name))) | trimSuffix "-") .name }}
{{- end }}

{{/* The binary in the image: /usr/local/bin/wissel-<program>. */}}
{{- define "wissel.program.binary" -}}
{{- printf "wissel-%s" .name }}
{{- end }}

{{/* Labels that select a program's pods; never change them (Deployment selectors are immutable). */}}
{{- define "wissel.program.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wissel.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Labels of a program's resources. */}}
{{- define "wissel.program.labels" -}}
{{ include "wissel.baseLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* The program's image: its own image.repository, else the router's image (one image, every program). */}}
{{- define "wissel.program.image" -}}
{{- if .p.image.repository }}
{{- include "wissel.image" (dict "image" .p.image "defaultTag" .root.Chart.AppVersion) }}
{{- else }}
{{- include "wissel.image" (dict "image" .root.Values.image "defaultTag" .root.Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The router's gRPC target: router.address, else this release's router Service (its certificate carries that name). */}}
{{- define "wissel.program.routerAddress" -}}
{{- default (printf "%s.%s.svc:%v" (include "wissel.fullname" .root) .root.Release.Namespace .root.Values.service.ports.grpc) .p.router.address }}
{{- end }}

{{/* Where a program's own TLS Secret is mounted. */}}
{{- define "wissel.program.tlsDir" -}}
/etc/wissel/tls
{{- end }}

{{/* The file of the router's CA bundle: router.ca, else ca.crt of the program's own Secret. */}}
{{- define "wissel.program.routerCaFile" -}}
{{- include "wissel.caFile" (dict "ca" .p.router.ca "dir" "router-ca" "default" (printf "%s/ca.crt" (include "wissel.program.tlsDir" .))) }}
{{- end }}

{{/* The listen host on every interface of the pod: IPv6 pods (cluster.podIPv6) bind [::]. */}}
{{- define "wissel.program.anyHost" -}}
{{- if .root.Values.cluster.podIPv6 }}[::]{{ else }}0.0.0.0{{ end }}
{{- end }}

{{/*
The router flags every adapter shares (adapters/common/adapter_process.h): target, deadline, the
CA of the router's certificate, the client certificate of the program's Secret (mutual TLS; the
router matches its URI SAN against the grants) and an optional bearer token file. YAML list items.
*/}}
{{- define "wissel.program.routerArgs" -}}
- {{ printf "--router=%s" (include "wissel.program.routerAddress" .) | quote }}
- {{ printf "--router_deadline=%s" .p.router.deadline | quote }}
- {{ printf "--router_ca_file=%s" (include "wissel.program.routerCaFile" .) | quote }}
{{- with .p.router.serverName }}
- {{ printf "--router_server_name=%s" . | quote }}
{{- end }}
{{- if .p.tls.secretName }}
- --router_cert_file={{ include "wissel.program.tlsDir" . }}/tls.crt
- --router_key_file={{ include "wissel.program.tlsDir" . }}/tls.key
{{- end }}
{{- if .p.router.tokenSecret.name }}
- {{ printf "--router_token_file=/etc/wissel/router-token/%s" .p.router.tokenSecret.key | quote }}
{{- end }}
{{- end }}

{{/*
The rate limit per client address: rateLimit.perMinute as given, else 0 behind the chart's
Ingress (every client would be the ingress controller: one bucket for the whole town) and the
adapter's 30 without it.
*/}}
{{- define "wissel.program.ratePerMinute" -}}
{{- if not (eq (toString .p.rateLimit.perMinute) "") }}
{{- .p.rateLimit.perMinute }}
{{- else if .p.ingress.enabled }}
{{- 0 }}
{{- else }}
{{- 30 }}
{{- end }}
{{- end }}

{{/*
The flags of an HTTP adapter (adapters/common/adapter_main.h): HTTPS on every interface with the
program's certificate, or plain HTTP on the pod's loopback (devPlaintext); CORS and rate limit.
*/}}
{{- define "wissel.program.httpArgs" -}}
{{- if .p.devPlaintext }}
- {{ printf "--listen=127.0.0.1:%v" .p.containerPorts.https | quote }}
- --plaintext
{{- else }}
- {{ printf "--listen=%s:%v" (include "wissel.program.anyHost" .) .p.containerPorts.https | quote }}
- --tls_cert_file={{ include "wissel.program.tlsDir" . }}/tls.crt
- --tls_key_file={{ include "wissel.program.tlsDir" . }}/tls.key
{{- end }}
{{- with .p.allowedOrigins }}
- {{ printf "--allowed_origins=%s" (join "," .) | quote }}
{{- end }}
- {{ printf "--rate_limit_per_minute=%v" (include "wissel.program.ratePerMinute" .) | quote }}
- {{ printf "--rate_limit_burst=%v" .p.rateLimit.burst | quote }}
{{- end }}

{{/* A program's own configuration file as the operator wrote it, parsed, as JSON. */}}
{{- define "wissel.program.configFile" -}}
{{- $config := fromYaml .text }}
{{- if hasKey $config "Error" }}
{{- fail (printf "%s is not valid YAML: %s" .value $config.Error) }}
{{- end }}
{{- toJson $config }}
{{- end }}

{{/* sip.trustedPeers as CIDRs (a single address as /32 or /128), for ipBlocks and source ranges. */}}
{{- define "wissel.sip.trustedCidrs" -}}
{{- $cidrs := list }}
{{- range .Values.sip.trustedPeers }}
{{- $peer := toString . }}
{{- if contains "/" $peer }}
{{- $cidrs = append $cidrs $peer }}
{{- else if contains ":" $peer }}
{{- $cidrs = append $cidrs (printf "%s/128" $peer) }}
{{- else }}
{{- $cidrs = append $cidrs (printf "%s/32" $peer) }}
{{- end }}
{{- end }}
{{- toJson $cidrs }}
{{- end }}

{{/*
sip.yaml as it goes into the ConfigMap: the operator's file (sip.config.sipYaml) with its own
trusted_peers and allow_any_peer commented out, and the chart's trusted_peers from
sip.trustedPeers at the end (the same list the NetworkPolicy and the load balancer admit).
*/}}
{{- define "wissel.sip.configYaml" -}}
{{ include "wissel.commentOutSections" (dict "text" .Values.sip.config.sipYaml "owned" (list "trusted_peers" "allow_any_peer")) }}
# ---- Written by the wissel Helm chart from sip.trustedPeers (the file's own trusted_peers and
# ---- allow_any_peer, if it has them, are the lines marked "#(chart)" above).
trusted_peers:
{{- range .Values.sip.trustedPeers }}
  - {{ toString . | quote }}
{{- end }}
{{- end }}

{{/* The Secret keys the balie reads as environment variables: every token_env of balie.yaml, once. */}}
{{- define "wissel.balie.tokenEnvs" -}}
{{- $config := include "wissel.program.configFile" (dict "text" .Values.balie.config.balieYaml "value" "balie.config.balieYaml") | fromJson }}
{{- $names := list }}
{{- range $source := append ($config.desks | default list) ($config.kiosk | default dict) }}
{{- $name := (get $source "token_env") | default "" | toString }}
{{- if and $name (not (has $name $names)) }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* Where the balie's token files are mounted (token_file must name a key of balie.tokens.existingSecret there). */}}
{{- define "wissel.balie.tokenDir" -}}
/run/secrets/wissel-balie
{{- end }}

{{/*
Checks of an enabled program that the schema cannot express; each failure names the value to
change. {root, name, p}.
*/}}
{{- define "wissel.program.validate" -}}
{{- $n := .name }}
{{- $p := .p }}
{{- $root := .root }}
{{- $binary := include "wissel.program.binary" . }}
{{- $http := has $n (include "wissel.httpProgramNames" . | fromJsonArray) }}
{{- $routerConfig := include "wissel.routerConfig" $root | fromJson }}
{{- $tenants := list }}
{{- range $routerConfig.tenants }}{{ $tenants = append $tenants (toString .id) }}{{ end }}
{{- if and $http (not $p.devPlaintext) (not $p.tls.secretName) }}
{{- fail (printf "%s.tls.secretName: %s serves only HTTPS; name a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt; e.g. %s.tls.certManager.enabled), or set %s.devPlaintext=true for development (plain HTTP on the pod's loopback, kubectl port-forward only)" $n $binary $n $n) }}
{{- end }}
{{- if and (not $p.tls.secretName) (not $p.router.tokenSecret.name) }}
{{- fail (printf "%s: %s needs an identity towards the router: a client certificate (%s.tls.secretName) or a bearer token (%s.router.tokenSecret.name); the router admits no anonymous caller" $n $binary $n $n) }}
{{- end }}
{{- if and (not $p.router.address) $root.Values.tls.requireClientCertificate (not $p.tls.secretName) }}
{{- fail (printf "%s.tls.secretName: the router refuses callers without a client certificate (tls.requireClientCertificate); give %s one, with the URI SAN its grant names" $n $binary) }}
{{- end }}
{{- if and (not $p.tls.secretName) (not (or $p.router.ca.secretName $p.router.ca.configMapName)) }}
{{- fail (printf "%s.router.ca: without %s.tls.secretName (whose ca.crt is the default) name the CA bundle of the router's certificate" $n $n) }}
{{- end }}
{{- if $p.tls.certManager.enabled }}
{{- if not $p.tls.secretName }}
{{- fail (printf "%s.tls.certManager.enabled needs %s.tls.secretName: the Secret the Certificate writes" $n $n) }}
{{- end }}
{{- if not (or $p.tls.certManager.issuerRef.name $root.Values.tls.certManager.issuerRef.name) }}
{{- fail (printf "%s.tls.certManager.issuerRef.name: name the issuer (empty takes tls.certManager.issuerRef.name of the router, which is empty too)" $n) }}
{{- end }}
{{- end }}
{{- $pdb := $p.podDisruptionBudget }}
{{- $replicas := int (default 1 $p.replicaCount) }}
{{- if and $pdb.enabled (or (kindIs "float64" $pdb.minAvailable) (kindIs "int64" $pdb.minAvailable) (kindIs "int" $pdb.minAvailable)) }}
{{- if ge (int $pdb.minAvailable) $replicas }}
{{- fail (printf "%s.podDisruptionBudget.minAvailable (%d) must be below its replicas (%d), or no node could ever be drained" $n (int $pdb.minAvailable) $replicas) }}
{{- end }}
{{- end }}
{{- if $http }}
{{- if and $p.devPlaintext $p.ingress.enabled }}
{{- fail (printf "%s.ingress.enabled with %s.devPlaintext: a plain HTTP adapter listens on the pod's loopback only, where no Service or Ingress reaches it" $n $n) }}
{{- end }}
{{- if and $p.ingress.enabled (not $p.ingress.hosts) }}
{{- fail (printf "%s.ingress.hosts: an Ingress needs at least one host name" $n) }}
{{- end }}
{{- if and $p.ingress.enabled $p.ingress.tls.enabled (not $p.ingress.tls.secretName) }}
{{- fail (printf "%s.ingress.tls.secretName: the Ingress serves its hosts over HTTPS (ingress.tls.enabled); name the kubernetes.io/tls Secret of their public certificate (cert-manager's ingress-shim can write it)" $n) }}
{{- end }}
{{- end }}
{{- if eq $n "sip" }}
{{- if not $p.trustedPeers }}
{{- fail "sip.trustedPeers: list the PBX's source addresses (addresses or CIDRs); wissel-sip answers nobody else, and the NetworkPolicy and the load balancer admit only them" }}
{{- end }}
{{- if not $p.config.sipYaml }}
{{- fail "sip.config.sipYaml: wissel-sip needs its sip.yaml (tenant, dial plan, redirect URIs; see config/example/sip.yaml)" }}
{{- end }}
{{- $sip := include "wissel.program.configFile" (dict "text" $p.config.sipYaml "value" "sip.config.sipYaml") | fromJson }}
{{- if $sip.allow_any_peer }}
{{- fail "sip.config.sipYaml: allow_any_peer is for loopback development only; wissel-sip refuses it on the pod's address. List the PBX in sip.trustedPeers" }}
{{- end }}
{{- if and (not $p.router.address) (not (has (toString (default "" $sip.tenant)) $tenants)) }}
{{- fail (printf "sip.config.sipYaml: tenant %q is not a tenant of config.wisselYaml (%s)" (toString (default "" $sip.tenant)) (join ", " $tenants)) }}
{{- end }}
{{- if le (mul (int64 $p.terminationGracePeriodSeconds) 1000) (int64 (include "wissel.durationMs" $p.drainTimeout)) }}
{{- fail (printf "sip.terminationGracePeriodSeconds (%v) must exceed sip.drainTimeout (%s): the kubelet would kill wissel-sip while calls still finish" $p.terminationGracePeriodSeconds $p.drainTimeout) }}
{{- end }}
{{- end }}
{{- if eq $n "balie" }}
{{- if not $p.config.balieYaml }}
{{- fail "balie.config.balieYaml: wissel-balie needs its balie.yaml (tenant, ticket groups, desks; see config/example/balie.yaml)" }}
{{- end }}
{{- $balie := include "wissel.program.configFile" (dict "text" $p.config.balieYaml "value" "balie.config.balieYaml") | fromJson }}
{{- if and (not $p.router.address) (not (has (toString (default "" $balie.tenant)) $tenants)) }}
{{- fail (printf "balie.config.balieYaml: tenant %q is not a tenant of config.wisselYaml (%s)" (toString (default "" $balie.tenant)) (join ", " $tenants)) }}
{{- end }}
{{- $sources := list }}
{{- range $i, $desk := $balie.desks | default list }}
{{- $sources = append $sources (dict "where" (printf "desks[%d]" $i) "source" $desk) }}
{{- end }}
{{- $sources = append $sources (dict "where" "kiosk" "source" ($balie.kiosk | default dict)) }}
{{- range $sources }}
{{- if hasKey .source "token" }}
{{- fail (printf "balie.config.balieYaml: %s.token is not allowed: a token must not be in a ConfigMap; use token_env (a key of balie.tokens.existingSecret) or token_file" .where) }}
{{- end }}
{{- with .source.token_file }}
{{- if not (regexMatch (printf "^%s/[-._a-zA-Z0-9]+$" (include "wissel.balie.tokenDir" $)) (toString .)) }}
{{- fail (printf "balie.config.balieYaml: token_file %s: the chart mounts balie.tokens.existingSecret at %s/, so a token file is %s/<key>" (toString .) (include "wissel.balie.tokenDir" $) (include "wissel.balie.tokenDir" $)) }}
{{- end }}
{{- end }}
{{- if and (or .source.token_env .source.token_file) (not $p.tokens.existingSecret) }}
{{- fail (printf "balie.tokens.existingSecret: balie.yaml names its tokens (%s); put them in a Secret, one key per token_env and token_file name" .where) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
What every program's pod spec shares below its containers: scheduling, with replicas on
different nodes when affinity is empty (podAntiAffinityPreset). {root, name, p}.
*/}}
{{- define "wissel.program.scheduling" -}}
{{- with .p.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .p.affinity }}
affinity:
  {{- toYaml .p.affinity | nindent 2 }}
{{- else if .p.podAntiAffinityPreset }}
affinity:
  podAntiAffinity:
    {{- if eq .p.podAntiAffinityPreset "hard" }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "wissel.program.selectorLabels" . | nindent 12 }}
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "wissel.program.selectorLabels" . | nindent 14 }}
    {{- end }}
{{- end }}
{{- with .p.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .p.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

#!/usr/bin/env bash
# The chart checks of scripts/test.sh: the Helm chart helm/wissel is rendered, compared and
# validated offline, without helm or a cluster.
#
#   1. helm/wissel/ci/render.sh --check: every ci/*-values.yaml rendered with helm-render (an
#      offline helm-compatible renderer, values checked against values.schema.json on the way)
#      is byte-identical to its golden file in ci/rendered/ and strict YAML (no duplicate keys,
#      every object named once);
#   2. every values file also passes values.schema.json under python3-jsonschema (check_values.py);
#   3. every rendered object passes the Kubernetes OpenAPI schemas (validate-k8s.mjs) and has no
#      unknown or misspelt field (strict-k8s.mjs: the objects typed with kubernetes-models'
#      interfaces, checked by tsc);
#   4. the router's own loader accepts the configuration of every rendered ConfigMap
#      (`wisselctl config check`, with the files mounted beside it; those of an existing
#      ConfigMap, config.filesConfigMap, from ci/<name>-files/); ci/render.sh has copied
#      config/example/ into ci/example-values.yaml unchanged, so the example is checked too;
#   5. every program a rendered Deployment starts (wisseld, and wissel-sip, wissel-chat,
#      wissel-webform, wissel-balie from /usr/local/bin) knows every flag it is given (its
#      --help), and the adapters' own files start the real programs: each rendered sip.yaml and
#      balie.yaml is loaded by wissel-sip / wissel-balie, started on loopback until they serve,
#      then stopped with SIGTERM (the balie's tokens made up, its token files in a temporary
#      folder);
#   6. every ci/invalid/*-values.yaml (applied over ci/default-values.yaml) is refused, by the
#      stage its header names and with the error it names:
#        # Refused by: schema | template | wisselctl
#        # Error: <text the refusal must contain>
#
#   scripts/check-chart.sh [BUILD_DIR]   BUILD_DIR holds wisselctl, wisseld and the adapters
#                                        (default build-test)
#   scripts/check-chart.sh --tools       only prepare helm-render and print its path
#
# helm-render comes from $WISSEL_HELM_RENDER_SRC, else ../shared/tools/helm-render next to the
# checkout (or next to the main checkout, for a git worktree). That folder may be read-only: it
# is copied to $WISSEL_CHART_TOOLS_DIR (default build-chart-tools/) and built there with its own
# build.sh (Debian's Go packages, GOPATH mode, no module proxy); its pinned npm packages are
# installed in the copy. The copy is reused while the source folder is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CHART=helm/wissel
PYTHON=/usr/bin/python3  # Debian's python3-jsonschema and python3-yaml, not a virtualenv's

tools_only=false
BUILD=${WISSEL_TEST_BUILD_DIR:-$ROOT/build-test}
case "${1:-}" in
  --tools) tools_only=true ;;
  "") ;;
  *) BUILD=$1 ;;
esac

find_source() {
  local candidates=("${WISSEL_HELM_RENDER_SRC:-}" "$ROOT/../shared/tools/helm-render")
  local common
  if common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
    candidates+=("$(dirname "$common")/../shared/tools/helm-render")
  fi
  for dir in "${candidates[@]}"; do
    if [[ -n "$dir" && -f "$dir/main.go" && -f "$dir/build.sh" ]]; then
      (cd "$dir" && pwd)
      return
    fi
  done
  echo "check-chart: helm-render not found; set WISSEL_HELM_RENDER_SRC to its folder" >&2
  exit 1
}

# Copies helm-render's folder to TOOLS (fresh when its source changed) and builds it there.
prepare_renderer() {
  local src stamp
  src=$(find_source)
  TOOLS=${WISSEL_CHART_TOOLS_DIR:-$ROOT/build-chart-tools}
  stamp=$(cd "$src" && find . -type f -not -path './node_modules/*' -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if [[ ! -x "$TOOLS/helm-render" || "$(cat "$TOOLS/.source-sha256" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf "$TOOLS"
    mkdir -p "$TOOLS"
    cp -R "$src/." "$TOOLS/"
    rm -rf "$TOOLS/node_modules" "$TOOLS/helm-render"
    chmod -R u+w "$TOOLS"
    "$TOOLS/build.sh" "$TOOLS/helm-render" >&2
    echo "$stamp" >"$TOOLS/.source-sha256"
  fi
  HELM_RENDER=$TOOLS/helm-render
}

prepare_renderer
if $tools_only; then
  echo "$HELM_RENDER"
  exit 0
fi
export HELM_RENDER

WISSELCTL=$BUILD/router/cli/wisselctl
for program in router/cli/wisselctl router/daemon/wisseld adapters/sip/wissel-sip \
  adapters/chat/wissel-chat adapters/webform/wissel-webform adapters/balie/wissel-balie; do
  if [[ ! -x "$BUILD/$program" ]]; then
    echo "check-chart: $BUILD/$program is missing; build the $(basename "$program") target first" >&2
    exit 1
  fi
done
# The chart may render a cert-manager Certificate (tls.certManager): the copy also gets
# cert-manager's models, pinned here, and both scripts' tables of API groups learn cert-manager.io.
CERT_MANAGER_MODELS=@kubernetes-models/cert-manager@6.0.0
if [[ ! -d "$TOOLS/node_modules/@kubernetes-models/cert-manager" ]]; then
  (cd "$TOOLS" && npm install --no-audit --no-fund --silent >&2 &&
    npm install --no-audit --no-fund --silent --save-exact "$CERT_MANAGER_MODELS" >&2)
  for script in validate-k8s.mjs strict-k8s.mjs; do
    grep -q '"cert-manager.io"' "$TOOLS/$script" ||
      sed -i 's|"monitoring.coreos.com": "@kubernetes-models/prometheus-operator"|"cert-manager.io": "@kubernetes-models/cert-manager", &|' \
        "$TOOLS/$script"
    grep -q '"cert-manager.io"' "$TOOLS/$script" || {
      echo "check-chart: could not teach $script the cert-manager.io group" >&2
      exit 1
    }
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "-- golden files (helm-render --check)"
"$CHART/ci/render.sh" --check

echo "-- values against values.schema.json (python3-jsonschema)"
for values in "$CHART"/ci/*-values.yaml; do
  "$PYTHON" "$TOOLS/check_values.py" "$CHART" "$values" >/dev/null ||
    "$PYTHON" "$TOOLS/check_values.py" "$CHART" "$values"
done

# Writes every ConfigMap of a rendered file that carries wissel.yaml into DIR/<name>/, one file
# per key, as the kubelet mounts it, and prints those folders. The files of an existing ConfigMap
# mounted beside it (config.filesConfigMap) come from FILES_DIR, if given (ci/<name>-files/).
extract_router_configs() {
  "$PYTHON" - "$1" "$2" "${3:-}" <<'EOF'
import os, shutil, sys, yaml
rendered, out, extra = sys.argv[1], sys.argv[2], sys.argv[3]
for doc in yaml.safe_load_all(open(rendered)):
    if not doc or doc.get("kind") != "ConfigMap" or "wissel.yaml" not in doc.get("data", {}):
        continue
    folder = os.path.join(out, doc["metadata"]["name"])
    os.makedirs(folder)
    for key, text in doc["data"].items():
        with open(os.path.join(folder, key), "w") as f:
            f.write(text)
    if extra and os.path.isdir(extra):
        for name in os.listdir(extra):
            if os.path.exists(os.path.join(folder, name)):
                sys.exit(f"{extra}/{name}: also a key of the ConfigMap {doc['metadata']['name']}")
            shutil.copy(os.path.join(extra, name), folder)
    print(folder)
EOF
}

# The programs of a rendered file, started as its Deployments start them: every --flag of a
# container's args must be one its program lists in --help (wisseld is the image's entrypoint;
# the adapters are /usr/local/bin/wissel-*). Then the adapters' configuration files of its
# ConfigMaps, loaded by the real programs: wissel-sip and wissel-balie are started on loopback
# with the rendered sip.yaml / balie.yaml and must serve (their line on stdout) before they are
# stopped with SIGTERM. The router is not needed for that (they reconnect to it in the
# background); the balie's tokens are made up (distinct, as it requires) and its token files,
# which the chart mounts under /run/secrets/wissel-balie/, are written to a temporary folder
# that the copy of balie.yaml names instead (same lines, same line numbers).
check_programs() {
  "$PYTHON" - "$1" "$BUILD" "$2" <<'EOF'
import os, re, signal, subprocess, sys, time, yaml
rendered, build, work = sys.argv[1:4]
binaries = {"wisseld": "router/daemon/wisseld"}
for adapter in ("sip", "chat", "webform", "balie"):
    binaries[f"wissel-{adapter}"] = f"adapters/{adapter}/wissel-{adapter}"
helps = {}
docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
failed = False
for doc in docs:
    if doc["kind"] != "Deployment":
        continue
    for container in doc["spec"]["template"]["spec"]["containers"]:
        command = container.get("command") or ["wisseld"]
        program = os.path.basename(command[0])
        if command[0] not in ("wisseld", f"/usr/local/bin/{program}") or program not in binaries:
            sys.exit(f"{doc['metadata']['name']}: unknown program {command[0]}")
        if program not in helps:
            helps[program] = subprocess.run([os.path.join(build, binaries[program]), "--help"],
                                            capture_output=True, text=True, check=True).stdout
        known = set(re.findall(r"^    --([a-z0-9_]+) \(", helps[program], re.M))
        args = container.get("args", [])
        unknown = [a for a in args if a.startswith("--") and a[2:].split("=", 1)[0] not in known]
        if unknown:
            print(f"{doc['metadata']['name']}: {program} has no flag {', '.join(unknown)}")
            failed = True
        else:
            print(f"{doc['metadata']['name']}: {program} knows its {len(args)} flags")
if failed:
    sys.exit(1)


def serve(name, argv, env, ready):
    """Starts a program until it prints `ready` on stdout, then stops it with SIGTERM."""
    out, err = os.path.join(work, "program.out"), os.path.join(work, "program.err")
    with open(out, "w") as o, open(err, "w") as e:
        process = subprocess.Popen(argv, stdout=o, stderr=e, env=env, stdin=subprocess.DEVNULL)
    # A bound for a program that neither serves nor exits, not a measure of anything.
    deadline = time.monotonic() + 120
    while process.poll() is None and ready not in open(out).read() and time.monotonic() < deadline:
        time.sleep(0.1)
    served = ready in open(out).read()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait()
    if not served or process.returncode != 0:
        sys.exit(f"{name}: {os.path.basename(argv[0])} did not serve with it (exit "
                 f"{process.returncode}):\n{open(err).read()}")
    print(f"{name}: {os.path.basename(argv[0])} loads it and serves")


loopback = ["--router=127.0.0.1:9", "--router_plaintext"]
for doc in docs:
    if doc["kind"] != "ConfigMap":
        continue
    data, name = doc.get("data", {}), doc["metadata"]["name"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ASAN_OPTIONS": "detect_leaks=1"}
    if "sip.yaml" in data:
        path = os.path.join(work, "sip.yaml")
        with open(path, "w") as f:
            f.write(data["sip.yaml"])
        serve(f"ConfigMap {name} sip.yaml",
              [os.path.join(build, binaries["wissel-sip"]), f"--config={path}", *loopback,
               "--udp_listen=127.0.0.1:0", "--tcp_listen=127.0.0.1:0",
               "--health_listen=127.0.0.1:0"], env, "wissel-sip: listening")
    if "balie.yaml" in data:
        config = yaml.safe_load(data["balie.yaml"])
        tokens = os.path.join(work, "balie-tokens")
        os.makedirs(tokens, exist_ok=True)
        for i, source in enumerate(config.get("desks", []) + [config.get("kiosk", {})]):
            token = f"check-chart-token-{i:04d}-0123456789"
            if "token_env" in source:
                env[source["token_env"]] = token
            if "token_file" in source:
                with open(os.path.join(tokens, os.path.basename(source["token_file"])), "w") as f:
                    f.write(token)
        path = os.path.join(work, "balie.yaml")
        with open(path, "w") as f:
            f.write(data["balie.yaml"].replace("/run/secrets/wissel-balie/", tokens + "/"))
        serve(f"ConfigMap {name} balie.yaml",
              [os.path.join(build, binaries["wissel-balie"]), f"--config={path}", *loopback,
               "--plaintext", "--listen=127.0.0.1:0"], env, "wissel-balie: listening")
EOF
}

echo "-- Kubernetes schemas and the router's configuration loader, per rendered file"
for rendered in "$CHART"/ci/rendered/*.yaml; do
  name=$(basename "$rendered" .yaml)
  node "$TOOLS/validate-k8s.mjs" "$rendered" >"$work/$name.k8s" || {
    cat "$work/$name.k8s"
    exit 1
  }
  tail -n 1 "$work/$name.k8s" | sed "s/^/$name: kubernetes schemas: /"
  # tsc resolves the kubernetes-models types from the folder of the generated file.
  # strict-k8s.mjs runs tsc through npx from the working folder: the copy's own typescript.
  (cd "$TOOLS" && node strict-k8s.mjs "$ROOT/$rendered" "strict/$name") | sed "s/^/$name: strict: /"
  configs=$(extract_router_configs "$rendered" "$work/$name" "$CHART/ci/$name-files")
  [[ -n "$configs" ]] || { echo "$name: no ConfigMap with wissel.yaml" >&2; exit 1; }
  for folder in $configs; do
    if ! result=$("$WISSELCTL" config check "$folder/wissel.yaml" 2>&1); then
      echo "$name: wisselctl config check refuses the ConfigMap $(basename "$folder"):" >&2
      echo "$result" >&2
      exit 1
    fi
    # The secrets are not in the ConfigMap (they come from a Secret): their warnings are expected.
    grep -v '^warning: .*not required for this check' <<<"$result" |
      sed "s/^/$name: wisselctl config check: /"
  done
  check_programs "$rendered" "$work" | sed "s/^/$name: /"
done

echo "-- values that must be refused (ci/invalid/)"
for values in "$CHART"/ci/invalid/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  stage=$(sed -n 's/^# Refused by: *//p' "$values" | head -n 1)
  expected=$(sed -n 's/^# Error: *//p' "$values" | head -n 1)
  if [[ -z "$stage" || -z "$expected" ]]; then
    echo "$values: needs '# Refused by:' and '# Error:' header lines" >&2
    exit 1
  fi
  set +e
  "$HELM_RENDER" wissel "$CHART" --namespace kcc -f "$CHART/ci/default-values.yaml" -f "$values" \
    --check >"$work/invalid.yaml" 2>"$work/invalid.err"
  render_rc=$?
  set -e
  refused_by=""
  output=""
  if [[ $render_rc -ne 0 ]]; then
    output=$(cat "$work/invalid.err")
    refused_by=template
    if grep -q "don't meet the specifications of the schema" "$work/invalid.err"; then
      refused_by=schema
      # The other implementation of the schema must refuse it as well, with the same words.
      if py=$("$PYTHON" "$TOOLS/check_values.py" "$CHART" "$CHART/ci/default-values.yaml" \
        "$values"); then
        echo "$name: helm-render refused it by the schema, check_values.py did not" >&2
        exit 1
      fi
      if [[ "$py" != *"$expected"* ]]; then
        echo "$name: check_values.py refused it, but not with '$expected':" >&2
        echo "$py" >&2
        exit 1
      fi
    fi
  else
    rm -rf "$work/invalid"
    for folder in $(extract_router_configs "$work/invalid.yaml" "$work/invalid"); do
      if ! output=$("$WISSELCTL" config check "$folder/wissel.yaml" 2>&1); then
        refused_by=wisselctl
        break
      fi
    done
  fi
  if [[ -z "$refused_by" ]]; then
    echo "$name: accepted, but must be refused by $stage ($expected)" >&2
    exit 1
  fi
  if [[ "$refused_by" != "$stage" || "$output" != *"$expected"* ]]; then
    echo "$name: must be refused by $stage with '$expected'; refused by $refused_by:" >&2
    echo "$output" >&2
    exit 1
  fi
  echo "$name: refused by $stage: $expected"
done
echo "chart checks passed"

#!/usr/bin/env bash
# Renders every ci/*-values.yaml into ci/rendered/*.yaml, so that a change to a template or a
# values file shows up as a reviewable diff of real manifests. The renderer is helm-render, the
# offline helm-compatible renderer (`helm template` without helm or a cluster): values are
# checked against values.schema.json, and --check refuses output that is not strict YAML (a
# duplicate key) or names an object twice.
#
#   helm/wissel/ci/render.sh           re-render (the one command after a chart change)
#   helm/wissel/ci/render.sh --check   fail if ci/rendered/ is not what the templates render
#
# $HELM_RENDER names the binary; without it scripts/check-chart.sh --tools builds one (see
# there). scripts/test.sh runs the --check through scripts/check-chart.sh.
set -euo pipefail
if [[ -n "${HELM_RENDER:-}" && "$HELM_RENDER" == */* ]]; then
  HELM_RENDER=$(cd "$(dirname "$HELM_RENDER")" && pwd)/$(basename "$HELM_RENDER")
fi
cd "$(dirname "$0")/.."
if [[ -z "${HELM_RENDER:-}" ]]; then
  HELM_RENDER=$(../../scripts/check-chart.sh --tools)
fi
KUBE_VERSION=1.29.0
check=false
[[ "${1:-}" == "--check" ]] && check=true
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for values in ci/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  {
    echo "# Rendered by helm/wissel/ci/render.sh: helm-render wissel . --namespace kcc"
    echo "#   --kube-version $KUBE_VERSION -f $values"
    echo "# Do not edit; change the templates or $values and re-render."
    "$HELM_RENDER" wissel . --namespace kcc --kube-version "$KUBE_VERSION" -f "$values" \
      --check 2>"$out/$name.err" || {
      cat "$out/$name.err" >&2
      echo "render.sh: $values does not render" >&2
      exit 1
    }
  } >"$out/$name.yaml"
  rm -f "$out/$name.err"
done
if $check; then
  diff -ru ci/rendered "$out" || {
    echo "ci/rendered is stale: run helm/wissel/ci/render.sh and commit the result" >&2
    exit 1
  }
  echo "ci/rendered is up to date"
else
  rm -f ci/rendered/*.yaml
  cp "$out"/*.yaml ci/rendered/
  ls ci/rendered
fi

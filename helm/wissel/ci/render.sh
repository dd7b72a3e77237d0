#!/usr/bin/env bash
# Renders every ci/*-values.yaml with `helm template` into ci/rendered/*.yaml, so that a change to
# a template shows up as a reviewable diff of real manifests.
#
#   helm/wissel/ci/render.sh           re-render (needs helm 3.8 or later on PATH, or $HELM)
#   helm/wissel/ci/render.sh --check   fail if ci/rendered/ is not what the templates render
set -euo pipefail
cd "$(dirname "$0")/.."
HELM=${HELM:-helm}
KUBE_VERSION=1.29.0
check=false
[[ "${1:-}" == "--check" ]] && check=true
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for values in ci/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  "$HELM" lint . -f "$values" >/dev/null
  {
    echo "# Rendered by helm/wissel/ci/render.sh: helm template wissel . --namespace kcc"
    echo "#   --kube-version $KUBE_VERSION -f $values"
    echo "# Do not edit; change the templates or $values and re-render."
    "$HELM" template wissel . --namespace kcc --kube-version "$KUBE_VERSION" -f "$values"
  } >"$out/$name.yaml"
done
if $check; then
  diff -ru ci/rendered "$out" && echo "ci/rendered is up to date"
else
  rm -f ci/rendered/*.yaml
  cp "$out"/*.yaml ci/rendered/
  ls ci/rendered
fi

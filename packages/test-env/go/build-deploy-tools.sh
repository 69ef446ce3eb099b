#!/usr/bin/env bash
# Builds helm and kustomize from Go modules (through the Go module proxy) into a cache outside the
# repository, keyed by version:
#   $HUB_TESTENV_CACHE/bin/helm-<ver>/helm
#   $HUB_TESTENV_CACHE/bin/kustomize-<ver>/kustomize
# Prints HELM=… and KUSTOMIZE=… on the last lines. A cached binary is reused as is.
# `--check` exits 0 when both are cached, 1 otherwise, and changes nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
HELM_VERSION=${HUB_HELM_VERSION:-v4.3.1}
# kustomize v5.8.2+ needs Go 1.27; v5.8.1 is the newest that builds with Go 1.26.
KUSTOMIZE_VERSION=${HUB_KUSTOMIZE_VERSION:-v5.8.1}
CACHE=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { printf '[build-deploy-tools] %s\n' "$*" >&2; }
helm_out="$CACHE/bin/helm-$HELM_VERSION/helm"
kustomize_out="$CACHE/bin/kustomize-$KUSTOMIZE_VERSION/kustomize"
if [ "${1:-}" = --check ]; then [ -x "$helm_out" ] && [ -x "$kustomize_out" ]; exit; fi

# build NAME MODULE VERSION PACKAGE OUT LDFLAGS
build() {
  local name=$1 module=$2 version=$3 package=$4 out=$5 ldflags=$6 t0=$SECONDS
  local work="$CACHE/work/$name-$version"
  rm -rf "$work"; mkdir -p "$work"
  { cat "$here/deploy-tools/go.mod.in"; echo; echo "require $module $version"; } > "$work/go.mod"
  printf '//go:build tools\n\npackage main\n\nimport _ "%s"\n' "$package" > "$work/tools.go"
  log "building $name $version (a cold build takes a few minutes)"
  (cd "$work" && go mod tidy >&2 && go build -trimpath -ldflags "$ldflags" -o "$work/$name" "$package" >&2)
  mkdir -p "$(dirname "$out")"
  mv "$work/$name" "$out.tmp" && mv "$out.tmp" "$out"
  log "$name $version built in $((SECONDS - t0))s"
}

command -v go >/dev/null || { log "go is not on PATH: install Go 1.26 and re-run"; exit 2; }
mkdir -p "$CACHE/bin" "$CACHE/work"
if [ -x "$helm_out" ]; then log "helm $HELM_VERSION cached"; else
  build helm helm.sh/helm/v4 "$HELM_VERSION" helm.sh/helm/v4/cmd/helm "$helm_out" \
    "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION"
fi
if [ -x "$kustomize_out" ]; then log "kustomize $KUSTOMIZE_VERSION cached"; else
  build kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 \
    "$kustomize_out" "-s -w"
fi
echo "HELM=$helm_out"
echo "KUSTOMIZE=$kustomize_out"

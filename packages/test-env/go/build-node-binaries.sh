#!/usr/bin/env bash
# Builds the test node's binaries from Go modules (through the Go module proxy) into the cache, keyed by version:
#   $CACHE/bin/k8s-<ver>/{kubelet,kube-scheduler,kube-controller-manager,kube-proxy}  (same k8s.io/kubernetes as kube-apiserver)
#   $CACHE/bin/containerd-<ver>/{containerd,containerd-shim-runc-v2}
#   $CACHE/bin/coredns-<ver>/coredns                                                 (only the plugins the node uses)
#   $CACHE/bin/node-images-<hash>/node-images                                        (pause + the test app, see go/node/images)
# runc and the CNI plugins come from Debian (scripts/setup-system.sh). Prints NAME=path lines last.
# Go's output goes to $CACHE/logs/build-node-binaries.log. `--check` exits 0 when everything is cached.
# `--only kube|containerd|coredns|images` builds one group (for measuring).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=${HUB_K8S_VERSION:-v1.36.3}
CONTAINERD_VERSION=${HUB_CONTAINERD_VERSION:-v2.4.2}
COREDNS_VERSION=${HUB_COREDNS_VERSION:-v1.15.0}
CACHE=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { printf '[build-node-binaries] %s\n' "$*" >&2; }
go_log="$CACHE/logs/build-node-binaries.log"
quiet_go() {
  printf '\n$ %s\n' "$*" >>"$go_log"
  "$@" >>"$go_log" 2>&1 && return 0
  local rc=$?
  log "failed ($rc): $*; last 30 lines of $go_log:"
  tail -n 30 "$go_log" >&2
  return $rc
}
with_heartbeat() {
  local label=$1 t0=$SECONDS hb; shift
  ( while sleep 30; do log "$label: still running ($((SECONDS - t0))s)"; done ) &
  hb=$!
  local rc=0
  "$@" || rc=$?
  kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
  log "$label: $( [ $rc -eq 0 ] && echo done || echo "failed ($rc)") in $((SECONDS - t0))s"
  return $rc
}

k8s_dir="$CACHE/bin/k8s-$K8S_VERSION"
containerd_dir="$CACHE/bin/containerd-$CONTAINERD_VERSION"
coredns_dir="$CACHE/bin/coredns-$COREDNS_VERSION"
images_hash=$(cat "$here/node/images/go.mod" "$here/node/images/main.go" | sha256sum | cut -c1-12)
images_dir="$CACHE/bin/node-images-$images_hash"
kube_cmds=(kubelet kube-scheduler kube-controller-manager kube-proxy)

have_kube() { local c; for c in "${kube_cmds[@]}"; do [ -x "$k8s_dir/$c" ] || return 1; done; }
have_containerd() { [ -x "$containerd_dir/containerd" ] && [ -x "$containerd_dir/containerd-shim-runc-v2" ]; }
have_coredns() { [ -x "$coredns_dir/coredns" ]; }
have_images() { [ -x "$images_dir/node-images" ]; }
print_paths() {
  local c; for c in "${kube_cmds[@]}"; do printf '%s=%s\n' "$(echo "$c" | tr a-z- A-Z_)" "$k8s_dir/$c"; done
  echo "CONTAINERD=$containerd_dir/containerd"
  echo "CONTAINERD_SHIM_RUNC_V2=$containerd_dir/containerd-shim-runc-v2"
  echo "COREDNS=$coredns_dir/coredns"
  echo "NODE_IMAGES=$images_dir/node-images"
}
if [ "${1:-}" = --check ]; then have_kube && have_containerd && have_coredns && have_images; exit; fi
mkdir -p "$CACHE/logs"
only=; [ "${1:-}" = --only ] && only=$2
command -v go >/dev/null || { log "go is not on PATH: install Go 1.26 (https://go.dev/dl) and re-run"; exit 2; }
mkdir -p "$CACHE/bin" "$CACHE/work"

install_bin() { mkdir -p "$(dirname "$2")"; mv "$1" "$2.tmp" && mv "$2.tmp" "$2"; }

build_kube() {
  log "resolving k8s.io/kubernetes@$K8S_VERSION"
  local module_json modfile minor patch staging_version work="$CACHE/work/k8s-node-$K8S_VERSION" c
  module_json=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>>"$go_log") || true
  modfile=$(printf '%s\n' "$module_json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [ -f "$modfile" ] || { log "could not download the go.mod of k8s.io/kubernetes@$K8S_VERSION (log: $go_log)"; exit 1; }
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}; patch=${K8S_VERSION##*.}
  staging_version="v0.$minor.$patch"
  rm -rf "$work"; mkdir -p "$work"
  {
    sed 's/kube-apiserver/kube-node/' "$here/kube-apiserver/go.mod.in"
    echo; echo "require k8s.io/kubernetes $K8S_VERSION"; echo; echo "replace ("
    awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$modfile" | sort -u | while read -r m; do
      echo "	$m => $m $staging_version"
    done
    echo ")"
  } >"$work/go.mod"
  { printf '//go:build tools\n\npackage main\n\nimport (\n'
    for c in "${kube_cmds[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'; } >"$work/tools.go"
  with_heartbeat "node modules" quiet_go go -C "$work" mod tidy
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  for c in "${kube_cmds[@]}"; do
    [ -x "$k8s_dir/$c" ] && { log "$c $K8S_VERSION cached"; continue; }
    log "compiling $c $K8S_VERSION"
    with_heartbeat "$c compile" quiet_go go -C "$work" build -trimpath -ldflags "$ldflags" -o "$work/$c" "k8s.io/kubernetes/cmd/$c"
    install_bin "$work/$c" "$k8s_dir/$c"
  done
}

build_containerd() {
  local work="$CACHE/work/containerd-$CONTAINERD_VERSION" mod=github.com/containerd/containerd/v2
  rm -rf "$work"; mkdir -p "$work"
  { cat "$here/node/containerd/go.mod.in"; echo; echo "require $mod $CONTAINERD_VERSION"; } >"$work/go.mod"
  printf '//go:build tools\n\npackage main\n\nimport (\n\t_ "%s/cmd/containerd"\n\t_ "%s/cmd/containerd-shim-runc-v2"\n)\n' "$mod" "$mod" >"$work/tools.go"
  with_heartbeat "containerd modules" quiet_go go -C "$work" mod tidy
  local ldflags="-s -w -X $mod/version.Version=$CONTAINERD_VERSION -X $mod/version.Package=$mod"
  log "compiling containerd $CONTAINERD_VERSION"
  with_heartbeat "containerd compile" quiet_go go -C "$work" build -trimpath -tags "urfave_cli_no_docs no_btrfs no_devmapper no_zfs osusergo netgo static_build" \
    -ldflags "$ldflags" -o "$work/containerd" "$mod/cmd/containerd"
  with_heartbeat "containerd-shim-runc-v2 compile" quiet_go go -C "$work" build -trimpath -tags "urfave_cli_no_docs osusergo netgo static_build no_grpc" \
    -ldflags "$ldflags" -o "$work/containerd-shim-runc-v2" "$mod/cmd/containerd-shim-runc-v2"
  install_bin "$work/containerd" "$containerd_dir/containerd"
  install_bin "$work/containerd-shim-runc-v2" "$containerd_dir/containerd-shim-runc-v2"
}

build_coredns() {
  local work="$CACHE/work/coredns-$COREDNS_VERSION"
  rm -rf "$work"; mkdir -p "$work"
  { cat "$here/node/coredns/go.mod.in"; echo; echo "require github.com/coredns/coredns $COREDNS_VERSION"; } >"$work/go.mod"
  cp "$here/node/coredns/main.go" "$work/main.go"
  with_heartbeat "coredns modules" quiet_go go -C "$work" mod tidy
  log "compiling coredns $COREDNS_VERSION"
  with_heartbeat "coredns compile" quiet_go go -C "$work" build -trimpath -ldflags "-s -w" -o "$work/coredns" .
  install_bin "$work/coredns" "$coredns_dir/coredns"
}

build_images() {
  local work="$CACHE/work/node-images-$images_hash"
  rm -rf "$work"; mkdir -p "$work"; cp "$here/node/images/go.mod" "$here/node/images/main.go" "$work/"
  with_heartbeat "node-images compile" quiet_go go -C "$work" build -trimpath -ldflags "-s -w" -o "$work/node-images" .
  install_bin "$work/node-images" "$images_dir/node-images"
}

start=$SECONDS
for group in images coredns containerd kube; do
  [ -n "$only" ] && [ "$only" != "$group" ] && continue
  if "have_$group"; then log "$group cached"; else t0=$SECONDS; "build_$group"; log "$group built in $((SECONDS - t0))s"; fi
done
log "done in $((SECONDS - start))s"
print_paths

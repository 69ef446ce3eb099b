#!/usr/bin/env bash
# Builds kube-apiserver and etcd from Go modules (through the Go module proxy)
# into a cache outside the repository, keyed by version:
#   $HUB_TESTENV_CACHE/bin/k8s-<ver>/kube-apiserver
#   $HUB_TESTENV_CACHE/bin/etcd-<ver>/etcd
# Prints the two binary paths on the last lines as KUBE_APISERVER=… and ETCD=….
# Go's own output (`go: downloading …`, compiler lines) goes to $CACHE/logs/build-binaries.log; on a
# failure the last 30 lines of it are printed. `--check` exits 0 when both binaries are cached
# (nothing to build), 1 otherwise, and builds nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=${HUB_K8S_VERSION:-v1.36.3}
CACHE=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { printf '[build-binaries] %s\n' "$*" >&2; }
mkdir -p "$CACHE/logs"
go_log="$CACHE/logs/build-binaries.log"
# Runs a go command with its output appended to the log; on failure shows the log's tail.
quiet_go() {
  printf '\n$ %s\n' "$*" >>"$go_log"
  "$@" >>"$go_log" 2>&1 && return 0
  local rc=$?
  log "failed ($rc): $*; last 30 lines of $go_log:"
  tail -n 30 "$go_log" >&2
  return $rc
}
# `go build` is silent for minutes: print a heartbeat with the elapsed time while a step runs.
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
mkdir -p "$CACHE/bin" "$CACHE/work"
apiserver_out="$CACHE/bin/k8s-$K8S_VERSION/kube-apiserver"
# Which etcd a kube-apiserver version pairs with, recorded at build time so a cached run needs no Go.
etcd_record="$CACHE/bin/k8s-$K8S_VERSION/etcd-version"
if [ "${1:-}" = --check ]; then
  [ -x "$apiserver_out" ] && [ -f "$etcd_record" ] && [ -x "$CACHE/bin/etcd-$(cat "$etcd_record")/etcd" ]
  exit
fi
command -v go >/dev/null || { log "go is not on PATH: install Go 1.26 (https://go.dev/dl) and re-run"; exit 2; }

# Read k8s' own go.mod: it names the staging modules (required at v0.0.0) and the etcd it pairs with.
log "resolving k8s.io/kubernetes@$K8S_VERSION"
module_json=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>>"$go_log") || true
printf '%s\n' "$module_json" >>"$go_log"
modfile=$(printf '%s\n' "$module_json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$modfile" ] || { log "could not download the go.mod of k8s.io/kubernetes@$K8S_VERSION (log: $go_log)"; tail -n 30 "$go_log" >&2; exit 1; }
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}; patch=${K8S_VERSION##*.}
staging_version="v0.$minor.$patch"
etcd_version=$(awk '$1=="go.etcd.io/etcd/client/v3"{print $2; exit}' "$modfile")
[ -n "$etcd_version" ] || { log "no go.etcd.io/etcd/client/v3 in $modfile"; exit 1; }
etcd_out="$CACHE/bin/etcd-$etcd_version/etcd"

build_apiserver() {
  local work="$CACHE/work/k8s-$K8S_VERSION"
  rm -rf "$work"; mkdir -p "$work"
  {
    cat "$here/kube-apiserver/go.mod.in"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$modfile" | sort -u | while read -r m; do
      echo "	$m => $m $staging_version"
    done
    echo ")"
  } > "$work/go.mod"
  log "wrapper go.mod: $(grep -c '=>' "$work/go.mod") staging replaces at $staging_version"
  printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > "$work/tools.go"
  sed -i '1i //go:build tools' "$work/tools.go"
  log "downloading modules (go mod tidy)"
  with_heartbeat "kube-apiserver modules" quiet_go go -C "$work" mod tidy
  log "compiling kube-apiserver $K8S_VERSION (a cold build takes several minutes)"
  local pkg=k8s.io/component-base/version
  with_heartbeat "kube-apiserver compile" quiet_go go -C "$work" build -trimpath -o "$work/kube-apiserver" \
    -ldflags "-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    k8s.io/kubernetes/cmd/kube-apiserver
  mkdir -p "$(dirname "$apiserver_out")"
  mv "$work/kube-apiserver" "$apiserver_out.tmp" && mv "$apiserver_out.tmp" "$apiserver_out"
}

build_etcd() {
  local work="$CACHE/work/etcd-$etcd_version"
  rm -rf "$work"; mkdir -p "$work"
  { cat "$here/etcd/go.mod.in"; echo; echo "require go.etcd.io/etcd/server/v3 $etcd_version"; } > "$work/go.mod"
  printf '//go:build tools\n\npackage main\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$work/tools.go"
  log "downloading etcd modules"
  with_heartbeat "etcd modules" quiet_go go -C "$work" mod tidy
  log "compiling etcd $etcd_version"
  with_heartbeat "etcd compile" quiet_go go -C "$work" build -trimpath -ldflags "-s -w" -o "$work/etcd" go.etcd.io/etcd/server/v3
  mkdir -p "$(dirname "$etcd_out")"
  mv "$work/etcd" "$etcd_out.tmp" && mv "$etcd_out.tmp" "$etcd_out"
}

start=$(date +%s)
if [ -x "$etcd_out" ]; then log "etcd $etcd_version cached"; else build_etcd; fi
if [ -x "$apiserver_out" ]; then log "kube-apiserver $K8S_VERSION cached"; else build_apiserver; fi
printf '%s\n' "$etcd_version" >"$etcd_record.tmp" && mv "$etcd_record.tmp" "$etcd_record"
log "done in $(( $(date +%s) - start ))s"
echo "KUBE_APISERVER=$apiserver_out"
echo "ETCD=$etcd_out"

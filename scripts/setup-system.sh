#!/usr/bin/env bash
# Installs the system pieces the tests and the demo need, idempotently:
#   - docker-registry (the real distribution registry, /usr/bin/docker-registry) and skopeo (the independent verifier)
#     from Debian, when missing (needs root; runs `apt-get update` at most once);
#   - checks that Go >= 1.26 is on PATH (kube-apiserver and etcd are built from Go modules by
#     packages/test-env/go/build-binaries.sh unless KUBEBUILDER_ASSETS points at prebuilt ones).
set -euo pipefail

log() { printf '[setup-system] %s\n' "$*" >&2; }

need_pkgs=()
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_pkgs+=(skopeo)

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing: ${need_pkgs[*]}; re-run as root (sudo $0) or: sudo apt-get install -y ${need_pkgs[*]}"
    exit 1
  fi
  # apt-get update once: skip it when the package lists are already present and fresh (< 1 day).
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    log "apt-get update"
    apt-get update -qq
  fi
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
  # The Debian package starts a registry service on :5000 where systemd runs; the tests start their own.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
else
  log "docker-registry and skopeo present"
fi

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS: prebuilt kube-apiserver/etcd will be used, Go is optional"
elif ! command -v go >/dev/null 2>&1; then
  log "Go is not on PATH: install Go 1.26 or newer (https://go.dev/dl), or set KUBEBUILDER_ASSETS to setup-envtest binaries"
  exit 1
else
  go_version=$(go env GOVERSION 2>/dev/null || go version | awk '{print $3}')
  minor=$(printf '%s' "$go_version" | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
  if [ -z "$minor" ] || [ "$minor" -lt 26 ]; then
    log "found $go_version, need Go >= 1.26 to build kube-apiserver v1.36 (https://go.dev/dl)"
    exit 1
  fi
  log "$go_version ok"
fi

#!/usr/bin/env bash
# Installs the system pieces the tests and the demo need, idempotently:
#   - docker-registry (the real distribution registry, /usr/bin/docker-registry) and skopeo (the independent verifier)
#     from Debian, when missing (needs root; runs `apt-get update` at most once);
#   - runc, containernetworking-plugins and iptables for the test node (hub-testenv up --node);
#   - checks that Go >= 1.26 is on PATH (kube-apiserver and etcd are built from Go modules by
#     packages/test-env/go/build-binaries.sh unless KUBEBUILDER_ASSETS points at prebuilt ones).
# apt's output goes to a log file under the cache directory; on a failure its last 30 lines are shown.
# `--check` exits 0 when nothing needs installing (and Go is fine), 1 otherwise, and changes nothing.
set -euo pipefail

log() { printf '[setup-system] %s\n' "$*" >&2; }
cache=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
apt_log="$cache/logs/setup-system.log"
# Runs an apt command quietly (its output in the log); on failure shows where and the log's tail.
quiet_apt() {
  mkdir -p "$(dirname "$apt_log")"
  printf '\n$ %s\n' "$*" >>"$apt_log"
  DEBIAN_FRONTEND=noninteractive "$@" >>"$apt_log" 2>&1 </dev/null && return 0
  local rc=$?
  log "failed ($rc): $*; last 30 lines of $apt_log:"
  tail -n 30 "$apt_log" >&2
  return $rc
}
check_only=false
[ "${1:-}" = --check ] && check_only=true

need_pkgs=()
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_pkgs+=(skopeo)
# buildah builds the controller image in the tests (vfs storage, chroot isolation: no daemon);
# strip (binutils) trims the Node binary in it.
command -v buildah >/dev/null 2>&1 || need_pkgs+=(buildah)
command -v strip >/dev/null 2>&1 || need_pkgs+=(binutils)
# Chromium drives the Next.js example's browser test (playwright-core, executablePath /usr/bin/chromium).
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
# The test node (`hub-testenv up --node`): Debian's runc and CNI plugins (bridge, host-local, loopback, portmap);
# kubelet, containerd 2 and CoreDNS are built from Go modules (packages/test-env/go/build-node-binaries.sh).
[ -x /usr/sbin/runc ] || need_pkgs+=(runc)
[ -x /usr/lib/cni/bridge ] || need_pkgs+=(containernetworking-plugins)
# By path: iptables lives in /usr/sbin, which a non-root PATH (and the setup test's) may lack.
[ -x /usr/sbin/iptables ] || need_pkgs+=(iptables)

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  $check_only && exit 1
  if [ "$(id -u)" -ne 0 ]; then
    log "missing: ${need_pkgs[*]}; re-run as root (sudo $0) or: sudo apt-get install -y ${need_pkgs[*]}"
    exit 1
  fi
  # apt-get update once: skip it when the package lists are already present and fresh (< 1 day).
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    log "apt-get update"
    quiet_apt apt-get update -qq
  fi
  log "installing ${need_pkgs[*]}"
  quiet_apt apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
  # The Debian package starts a registry service on :5000 where systemd runs; the tests start their own.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
else
  $check_only || log "docker-registry, skopeo and buildah present"
fi

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  $check_only || log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS: prebuilt kube-apiserver/etcd will be used, Go is optional"
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
  $check_only || log "$go_version ok"
fi

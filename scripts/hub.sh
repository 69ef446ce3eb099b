#!/usr/bin/env bash
# Entry point behind the README's commands (`npm run demo`, `npm test`, `npm run test:unit`).
# It installs what the project needs on a fresh machine (npm packages with a project-local Node 24,
# Debian packages, kube-apiserver/etcd built from Go modules), then runs the job.
#
# Output reads like an installer: one line per phase with its time, a progress line redrawn on a TTY
# (a plain "still running" line every 30 s otherwise), and the details of every phase in one log file
# under the cache directory, whose path is printed once. A failed phase prints its name, the log path
# and the log's last lines, and the script exits non-zero. When nothing needs installing, setup
# prints one "ready" line.
#
# Adding a demo: one `case` entry at the bottom, `setup && run_demo <nx projects> scripts/<demo>.ts`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
cache=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
log_dir="$cache/logs"
cmd=${1:-help}
log_file="$log_dir/hub-$cmd-$(date -u +%Y%m%d-%H%M%S)-$$.log"
log_announced=false
tty=false
[ -t 2 ] && tty=true

say() { printf '%s\n' "$*" >&2; }
duration() { # seconds -> "7s" / "2m05s"
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

open_log() {
  $log_announced && return 0
  mkdir -p "$log_dir" || { say "hub: cannot create $log_dir: set HUB_TESTENV_CACHE to a writable directory"; exit 1; }
  # Keep the last 20 logs.
  ls -1t "$log_dir"/hub-*.log 2>/dev/null | tail -n +20 | xargs -r rm -f
  : >"$log_file"
  say "details: $log_file"
  log_announced=true
}

# While a phase runs: on a TTY one line redrawn every second with the log's last line; otherwise a
# plain line every 30 s, so CI logs show it is alive without flooding.
progress() {
  local label=$1 t0=$2 start=$3 n=0
  # `wait` on a background sleep returns as soon as the phase kills this loop.
  while sleep 1 </dev/null >/dev/null 2>&1 & wait $!; do
    n=$((n + 1))
    if $tty; then
      local last
      last=$(tail -n +"$start" "$log_file" 2>/dev/null | tail -n 1 | tr -d '\r\033' | cut -c1-60)
      printf '\r\033[K  … %s %s  %s' "$label" "$(duration $((SECONDS - t0)))" "$last" >&2
    elif [ $((n % 30)) -eq 0 ]; then
      say "  … $label: still running ($(duration $((SECONDS - t0))))"
    fi
  done
}

# phase <label> <tail lines> <command...>: runs the command (a function or a program) with all its
# output in the log, then prints one line with the time; on failure the log's tail too.
phase() {
  local label=$1 tail_lines=$2 t0=$SECONDS rc=0 start ticker
  shift 2
  open_log
  start=$(($(wc -l <"$log_file") + 3)) # the first line after the header below
  printf '\n=== %s (%s)\n' "$label" "$(date -u +%FT%TZ)" >>"$log_file"
  progress "$label" "$t0" "$start" &
  ticker=$!
  "$@" >>"$log_file" 2>&1 </dev/null || rc=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null
  $tty && printf '\r\033[K' >&2
  if [ "$rc" -eq 0 ]; then
    say "  ✓ $label ($(duration $((SECONDS - t0))))"
    return 0
  fi
  say "  ✗ $label failed after $(duration $((SECONDS - t0))) (exit $rc)"
  say "    log: $log_file"
  say "    last $tail_lines lines:"
  tail -n +"$start" "$log_file" | tail -n "$tail_lines" | sed 's/^/    | /' >&2
  return "$rc"
}

# ── setup ────────────────────────────────────────────────────────────────────────────────────────
npm_stamp=node_modules/.hub-install-stamp
npm_ready() { [ -x node_modules/.bin/node ] && [ -f "$npm_stamp" ] && [ ! package-lock.json -nt "$npm_stamp" ]; }
system_ready() { bash scripts/setup-system.sh --check >/dev/null 2>&1; }
binaries_ready() { [ -n "${KUBEBUILDER_ASSETS:-}" ] || bash packages/test-env/go/build-binaries.sh --check; }
node_binaries_ready() { bash packages/test-env/go/build-node-binaries.sh --check; }

install_npm() {
  # npm ci runs on whatever Node the machine has (Node 20 on a fresh one); the `node` devDependency
  # then provides Node 24 in node_modules/.bin, which everything after this runs on. npm's warnings
  # about that older Node (EBADENGINE) are expected here, so they stay in the log.
  command -v npm >/dev/null || { echo "npm is not on PATH: install Node 20 or newer with npm to bootstrap"; return 1; }
  # --loglevel: `npm test --silent` (CI) exports a silent loglevel, which would leave the log empty.
  npm ci --no-audit --no-fund --loglevel=notice && touch "$npm_stamp"
}

use_project_node() {
  export PATH="$root/node_modules/.bin:$PATH"
  local v
  v=$(node --version 2>/dev/null)
  case "$v" in
    v24.*) ;;
    *)
      say "hub: node_modules/.bin/node is ${v:-missing}, the project needs Node 24: run \`npm ci\` again (it installs Node 24 as the \`node\` devDependency)"
      return 1
      ;;
  esac
}

check_disk() {
  # The control-plane build needs about 5 GiB of Go module cache, build cache and binaries.
  mkdir -p "$cache"
  local free_kb
  free_kb=$(df -Pk "$cache" 2>/dev/null | awk 'NR==2 {print $4}')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt $((5 * 1024 * 1024)) ]; then
    say "  ! only $((free_kb / 1024 / 1024)) GiB free in $cache; the control-plane build needs about 5 GiB: free some space or set HUB_TESTENV_CACHE to a larger disk"
  fi
}

# setup [node]: `node` adds the test node's build (kubelet, containerd, CoreDNS) for the node suites.
setup() {
  local t0=$SECONDS did=false
  if ! npm_ready; then
    did=true
    phase "npm packages (npm ci)" 30 install_npm || return 1
  fi
  use_project_node || return 1
  if ! system_ready; then
    did=true
    phase "system packages (docker-registry, skopeo, Go)" 30 bash scripts/setup-system.sh || return 1
  fi
  if ! binaries_ready; then
    did=true
    check_disk
    say "  building kube-apiserver and etcd from Go modules into $cache (once; about 15 minutes on 2 cores)"
    phase "control plane (kube-apiserver, etcd)" 30 bash packages/test-env/go/build-binaries.sh || return 1
  fi
  if [ "${1:-}" = node ] && ! node_binaries_ready; then
    did=true
    say "  building the test node (kubelet, kube-proxy, kube-scheduler, kube-controller-manager, containerd 2, CoreDNS) into $cache (once; about 5–10 minutes on 2 cores)"
    phase "test node (kubelet, containerd, CoreDNS)" 30 bash packages/test-env/go/build-node-binaries.sh || return 1
  fi
  if $did; then say "ready in $(duration $((SECONDS - t0)))"; else say "ready (npm packages, system packages and control plane cached)"; fi
}

# ── jobs ─────────────────────────────────────────────────────────────────────────────────────────
checks() {
  local status=0
  nx run-many -t build typecheck lint publint --outputStyle=stream || status=1
  tsc -p tsconfig.json || status=1 # root scripts, benchmarks, the demo
  biome check . || status=1
  changeset status || status=1
  return $status
}

# The tests also render the chart (helm, kustomize) and run the OCI conformance suite: built from Go
# modules once, like the control plane, so no test waits on a build.
test_tools_ready() {
  bash packages/test-env/go/build-deploy-tools.sh --check && bash packages/test-env/go/build-oci-conformance.sh --check
}
build_test_tools() {
  bash packages/test-env/go/build-deploy-tools.sh && bash packages/test-env/go/build-oci-conformance.sh
}

job_test() {
  local status=0
  if ! test_tools_ready >/dev/null 2>&1; then
    phase "test tools (helm, kustomize, OCI conformance suite)" 30 build_test_tools || status=1
  fi
  phase "build, typecheck, lint, publint, changesets" 80 checks || status=1
  # The node suites (packages/*/test/*.node.test.ts: a kubelet + containerd node in its own network namespace)
  # need root; the vitest project `node` exists only with HUB_NODE_TESTS=1.
  if [ "$(id -u)" -eq 0 ]; then
    export HUB_NODE_TESTS=1
    say "tests: every unit and integration project (vitest, one control plane + registry for the run) and the node suites"
  else
    say "tests: every unit and integration project (vitest, one control plane + registry for the run); the node suites need root and are left out"
  fi
  mkdir -p .test-results
  rm -f .test-results/vitest.json
  vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json || status=1
  node scripts/test-summary.ts .test-results/vitest.json "$status"
}

job_test_unit() {
  mkdir -p .test-results
  vitest run --project '*:unit' --reporter=default --reporter=json --outputFile.json=.test-results/unit.json
  node scripts/test-summary.ts .test-results/unit.json "$?"
}

# run_demo <nx projects> <script> [args]: builds those projects (a demo runs their built CLIs, as a
# user would), then the demo itself; its output is the job's and is shown as it comes.
run_demo() {
  local projects=$1 script=$2
  shift 2
  phase "build ${projects//,/, } (nx)" 30 nx run-many -t build -p "$projects" --outputStyle=stream || return 1
  node --conditions=@hub/source "$script" "$@"
}

case "$cmd" in
  test)
    # CI reads the last line, so a failed setup still ends with the summary line.
    setup node || { say "hub: setup failed, no tests ran"; echo "0 passed, 1 failed"; exit 1; }
    job_test
    ;;
  test-unit)
    npm_ready || phase "npm packages (npm ci)" 30 install_npm || exit 1
    use_project_node || exit 1
    job_test_unit
    ;;
  demo)
    setup || exit 1
    run_demo @hub/example-nextjs-imagehub scripts/demo-catalogue.ts "${@:2}"
    ;;
  demo-airgap)
    setup || exit 1
    run_demo @hub/image-save,@hub/kubepkg scripts/demo.ts "${@:2}"
    ;;
  setup)
    setup || exit 1
    ;;
  *)
    echo "usage: scripts/hub.sh test|test-unit|demo|setup" >&2
    exit 2
    ;;
esac

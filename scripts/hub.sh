#!/usr/bin/env bash
# Entry point behind the README's commands (`npm run demo`, `npm test`, `npm run test:unit`).
# It installs what the project needs on a fresh machine (Debian packages, npm packages with a
# project-local Node 24, kube-apiserver/etcd built from Go modules), then runs the job.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
log() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

bootstrap_npm() {
  # npm ci runs on whatever Node the machine has (Node 20 on a fresh one); the `node` devDependency
  # then provides Node 24 in node_modules/.bin, which every script below runs on.
  local stamp=node_modules/.hub-install-stamp
  if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund || return 1
    touch "$stamp"
  fi
  export PATH="$root/node_modules/.bin:$PATH"
  local v; v=$(node --version)
  case "$v" in v24.*) ;; *) echo "expected Node 24 from node_modules/.bin, got $v" >&2; return 1 ;; esac
}

bootstrap_system() {
  log "system packages (docker-registry, skopeo)"
  bash scripts/setup-system.sh || return 1
}

bootstrap_binaries() {
  log "kube-apiserver and etcd (built from Go modules, cached outside the repo)"
  local t0=$SECONDS
  bash packages/test-env/go/build-binaries.sh >/dev/null || return 1
  echo "binaries ready in $((SECONDS - t0))s" >&2
}

cmd=${1:-help}
case "$cmd" in
  test)
    bootstrap_npm && bootstrap_system && bootstrap_binaries || exit 1
    status=0
    log "build, typecheck, lint, publint + are-the-types-wrong (nx)"
    nx run-many -t build typecheck lint publint --outputStyle=stream || status=1
    tsc -p tsconfig.json || status=1   # root scripts, benchmarks, the demo
    biome check . >/dev/null 2>&1 || { biome check . ; status=1; }
    log "changesets"
    changeset status || status=1
    log "tests: every unit and integration project (vitest, one control plane + registry for the run)"
    mkdir -p .test-results
    rm -f .test-results/vitest.json
    vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json || status=1
    node scripts/test-summary.ts .test-results/vitest.json "$status"
    ;;
  test-unit)
    bootstrap_npm || exit 1
    mkdir -p .test-results
    vitest run --project '*:unit' --reporter=default --reporter=json --outputFile.json=.test-results/unit.json
    s=$?
    node scripts/test-summary.ts .test-results/unit.json "$s"
    ;;
  demo)
    bootstrap_npm && bootstrap_system && bootstrap_binaries || exit 1
    nx run-many -t build --outputStyle=stream >/dev/null || { nx run-many -t build; exit 1; }
    node --conditions=@hub/source scripts/demo.ts "${@:2}"
    ;;
  *)
    echo "usage: scripts/hub.sh test|test-unit|demo" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Builds the OCI distribution-spec conformance suite (Go module
# github.com/opencontainers/distribution-spec/conformance, through the Go module proxy) as a test binary
# into a cache outside the repository, keyed by version:
#   $HUB_TESTENV_CACHE/bin/oci-conformance-<ver>/conformance.test
# Prints the binary path on the last line as OCI_CONFORMANCE=…. `--check` exits 0 when it is cached.
# The proxy serves untagged pseudo-versions only; HUB_OCI_CONFORMANCE_VERSION picks another one.
set -euo pipefail

VERSION=${HUB_OCI_CONFORMANCE_VERSION:-v0.0.0-20260831232431-97274622c111}
CACHE=${HUB_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-testenv}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
out="$CACHE/bin/oci-conformance-$VERSION/conformance.test"
log() { printf '[build-oci-conformance] %s\n' "$*" >&2; }

if [ "${1:-}" = --check ]; then [ -x "$out" ]; exit; fi
if [ -x "$out" ]; then echo "OCI_CONFORMANCE=$out"; exit 0; fi
command -v go >/dev/null || { log "go is not on PATH: install Go 1.26 (https://go.dev/dl) and re-run"; exit 2; }

mkdir -p "$CACHE/logs" "$CACHE/work/oci-conformance-$VERSION" "$(dirname "$out")"
go_log="$CACHE/logs/build-oci-conformance.log"
work="$CACHE/work/oci-conformance-$VERSION"
cd "$work"
[ -f go.mod ] || printf 'module hubconformance\n\ngo 1.24\n' >go.mod
log "building github.com/opencontainers/distribution-spec/conformance@$VERSION (log: $go_log)"
if ! { go get "github.com/opencontainers/distribution-spec/conformance@$VERSION" &&
  go test -c -o "$out.tmp" github.com/opencontainers/distribution-spec/conformance; } >>"$go_log" 2>&1; then
  log "failed; last 30 lines of $go_log:"
  tail -n 30 "$go_log" >&2
  exit 1
fi
mv "$out.tmp" "$out"
echo "OCI_CONFORMANCE=$out"

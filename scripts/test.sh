#!/usr/bin/env bash
# Installs what is missing and runs every test: Rust unit and integration tests (each starts
# the real app on a random port with a fresh data directory; the store tests run against
# Redis and PostgreSQL, and the scale-out tests against two instances behind nginx, all
# started and stopped by scripts/services.sh), then Playwright in Debian's Chromium against a
# freshly built site (under its Content-Security-Policy, with the server's debug log checked
# for secrets), then API fuzzing with schemathesis and a short libFuzzer run of every fuzz
# target. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
scripts/bootstrap.sh --tests
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s (%ss elapsed, %s free on disk)\n' "$*" "$(( $(date +%s) - START ))" \
  "$(df -h --output=avail . | tail -1 | tr -d ' ')"; }

# A clean build of everything below takes about 5 GB under target/. Say so up front rather
# than fail half an hour in with "No space left on device".
free_kb=$(df -k --output=avail . | tail -1 | tr -d ' ')
if (( free_kb < 6 * 1024 * 1024 )); then
  echo "warning: only $(( free_kb / 1024 )) MB free on disk; a clean build needs about 5 GB" >&2
fi
# Incremental caches only pay off when the same tree is built again; CI builds it once.
if [[ "${CI:-}" == true ]]; then export CARGO_INCREMENTAL=0; fi

step "Module structure (no import cycles; no server crate in the wasm build)"
scripts/module-cycles.py
wasm_tree=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none)
server_only=$(grep -E '^(axum|argon2|tower-sessions|jsonwebtoken|sqlx|fred|tokio|governor) ' \
  <<<"$wasm_tree" || true)
if [[ -n "$server_only" ]]; then
  echo "server-only crates in the wasm build:" >&2; echo "$server_only" >&2; exit 1
fi

# app and server together: testing the workspace as a whole would build the wasm-only
# frontend for the host and unify `ssr` with `hydrate`.
step "Rust tests (unit, integration, every store, two instances behind nginx)"
scripts/services.sh run --scale-out -- cargo test -p app -p session-lab --no-fail-fast

step "Building the site for the browser tests (cargo leptos build, then a bundle per page)"
cargo leptos build
scripts/bundles.sh

step "Browser tests (Playwright, /usr/bin/chromium)"
(cd end2end && npx playwright test)

step "API fuzzing (schemathesis against /api/openapi.json)"
scripts/api-fuzz.sh 100

step "Fuzzing (cargo-fuzz, each target for ${FUZZ_SECONDS:=20}s, no sanitizer)"
FUZZ_SANITIZER=none scripts/fuzz.sh "$FUZZ_SECONDS"

step "All tests passed"

#!/usr/bin/env bash
# Installs what Session Lab needs to build and test, and only what is missing.
# Idempotent: on a machine that has everything it takes a few seconds.
#
#   scripts/bootstrap.sh            build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/bootstrap.sh --tests    also Chromium (Debian's), the Playwright package and
#                                   cargo-fuzz (schemathesis installs itself: scripts/api-fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WITH_TESTS=false
[[ "${1:-}" == "--tests" ]] && WITH_TESTS=true

CARGO_LEPTOS_VERSION=0.3.10
CARGO_FUZZ_VERSION=0.13.2
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }
done_in() { printf '    done in %ss\n' "$(( $(date +%s) - $1 ))"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "    present"
else
  t=$(date +%s); rustup target add wasm32-unknown-unknown; done_in "$t"
fi

# The two slow installs run side by side: the wasm-bindgen CLI in the background while
# cargo-leptos builds in the foreground (measured cold times: docs/performance.md).
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WB_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
WB_LOG=$ROOT/target/bootstrap-wasm-bindgen.log
wb_pid=""
step "wasm-bindgen CLI $WB_VERSION (matching Cargo.lock)"
if have wasm-bindgen && [[ "$(wasm-bindgen --version)" == "wasm-bindgen $WB_VERSION" ]]; then
  echo "    present"
else
  echo "    installing in the background (about 5 minutes on a fresh machine), log: $WB_LOG"
  mkdir -p "$(dirname "$WB_LOG")"
  wb_start=$(date +%s)
  # Without --locked: its lockfile wants a webpki-roots release the registry does not serve.
  # Released, but without fat LTO: it runs at every build, its build time once.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force >"$WB_LOG" 2>&1 &
  wb_pid=$!
fi

step "cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads)"
if have cargo-leptos && cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
  echo "    present"
else
  echo "    installing: about 10 minutes on a fresh machine (2 cores)"
  t=$(date +%s)
  # A debug build: cargo-leptos only drives cargo, wasm-bindgen and wasm-opt, so its own
  # speed is invisible, while its release profile (fat LTO, one codegen unit) took 29 minutes.
  CARGO_PROFILE_DEV_DEBUG=0 \
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads --debug
  done_in "$t"
fi

if [[ -n "$wb_pid" ]]; then
  step "waiting for the wasm-bindgen CLI"
  if ! wait "$wb_pid"; then
    tail -n 30 "$WB_LOG"
    echo "installing the wasm-bindgen CLI failed (log: $WB_LOG)" >&2
    exit 1
  fi
  done_in "$wb_start"
fi

step "wasm-opt from npm binaryen 132 (for release builds)"
if [[ -x node_modules/.bin/wasm-opt ]] && node_modules/.bin/wasm-opt --version | grep -q "version 132"; then
  echo "    present"
else
  t=$(date +%s); npm ci --no-audit --no-fund --silent; done_in "$t"
fi

if $WITH_TESTS; then
  step "Chromium (Debian's package)"
  if [[ -x /usr/bin/chromium ]]; then
    echo "    present: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
  else
    t=$(date +%s)
    as_root apt-get update -qq
    # The fonts the screenshot baselines were drawn with (end2end/tests/visual.spec.ts).
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-dejavu-core fonts-liberation
    done_in "$t"
  fi

  step "Playwright test runner and axe-core (npm, uses /usr/bin/chromium; no browser download)"
  if [[ -d end2end/node_modules/@playwright/test && -d end2end/node_modules/@axe-core/playwright ]]; then
    echo "    present"
  else
    t=$(date +%s)
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
    done_in "$t"
  fi

  step "cargo-fuzz $CARGO_FUZZ_VERSION (libFuzzer; runs on the machine's nightly toolchain)"
  if have cargo-fuzz && cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
    echo "    present"
  else
    echo "    installing: about 2 minutes on a fresh machine"
    t=$(date +%s)
    cargo install "cargo-fuzz@$CARGO_FUZZ_VERSION" --locked
    done_in "$t"
  fi
fi

echo
echo "Bootstrap complete. wasm-opt used for release builds: $ROOT/node_modules/.bin/wasm-opt"

#!/usr/bin/env bash
# Fuzzes the code that reads untrusted input with libFuzzer (cargo-fuzz), each target for a
# bounded time, and prints how many inputs each one ran.
#
#   scripts/fuzz.sh                    every target, 20 s each (what the test command runs)
#   scripts/fuzz.sh 600                every target, 10 minutes each
#   scripts/fuzz.sh 300 jwt_verify     one target, 5 minutes
#
# Targets (fuzz/fuzz_targets/): plain_cookie, signed_cookie, cookie_header (each lab's cookie,
# session ids included), jwt_verify (the server's token check), jwt_viewer (the viewer's
# decoder), token_request (POST /api/token bodies), account_forms (the account form bodies).
# A crash stops the run; libFuzzer saves the input under fuzz/artifacts/<target>/, and
# `cargo +nightly fuzz run <target> <that file>` replays it. Turn it into a regression test.
#
# FUZZ_SANITIZER=none builds without AddressSanitizer: the targets are safe Rust, whose bugs
# show as panics either way, and the build is much faster. The test command uses it; long
# runs keep the default (address).
#
# cargo-fuzz needs nightly Rust (sanitizer flags): the machine's nightly toolchain if it has
# one, else the stable compiler with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

SECONDS_EACH=${1:-20}
SANITIZER=${FUZZ_SANITIZER:-address}
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: run scripts/bootstrap.sh --tests" >&2
  exit 1
fi
if rustup toolchain list | grep -q '^nightly'; then
  CARGO=(cargo +nightly)
else
  echo "no nightly toolchain: using stable with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
  CARGO=(cargo)
fi

cd fuzz
if (( $# > 0 )); then TARGETS=("$@"); else mapfile -t TARGETS < <("${CARGO[@]}" fuzz list); fi

echo "==> building ${#TARGETS[@]} fuzz targets (sanitizer: $SANITIZER, debug assertions)"
t=$(date +%s)
"${CARGO[@]}" fuzz build --sanitizer "$SANITIZER" --debug-assertions
echo "    built in $(( $(date +%s) - t ))s"

mkdir -p ../target/fuzz-logs
summary=()
for target in "${TARGETS[@]}"; do
  mkdir -p "corpus/$target"
  seeds=()
  [[ -d "seeds/$target" ]] && seeds=("seeds/$target")
  log="../target/fuzz-logs/$target.log"
  echo "==> $target for ${SECONDS_EACH}s"
  if ! "${CARGO[@]}" fuzz run --sanitizer "$SANITIZER" --debug-assertions "$target" "corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "FAILED: $target found a crash; the input is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(find "corpus/$target" -type f | wc -l)
  summary+=("$(printf '%-15s %12s executions  %6s corpus inputs' "$target" "${runs:-?}" "$corpus")")
done

echo
echo "Fuzzing finished, no crash (${SECONDS_EACH}s per target):"
printf '  %s\n' "${summary[@]}"

#!/usr/bin/env bash
# Measures the release wasm bundle the way browsers receive it: raw, gzip -9 and brotli -q 11,
# after wasm-bindgen and `wasm-opt -Oz` (npm binaryen 132, as cargo-leptos uses it). With
# twiggy installed (`cargo install twiggy`), also lists the largest items of a build that
# keeps symbol names (profile `wasm-names`).
#
#   scripts/wasm-size.sh          sizes only
#   scripts/wasm-size.sh --top    sizes, then `twiggy top`
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bundle() { # profile -> $out/<profile>.wasm (optimised)
  local profile=$1 keep=()
  [[ $profile == wasm-names ]] && keep=(--keep-debug)
  echo "==> cargo build -p frontend --profile $profile (wasm32)" >&2
  cargo build -q -p frontend --lib --target wasm32-unknown-unknown --profile "$profile"
  wasm-bindgen --target web --no-typescript "${keep[@]}" --out-dir "$out/$profile" \
    "target/wasm32-unknown-unknown/$profile/frontend.wasm" 2>/dev/null
  local debug=()
  [[ $profile == wasm-names ]] && debug=(--debuginfo)
  wasm-opt -Oz "${debug[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-reference-types -o "$out/$profile.wasm" "$out/$profile/frontend_bg.wasm"
}

bundle wasm-release
wasm="$out/wasm-release.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
if command -v brotli >/dev/null; then
  br=$(brotli -q 11 -c "$wasm" | wc -c)
else
  # Node's zlib has brotli (quality 11 is its default), and node is here for wasm-opt.
  br=$(node -e 'const z=require("zlib"),fs=require("fs");console.log(z.brotliCompressSync(fs.readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$wasm" 2>/dev/null || echo "?")
fi
printf 'wasm bundle: raw %s B, gzip %s B, brotli %s B (%s KiB; budget 120 KiB)\n' \
  "$raw" "$gz" "$br" "$([[ $br == "?" ]] && echo "?" || echo $((br / 1024)))"

if [[ "${1:-}" == "--top" ]]; then
  command -v twiggy >/dev/null || { echo "twiggy missing: cargo install twiggy" >&2; exit 1; }
  bundle wasm-names
  twiggy top -n 25 "$out/wasm-names.wasm" | grep -v "custom section\|subsection"
fi

#!/usr/bin/env bash
# Measures each release wasm bundle the way browsers receive it: raw, gzip -9 and brotli -q 11,
# after wasm-bindgen and `wasm-opt -Oz` (npm binaryen 132, as cargo-leptos uses it), against
# its budget. With twiggy installed (`cargo install twiggy`), also lists the largest items of
# one bundle built with symbol names kept (profile `wasm-names`).
#
#   scripts/wasm-size.sh                   sizes only
#   scripts/wasm-size.sh --top [bundle]    sizes, then `twiggy top` (default: inspector)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# features -> $out/<name>.wasm (optimised); profile from $profile
bundle() {
  local name=$1 features=$2 keep=() debug=()
  [[ $profile == wasm-names ]] && keep=(--keep-debug) debug=(--debuginfo)
  echo "==> cargo build -p frontend --features $features --profile $profile (wasm32)" >&2
  cargo build -q -p frontend --lib --target wasm32-unknown-unknown --profile "$profile" \
    --target-dir target/front --no-default-features --features "$features"
  wasm-bindgen --target web --no-typescript "${keep[@]}" --out-dir "$out/$name" \
    "target/front/wasm32-unknown-unknown/$profile/frontend.wasm" 2>/dev/null
  wasm-opt -Oz "${debug[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-reference-types -o "$out/$name.wasm" "$out/$name/frontend_bg.wasm"
}

brotli_size() {
  if command -v brotli >/dev/null; then
    brotli -q 11 -c "$1" | wc -c
  else
    # Node's zlib has brotli (quality 11 is its default), and node is here for wasm-opt.
    node -e 'const z=require("zlib"),fs=require("fs");console.log(z.brotliCompressSync(fs.readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$1"
  fi
}

# Each page loads one bundle (app/src/components/site_files.rs); `all` is cargo-leptos' build,
# which pages load only where their own bundle was not built. Budgets in KiB, brotli.
profile=wasm-release
printf '%-10s %10s %10s %10s %8s %s\n' bundle raw gzip brotli KiB budget
for entry in shop:40 inspector:120 sessions:40 attacks:120 all:-; do
  name=${entry%%:*} budget=${entry##*:}
  bundle "$name" "$name"
  wasm="$out/$name.wasm"
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  br=$(brotli_size "$wasm")
  verdict=""
  [[ $budget != - ]] && verdict="$budget KiB $( (( br <= budget * 1024 )) && echo ok || echo OVER)"
  printf '%-10s %10s %10s %10s %8s %s\n' "$name" "$raw" "$gz" "$br" "$((br / 1024))" "$verdict"
done

if [[ "${1:-}" == "--top" ]]; then
  command -v twiggy >/dev/null || { echo "twiggy missing: cargo install twiggy" >&2; exit 1; }
  profile=wasm-names
  bundle "${2:-inspector}-names" "${2:-inspector}"
  twiggy top -n 25 "$out/${2:-inspector}-names.wasm" | grep -v "custom section\|subsection"
fi

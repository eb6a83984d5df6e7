#!/usr/bin/env bash
# Builds one wasm bundle per page group (`Bundle` in app/src/components/site_files.rs) into
# target/site/pkg, beside the complete bundle cargo-leptos builds. Run it after
# `cargo leptos build` (which empties target/site/pkg): each page then loads only its own
# islands; a page whose bundle is missing loads the complete one.
#
#   scripts/bundles.sh             debug, like `cargo leptos build`
#   scripts/bundles.sh --release   wasm-release, shrunk by wasm-opt, precompressed (br, gz)
set -euo pipefail
cd "$(dirname "$0")/.."
# npm's wasm-opt first: Debian's (binaryen 108) silently breaks hydration.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

release=false
[[ "${1:-}" == --release ]] && release=true
pkg=target/site/pkg
[[ -d $pkg ]] || { echo "no $pkg: run cargo leptos build first" >&2; exit 1; }
if $release; then
  profile=(--profile wasm-release); dir=wasm-release
else
  # As cargo-leptos builds in debug, so the dependencies it compiled are reused.
  profile=(); dir=debug; export RUSTFLAGS="--cfg erase_components"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for bundle in shop inspector sessions attacks; do
  start=$(date +%s)
  echo "==> wasm bundle '$bundle' ($dir)"
  cargo build -q -p frontend --lib --target wasm32-unknown-unknown --target-dir target/front \
    --no-default-features --features "$bundle" "${profile[@]}"
  wasm-bindgen --target web --no-typescript --out-name "$bundle" --out-dir "$out" \
    "target/front/wasm32-unknown-unknown/$dir/frontend.wasm"
  if $release; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-reference-types -o "$pkg/$bundle.wasm" "$out/${bundle}_bg.wasm"
  else
    mv "$out/${bundle}_bg.wasm" "$pkg/$bundle.wasm"
  fi
  mv "$out/$bundle.js" "$pkg/$bundle.js"
  if $release; then
    for file in "$pkg/$bundle.wasm" "$pkg/$bundle.js"; do
      gzip -9 -k -f "$file"
      node -e 'const z=require("zlib"),fs=require("fs"),f=process.argv[1];
        fs.writeFileSync(f+".br",z.brotliCompressSync(fs.readFileSync(f),
          {params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}))' "$file"
    done
  fi
  echo "    $pkg/$bundle.wasm: $(stat -c %s "$pkg/$bundle.wasm") B ($(( $(date +%s) - start )) s)"
done

#!/usr/bin/env bash
# Installs what is missing, builds Session Lab and serves it on the default configuration
# (Leptos.toml: SQLite under data/, http://127.0.0.1:3000). Stop it with Ctrl-C.
#
#   scripts/run.sh              debug build (quicker to compile)
#   scripts/run.sh --release    optimised build, wasm shrunk with wasm-opt, and the site files
#                               precompressed (brotli, gzip; --precompress acts on release only)
# The server reads Leptos.toml; SESSION_LAB_<KEY> environment variables override it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# npm's wasm-opt first: Debian's (binaryen 108) silently breaks hydration.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
printf '\n==> Building the site (first build: about 5 minutes)\n'
start=$(date +%s)
profile=debug release=()
[[ " $* " == *" --release "* ]] && profile=release release=(--release)
cargo leptos build --precompress "$@"
# cargo-leptos builds one wasm bundle with every island; each page loads just its own.
scripts/bundles.sh "${release[@]}"
printf '    built in %s s\n' "$(( $(date +%s) - start ))"
printf '\n==> Serving: when it says "listening", open http://127.0.0.1:3000\n\n'
exec "target/$profile/session-lab"

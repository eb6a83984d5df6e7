#!/usr/bin/env bash
# Installs what is missing, builds Session Lab and serves it on the default configuration
# (Leptos.toml: SQLite under data/, http://127.0.0.1:3000). Stop it with Ctrl-C.
#
#   scripts/run.sh              debug build (quicker to compile)
#   scripts/run.sh --release    optimised build, wasm shrunk with wasm-opt, and the site files
#                               precompressed (brotli, gzip; --precompress acts on release only)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# npm's wasm-opt first: Debian's (binaryen 108) silently breaks hydration.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
printf '\n==> Building and serving (first build: about 5 minutes)\n'
printf '    When it says "listening", open http://127.0.0.1:3000\n\n'
exec cargo leptos serve --precompress "$@"

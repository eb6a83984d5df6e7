#!/usr/bin/env bash
# API fuzzing: schemathesis (from PyPI, in .tools/schemathesis) generates requests from the
# app's own OpenAPI document (/api/openapi.json) against a running instance, and checks every
# answer: no 5xx, status codes, headers, content types and bodies as the document says.
#
#   scripts/api-fuzz.sh          50 examples per operation (what the test command runs)
#   scripts/api-fuzz.sh 500      more
#
# It starts its own instance (SESSION_LAB_BIN, default target/debug/session-lab) on a free
# port with a throw-away data directory, registers an account, and sends that account's token
# in Authorization so /api/me and /api/echo are tested logged in as well as out. The
# per-client password-check limit is off for this instance: schemathesis posts /api/token
# hundreds of times from one address (the limit itself has its own tests).
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-50}
BIN=${SESSION_LAB_BIN:-target/debug/session-lab}
ST_VERSION=4.32.5
VENV=.tools/schemathesis

if [[ ! -x "$VENV/bin/st" ]] || ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  echo "==> installing schemathesis $ST_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
[[ -x "$BIN" ]] || { echo "no server binary at $BIN: run cargo leptos build first" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$(mktemp -d)
BASE="http://127.0.0.1:$PORT"
"$BIN" --addr "127.0.0.1:$PORT" --data-dir "$DATA" --password-checks-per-minute 0 \
  >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

curl -fs -o /dev/null -X POST "$BASE/register" \
  --data 'username=schemathesis&password=correct+horse+battery&confirm=correct+horse+battery'
new_token() {
  curl -fs -X POST "$BASE/api/token" -H 'content-type: application/json' \
    -d '{"username":"schemathesis","password":"correct horse battery"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# `/api/logout` revokes the token it is sent: it runs alone, last, with a token of its own, so
# that every other operation is fuzzed with a token that works.
fuzz() {
  "$VENV/bin/st" run "$BASE/api/openapi.json" \
    --checks all \
    --max-examples "$EXAMPLES" \
    --header "Authorization: Bearer $(new_token)" \
    --seed 1 \
    --workers 1 \
    --no-color \
    "$@"
}
echo "==> schemathesis against $BASE/api/openapi.json ($EXAMPLES examples per operation)"
fuzz --exclude-path /api/logout
fuzz --include-path /api/logout

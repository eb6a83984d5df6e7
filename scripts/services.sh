#!/usr/bin/env bash
# The servers Session Lab can share state through, from Debian's packages, on loopback only,
# with throw-away data directories. Everything started here is stopped by PID on exit, also
# when the command fails or is interrupted.
#
#   scripts/services.sh install          install redis-server, postgresql and nginx if missing
#   scripts/services.sh run -- CMD ...    start Redis and PostgreSQL, run CMD with
#                                         SESSION_LAB_TEST_REDIS_URL and
#                                         SESSION_LAB_TEST_POSTGRES_URL set, then stop them
#   scripts/services.sh run --scale-out -- CMD ...
#                                         also build session-lab, start two instances sharing
#                                         Redis (sessions, carts, revocations) and PostgreSQL
#                                         (accounts) and nginx in front (round-robin); CMD gets
#                                         SESSION_LAB_SCALE_OUT_URL (nginx) and
#                                         SESSION_LAB_INSTANCE_URLS (the two, comma-separated)
#   scripts/services.sh run --scale-out -- sleep infinity
#                                         the same, to try by hand (Ctrl-C stops everything)
#
# The servers are private to the run: random free ports, a temporary directory, no password
# (they listen on 127.0.0.1 only).
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
step() { printf '\n==> %s\n' "$*"; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

install_missing() {
  local missing=()
  have redis-server || missing+=(redis-server)
  [[ -n "$(pg_bin)" && -x "$(pg_bin)/postgres" ]] || missing+=(postgresql)
  [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  step "Redis, PostgreSQL and nginx (Debian's packages)"
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "    present"
    return
  fi
  echo "    installing: ${missing[*]}"
  local t; t=$(date +%s)
  as_root apt-get update -qq
  # policy-rc.d: the packages must not start system-wide servers; we start our own.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the packaged services where it can; they are not ours, stop them.
  as_root service redis-server stop >/dev/null 2>&1 || true
  as_root service postgresql stop >/dev/null 2>&1 || true
  as_root service nginx stop >/dev/null 2>&1 || true
  printf '    done in %ss\n' "$(( $(date +%s) - t ))"
}

http_ok() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Runs a command as the unprivileged `postgres` user when we are root (PostgreSQL refuses
# to run as root).
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PIDS=()
POSTMASTER=""
RUN_DIR=""
stop_all() {
  local status=$?
  [[ -n "$POSTMASTER" ]] && kill -INT "$POSTMASTER" 2>/dev/null
  for pid in $POSTMASTER "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $POSTMASTER "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ -n "$RUN_DIR" ]] && rm -rf "$RUN_DIR"
  exit "$status"
}

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "error: $what did not start" >&2
  return 1
}

start_redis() {
  local port; port=$(free_port)
  mkdir -p "$RUN_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$RUN_DIR/redis" \
    --appendonly yes --save "" --protected-mode yes --daemonize no \
    --logfile "$RUN_DIR/redis/redis.log" &
  PIDS+=($!)
  wait_for "Redis" redis-cli -p "$port" ping
  export SESSION_LAB_TEST_REDIS_URL="redis://127.0.0.1:$port"
  echo "    Redis on 127.0.0.1:$port (pid ${PIDS[-1]})"
}

start_postgres() {
  local port bin; port=$(free_port); bin=$(pg_bin)
  local data="$RUN_DIR/postgres"
  mkdir -p "$data"
  [[ $(id -u) -eq 0 ]] && chown postgres "$RUN_DIR" "$data"
  as_postgres "$bin/initdb" -D "$data" -U lab --auth=trust -E UTF8 >/dev/null
  as_postgres "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$data" -c fsync=off -c max_connections=200 \
    >"$data.log" 2>&1 &
  PIDS+=($!)
  wait_for "PostgreSQL" "$bin/pg_isready" -h 127.0.0.1 -p "$port"
  # The postmaster itself (runuser stays in between): SIGINT is its fast shutdown.
  POSTMASTER=$(head -1 "$data/postmaster.pid")
  as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U lab lab
  export SESSION_LAB_TEST_POSTGRES_URL="postgres://lab@127.0.0.1:$port/lab"
  echo "    PostgreSQL on 127.0.0.1:$port (pid $POSTMASTER)"
}

start_instance() { # name, port, nginx port
  local name=$1 port=$2 public=$3 dir="$RUN_DIR/$1"
  mkdir -p "$dir"
  SESSION_LAB_SESSION_STORE="$SESSION_LAB_TEST_REDIS_URL" \
  SESSION_LAB_ACCOUNT_DB="$SESSION_LAB_TEST_POSTGRES_URL" \
  SESSION_LAB_PUBLIC_URL="http://127.0.0.1:$public" \
  SESSION_LAB_COOKIE_KEY_FILE="$RUN_DIR/secrets/cookie.key" \
  SESSION_LAB_JWT_SECRET_FILE="$RUN_DIR/secrets/jwt-hs256.key" \
    "$BIN" --addr "127.0.0.1:$port" --data-dir "$dir" --client-address-header x-real-ip \
    >"$dir.log" 2>&1 &
  PIDS+=($!)
  wait_for "session-lab $name" http_ok "http://127.0.0.1:$port/readyz"
  echo "    session-lab $name on 127.0.0.1:$port (pid ${PIDS[-1]})"
}

start_scale_out() {
  step "Building session-lab"
  cargo build -p session-lab --bin session-lab
  BIN=${SESSION_LAB_BIN:-target/debug/session-lab}
  local a b web; a=$(free_port); b=$(free_port); web=$(free_port)
  step "Two instances behind nginx (round-robin)"
  # The first start generates the shared secrets; the second instance reads the same files.
  start_instance a "$a" "$web"
  start_instance b "$b" "$web"
  mkdir -p "$RUN_DIR/nginx"
  cat >"$RUN_DIR/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $RUN_DIR/nginx/body;
  proxy_temp_path $RUN_DIR/nginx/proxy;
  fastcgi_temp_path $RUN_DIR/nginx/fastcgi;
  uwsgi_temp_path $RUN_DIR/nginx/uwsgi;
  scgi_temp_path $RUN_DIR/nginx/scgi;
  upstream session_lab {
    server 127.0.0.1:$a;
    server 127.0.0.1:$b;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$web;
    location / {
      proxy_pass http://session_lab;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
NGINX
  /usr/sbin/nginx -c "$RUN_DIR/nginx/nginx.conf" -p "$RUN_DIR/nginx" &
  PIDS+=($!)
  wait_for "nginx" http_ok "http://127.0.0.1:$web/healthz"
  echo "    nginx on 127.0.0.1:$web (pid ${PIDS[-1]})"
  export SESSION_LAB_SCALE_OUT_URL="http://127.0.0.1:$web"
  export SESSION_LAB_INSTANCE_URLS="http://127.0.0.1:$a,http://127.0.0.1:$b"
}

case "${1:-}" in
  install)
    install_missing
    ;;
  run)
    shift
    SCALE_OUT=false
    [[ "${1:-}" == "--scale-out" ]] && { SCALE_OUT=true; shift; }
    [[ "${1:-}" == "--" ]] && shift
    install_missing
    RUN_DIR=$(mktemp -d /tmp/session-lab-services.XXXXXX)
    chmod 755 "$RUN_DIR"
    trap stop_all EXIT INT TERM
    step "Starting Redis and PostgreSQL on loopback (data in $RUN_DIR)"
    start_redis
    start_postgres
    if $SCALE_OUT; then start_scale_out; fi
    "$@"
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac

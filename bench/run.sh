#!/usr/bin/env bash
# Benchmark harness: drives the real release server over HTTP with wrk, on SQLite and on
# PostgreSQL, and prints throughput and latency percentiles. Not part of CI (it needs a release
# build and a quiet machine).
#
#   bash bench/run.sh                 # both backends, 20 s per scenario
#   DURATION=60s BACKENDS=postgres bash bench/run.sh
#
# Needs: wrk (apt-get install -y wrk), curl, python3, PostgreSQL at TEST_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${PORT:-18181}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --locked --bin seriktes
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/seriktes"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

run_backend() {
  local backend="$1" url
  case "$backend" in
    sqlite) url="$WORK/seriktes.db" ;;
    postgres)
      local db="seriktes_bench_$(date +%s)"
      psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db"
      url="${PG_ADMIN_URL%/*}/$db"
      trap "cleanup; psql -q '$PG_ADMIN_URL' -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)'" EXIT
      ;;
  esac
  export DATABASE_URL="$url" SERIKTES_BIND="127.0.0.1:$PORT" RUST_LOG=warn
  export SERIKTES_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789"
  echo 'bench passphrase' | "$BIN" create-admin --email bench@example.org
  "$BIN" serve & SERVER_PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local base="http://127.0.0.1:$PORT/api/v1"
  local token org
  token=$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"bench passphrase"}' | json '["access_token"]')
  for i in $(seq 100); do
    curl -sf "$base/organizations" -H "authorization: Bearer $token" -H 'content-type: application/json' \
      -d "{\"kind\":\"ngo\",\"name\":{\"en\":\"NGO $i\"},\"region\":\"KZ-39\"}" >/dev/null
  done
  org=$(curl -sf "$base/organizations?limit=1" -H "authorization: Bearer $token" | json '["data"][0]["id"]')

  echo "== $backend: GET /organizations/{id} (JWT + user lookup + row), $CONNECTIONS connections, $DURATION"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$base/organizations/$org" \
    | grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx'
  echo "== $backend: GET /organizations?limit=50 (a page of 50)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$base/organizations?limit=50" \
    | grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx'
  echo "== $backend: POST /auth/login (argon2id m=19456,t=2,p=1), 4 connections"
  cat > "$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.org","password":"bench passphrase"}'
LUA
  wrk -t2 -c4 -d"$DURATION" --latency -s "$WORK/login.lua" "$base/auth/login" \
    | grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx'
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for b in $BACKENDS; do run_backend "$b"; done

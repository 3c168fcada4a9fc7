#!/usr/bin/env bash
# Benchmark harness: puts the product beside two yardsticks on the SAME PostgreSQL in the SAME run
# and prints ratios (absolute figures on shared machines drift from run to run; ratios much less).
#
#   1. pgbench -S (select-only) on its own scratch database: the machine's yardstick (TPS).
#   2. The minimal reference (/work/shared/bench-reference/minimal: actix-web + diesel + JWT, one
#      indexed SELECT, no authorization) over 100,000 rows: GET /grants/{random id} and a keyset
#      page of 50 at a random position.
#   3. The product (the release `seriktes` binary) over 100,000 grants seeded with SQL, called as a
#      programme manager: GET /api/v1/grants/{random id} and GET /api/v1/grants?limit=50 (a page
#      at a random cursor).
#   2 and 3 run side by side and are measured in ROUNDS alternating rounds (reference by id,
#      product by id, reference page, product page); each ratio is the median of its rounds.
#   4. A login storm: p99 of GET grant by id while 4 connections sign in continuously, against the
#      median calm p99 of (3); the product's resident memory sampled throughout (peak printed).
#   5. Results: a second programme of 1,000 grants × 4 accepted quarterly reports × 5 indicators
#      with disaggregated parts (bench/results_seed.py, seeded with SQL), GET
#      /api/v1/programmes/{id}/results as its manager (staff: with the breakdown by grant) and
#      anonymously, on PostgreSQL; then the same rows in a SQLite file served by the same binary.
#      p50 and p99 printed beside GET grant by id; target p99 < 100 ms on PostgreSQL.
#
#   bash bench/run.sh                              # 10 s per scenario
#   DURATION=30s bash bench/run.sh
#   BIN=target/debug/seriktes DURATION=3s bash bench/run.sh   # plumbing check, numbers meaningless
#
# HOLD=1 skips the references and keeps the seeded product running for a profiler (perf).
# Knobs (environment): ROUNDS (3: reference and product alternate this often), DURATION (10s), WARMUP (3s), THREADS (2), CONNECTIONS (32), STORM_CONNECTIONS (4),
# PGBENCH_CLIENTS (2), PGBENCH_SECONDS (10), WORKERS (4) and POOL_SIZE (8) for both servers,
# RESULTS_CONNECTIONS (4: the results scenarios' wrk connections; each waits up to 30 s for an answer,
# where wrk's default of 2 s would drop every slow request from the figures),
# BIN (a prebuilt seriktes; default: cargo build --release), REF_DIR (the references),
# REF_BUILD_DIR (where the reference is copied and built; kept as a cache), MIN_PORT, PROD_PORT,
# TEST_POSTGRES_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres).
#
# Needs: PostgreSQL at TEST_POSTGRES_URL, psql, pgbench, wrk, curl, cargo (installs wrk, curl and
# the PostgreSQL client with apt-get when missing). Everything it starts is stopped and every
# database it creates is dropped on exit. Not part of CI (it wants a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
RESULTS_CONNECTIONS="${RESULTS_CONNECTIONS:-4}"
STORM_CONNECTIONS="${STORM_CONNECTIONS:-4}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-2}"
PGBENCH_SECONDS="${PGBENCH_SECONDS:-10}"
ROUNDS="${ROUNDS:-3}"
WORKERS="${WORKERS:-4}"
POOL_SIZE="${POOL_SIZE:-8}"
MIN_PORT="${MIN_PORT:-18281}"
PROD_PORT="${PROD_PORT:-18282}"
REF_DIR="${REF_DIR:-/work/shared/bench-reference}"
REF_BUILD_DIR="${REF_BUILD_DIR:-/tmp/seriktes-bench-ref}"
PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_BASE="${PG_ADMIN_URL%/*}"
GRANTS=100000
GRANTEES=200
PASSWORD="bench passphrase 2026"
RUN_ID="$$_$(date +%s)"

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v pgbench >/dev/null 2>&1 || missing+=(postgresql-client postgresql-contrib)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- cleanup: every process started and every database created is recorded here ----------------
WORK="$(mktemp -d /tmp/seriktes-bench.XXXXXX)"
PIDS=()
DBS=()
cleanup() {
  local pid db
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for db in "${DBS[@]}"; do
    psql -X -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
new_db() { # name: creates name_<run>, sets DB_URL; the database is dropped on exit
  local db="$1_$RUN_ID"
  DBS+=("$db") # recorded in this shell (not in a $(...) subshell), so that cleanup sees it
  pg "$PG_ADMIN_URL" -c "CREATE DATABASE $db" >/dev/null
  DB_URL="$PG_BASE/$db"
}
stop() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
wait_http() { # url
  for _ in $(seq 150); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  die "nothing answers at $1"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# --- wrk scripts -------------------------------------------------------------------------------
# Every scenario prints one machine-readable line from its done() hook.
cat >"$WORK/done.lua" <<'LUA'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
# GET BENCH_PREFIX .. <a random line of BENCH_IDS> .. BENCH_SUFFIX
cat - "$WORK/done.lua" >"$WORK/random.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local prefix = os.getenv("BENCH_PREFIX") or ""
local suffix = os.getenv("BENCH_SUFFIX") or ""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end
function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)] .. suffix)
end
LUA
# POST /auth/login with BENCH_LOGIN_BODY
cat - "$WORK/done.lua" >"$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_LOGIN_BODY")
LUA

# Results, by scenario key.
declare -A RPS P50 P99 NON2XX LABEL
ORDER=()
record() { # key label result-line
  local key="$1" line="$3"
  [ -n "$line" ] || die "$2: wrk printed no RESULT line (see above)"
  LABEL[$key]="$2"
  RPS[$key]="$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")"
  P50[$key]="$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")"
  P99[$key]="$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")"
  NON2XX[$key]="$(sed -E 's/.*non2xx=([0-9]+) errors=([0-9]+).*/\1+\2/' <<<"$line" | awk -F+ '{print $1 + $2}')"
  ORDER+=("$key")
  printf '%s: %s\n' "$2" "$line" >&2
}
wrk_run() { # duration connections script url [extra wrk args...] → wrk output
  local d="$1" c="$2" s="$3" u="$4"
  shift 4
  wrk -t"$THREADS" -c"$c" -d"$d" --latency -s "$s" "$@" "$u"
}
# measure key label base-url ids-file prefix suffix [extra wrk args...]: warm-up, then the run.
measure() {
  local key="$1" label="$2" url="$3" ids="$4" prefix="$5" suffix="$6" out
  shift 6
  log "$label: warm-up $WARMUP, then $DURATION, $CONNECTIONS connections"
  BENCH_IDS="$ids" BENCH_PREFIX="$prefix" BENCH_SUFFIX="$suffix" \
    wrk_run "$WARMUP" "$CONNECTIONS" "$WORK/random.lua" "$url" "$@" >/dev/null
  out="$(BENCH_IDS="$ids" BENCH_PREFIX="$prefix" BENCH_SUFFIX="$suffix" \
    wrk_run "$DURATION" "$CONNECTIONS" "$WORK/random.lua" "$url" "$@")"
  record "$key" "$label" "$(grep '^RESULT' <<<"$out" || true)"
}
probe() { # what url [curl args...]: 0 when the url answers 200 (body in $WORK/probe.json)
  local what="$1" url="$2" code
  shift 2
  code="$(curl -s -o "$WORK/probe.json" -w '%{http_code}' "$@" "$url")"
  [ "$code" = 200 ] && return 0
  printf 'bench: %s: %s answered %s: %s\n' "$what" "$url" "$code" "$(head -c 400 "$WORK/probe.json")" >&2
  return 1
}

if [ -z "${HOLD:-}" ]; then
# --- 1. pgbench -S -----------------------------------------------------------------------------
log "pgbench -i -s 10, then pgbench -S: $PGBENCH_CLIENTS clients, $PGBENCH_SECONDS s"
new_db bench_pgbench
PGB_URL="$DB_URL"
pgbench -i -s 10 -q "$PGB_URL" >"$WORK/pgbench-init.log" 2>&1 || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
pgbench -S -n -c "$PGBENCH_CLIENTS" -j "$PGBENCH_CLIENTS" -T "$PGBENCH_SECONDS" "$PGB_URL" >"$WORK/pgbench.log" 2>&1 \
  || { cat "$WORK/pgbench.log" >&2; die "pgbench -S failed"; }
PGBENCH_TPS="$(grep -m1 -oE 'tps = [0-9.]+' "$WORK/pgbench.log" | awk '{printf "%.1f", $3}')"
[ -n "$PGBENCH_TPS" ] || { cat "$WORK/pgbench.log" >&2; die "no tps in pgbench output"; }
echo "pgbench -S: $PGBENCH_TPS tps" >&2

# --- 2. the minimal reference ------------------------------------------------------------------
log "minimal reference: build (offline, release) in $REF_BUILD_DIR"
mkdir -p "$REF_BUILD_DIR"
rm -rf "$REF_BUILD_DIR/minimal"
cp -a "$REF_DIR/minimal" "$REF_BUILD_DIR/minimal" # the shared folder is read-only; cargo writes Cargo.lock
chmod -R u+w "$REF_BUILD_DIR/minimal"
cargo build --release --offline -q --manifest-path "$REF_BUILD_DIR/minimal/Cargo.toml" \
  --target-dir "$REF_BUILD_DIR/target"
MIN_BIN="$REF_BUILD_DIR/target/release/perfspike"
new_db grants_ref
REF_URL="$DB_URL"
pg "$REF_URL" -f "$REF_DIR/seed.sql" >/dev/null
DATABASE_URL="$REF_URL" POOL_SIZE="$POOL_SIZE" WORKERS="$WORKERS" PORT="$MIN_PORT" "$MIN_BIN" 2>"$WORK/minimal.log" &
MIN_PID=$!
PIDS+=("$MIN_PID")
wait_http "http://127.0.0.1:$MIN_PORT/hello"
MIN_TOKEN="$("$MIN_BIN" mint)"
seq 1 "$GRANTS" >"$WORK/ref-ids.txt"
seq 0 $((GRANTS - 50)) >"$WORK/ref-after.txt"
probe "minimal by id" "http://127.0.0.1:$MIN_PORT/grants/1" -H "Authorization: Bearer $MIN_TOKEN" || exit 1
# The reference keeps running: the rounds below alternate it with the product.

fi # HOLD skips the references

# --- 3. the product ----------------------------------------------------------------------------
if [ -z "${BIN:-}" ]; then
  log "product: cargo build --release --locked --bin seriktes"
  cargo build --release --locked --bin seriktes
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/seriktes"
fi
[ -x "$BIN" ] || die "no executable at BIN=$BIN"
log "product: $BIN, migrate, create-admin, seed $GRANTS grants with SQL"
new_db seriktes_bench
PROD_URL="$DB_URL"
export DATABASE_URL="$PROD_URL" SERIKTES_BIND="127.0.0.1:$PROD_PORT" RUST_LOG=warn
export SERIKTES_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789"
export SERIKTES_WORKERS="$WORKERS" SERIKTES_DB_POOL_SIZE="$POOL_SIZE"
"$BIN" migrate
echo "$PASSWORD" | "$BIN" create-admin --email admin@bench.example.org

# Budget lines live in grants.budget_lines (JSON) or, when present, in grant_budget_lines rows.
has_column() { # table column
  [ "$(pg -At "$PROD_URL" -c "SELECT count(*) FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = '$1' AND column_name = '$2'")" = 1 ]
}
has_table() { # table
  [ "$(pg -At "$PROD_URL" -c "SELECT count(*) FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name = '$1'")" = 1 ]
}
grant_lines_col="" grant_lines_val=""
if has_column grants budget_lines; then
  grant_lines_col=", budget_lines"
  grant_lines_val=", '[{\"category\":\"staff\",\"description\":\"Salaries\",\"amount_minor\":' || (a - a / 4) || '},{\"category\":\"events\",\"description\":\"Workshops\",\"amount_minor\":' || (a / 4) || '}]'"
fi
if has_column grants lines_json; then
  # The read copy of the grant's budget lines (the rows seeded below, same ids and amounts).
  grant_lines_col="$grant_lines_col, lines_json"
  grant_lines_val="$grant_lines_val, json_build_array(
    json_build_object('id', bench_v7(g, 'line ' || g || ' 0'), 'category', 'staff', 'description', 'Salaries', 'amount_minor', a - a / 4),
    json_build_object('id', bench_v7(g, 'line ' || g || ' 1'), 'category', 'events', 'description', 'Workshops', 'amount_minor', a / 4))::text"
fi
app_lines_col="" app_lines_val=""
if has_column applications budget_lines; then
  app_lines_col=", budget_lines"
  app_lines_val=", '[{\"category\":\"staff\",\"description\":\"Salaries\",\"amount_minor\":' || (a - a / 4) || '},{\"category\":\"events\",\"description\":\"Workshops\",\"amount_minor\":' || (a / 4) || '}]'"
fi

# Ids are UUID strings. Grants, applications and budget lines get UUIDv7-shaped ids, as the API
# gives them: a millisecond timestamp (grant g is created g ms after the first) before md5 bits of
# a label, so ids follow creation order and a page by id reads neighbouring rows, as it does in a
# database the API filled (random ids would scatter every page over 50 heap pages). Other ids are
# md5 of a label; all are reproducible. One managing organisation, one
# funder, $GRANTEES grantee NGOs, one active programme, one decided call, $GRANTS awarded
# applications and one active grant for each.
V7_FUNCTION="CREATE OR REPLACE FUNCTION bench_v7(ms bigint, label text) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
  SELECT substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(h, 1, 3) || '-8' || substr(h, 4, 3) || '-' || substr(h, 7, 12)
  FROM (SELECT lpad(to_hex(1767225600000 + ms), 12, '0') AS t, md5(label) AS h) s \$\$;"
pg "$PROD_URL" >/dev/null <<SQL
BEGIN;
$V7_FUNCTION
CREATE TEMP TABLE seed AS
  SELECT g, bench_v7(g, 'grant ' || g) AS grant_id, bench_v7(g, 'application ' || g) AS app_id,
         md5('grantee ' || (g % $GRANTEES))::uuid::text AS grantee_id, 100000 + (g * 7919) % 9900000 AS a
  FROM generate_series(1, $GRANTS) AS g;
INSERT INTO organizations (id, kind, name, country, region, themes, created_at, updated_at)
  VALUES (md5('managing')::uuid::text, 'network', '{"en":"Bench managing network"}', 'KZ', 'KZ-75', '["human_rights"]', now(), now()),
         (md5('funder')::uuid::text, 'donor', '{"en":"Bench funder"}', 'KZ', 'KZ-75', '[]', now(), now());
INSERT INTO organizations (id, kind, name, country, region, themes, created_at, updated_at)
  SELECT md5('grantee ' || o)::uuid::text, 'ngo', '{"en":"Grantee NGO ' || o || '"}', 'KZ', 'KZ-39', '["education"]', now(), now()
  FROM generate_series(0, $GRANTEES - 1) AS o;
INSERT INTO programmes (id, title, description, managing_organization_id, currency, budget_minor, starts_on, ends_on,
                        regions, themes, status, created_at, updated_at)
  VALUES (md5('programme')::uuid::text, '{"en":"Bench programme"}', '{"en":"Seeded by bench/run.sh"}', md5('managing')::uuid::text,
          'KZT', 9000000000000, DATE '2026-01-01', DATE '2030-12-31', '["KZ-39"]', '["education"]', 'active', now(), now());
INSERT INTO programme_funders (programme_id, organization_id, committed_minor)
  VALUES (md5('programme')::uuid::text, md5('funder')::uuid::text, 9000000000000);
INSERT INTO calls (id, programme_id, title, description, opens_at, closes_at, max_award_minor, envelope_minor,
                   eligible_kinds, eligible_regions, min_duration_months, max_duration_months, status, created_at, updated_at)
  VALUES (md5('call')::uuid::text, md5('programme')::uuid::text, '{"en":"Bench call"}', '{"en":"Seeded by bench/run.sh"}',
          TIMESTAMP '2026-01-01', TIMESTAMP '2026-03-01', 10000000, 9000000000000, '["ngo"]', '["KZ-39"]', 6, 24,
          'decided', now(), now());
INSERT INTO applications (id, call_id, applicant_organization_id, title, summary, currency, requested_minor, duration_months,
                          regions, target_groups$app_lines_col, status, submitted_at, created_at, updated_at)
  SELECT app_id, md5('call')::uuid::text, grantee_id, '{"en":"Application ' || g || '"}', '{"en":"Summary of application ' || g || '"}',
         'KZT', a, 12, '["KZ-39"]', '["youth"]'$app_lines_val, 'awarded', TIMESTAMP '2026-02-01', TIMESTAMP '2026-01-15', now()
  FROM seed;
INSERT INTO grants (id, application_id, call_id, programme_id, grantee_organization_id, currency, amount_minor,
                    starts_on, ends_on$grant_lines_col, status, created_at, updated_at)
  SELECT grant_id, app_id, md5('call')::uuid::text, md5('programme')::uuid::text, grantee_id, 'KZT', a,
         DATE '2026-04-01', DATE '2027-03-31'$grant_lines_val,
         (ARRAY['active','active','active','suspended','completed','terminated'])[1 + g % 6], now(), now()
  FROM seed;
COMMIT;
SQL
if has_table grant_budget_lines; then
  # A text id gets a UUID; any other id type is left to its column default.
  line_id_col="" line_id_val=""
  if [ "$(pg -At "$PROD_URL" -c "SELECT data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'grant_budget_lines' AND column_name = 'id'")" = text ]; then
    line_id_col="id, " line_id_val="bench_v7(g, 'line ' || g || ' ' || p), "
  fi
  pg "$PROD_URL" >/dev/null <<SQL
INSERT INTO grant_budget_lines (${line_id_col}grant_id, position, category, description, amount_minor)
  SELECT ${line_id_val}bench_v7(g, 'grant ' || g), p,
         CASE p WHEN 0 THEN 'staff' ELSE 'events' END, CASE p WHEN 0 THEN 'Salaries' ELSE 'Workshops' END,
         CASE p WHEN 0 THEN a - a / 4 ELSE a / 4 END
  FROM (SELECT g, 100000 + (g * 7919) % 9900000 AS a FROM generate_series(1, $GRANTS) AS g) s, generate_series(0, 1) AS p
  ORDER BY g, p; -- grant by grant, as awards and amendments write them
SQL
  echo "seeded grant_budget_lines (2 per grant)" >&2
fi
log "results: seed a programme of 1,000 grants × 4 accepted reports × 5 indicators with SQL"
python3 "$ROOT/bench/results_seed.py" --sql >"$WORK/results-seed.sql" 2>"$WORK/results-programme.txt"
pg "$PROD_URL" -f "$WORK/results-seed.sql" >/dev/null
RESULTS_PROGRAMME="$(cat "$WORK/results-programme.txt")"
echo "$RESULTS_PROGRAMME" >"$WORK/results-ids.txt"
pg "$PROD_URL" -c "VACUUM ANALYZE" >/dev/null
pg -At "$PROD_URL" -c "SELECT id FROM grants" >"$WORK/prod-ids.txt"
# Cursors as the API issues them (base64url, no padding, of "v1:<id>"), for pages at random positions.
pg -At "$PROD_URL" -c "SELECT rtrim(translate(encode(convert_to('v1:' || id, 'UTF8'), 'base64'), '+/', '-_'), '=')
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM grants) s WHERE r <= $GRANTS - 50" >"$WORK/prod-cursors.txt"

"$BIN" serve 2>"$WORK/seriktes.log" &
PROD_PID=$!
PIDS+=("$PROD_PID")
wait_http "http://127.0.0.1:$PROD_PORT/health/ready"
# Resident memory, sampled every 0.2 s for as long as the server lives.
(
  while [ -r "/proc/$PROD_PID/status" ]; do
    awk '/^VmRSS:/ {print $2}' "/proc/$PROD_PID/status" 2>/dev/null || true
    sleep 0.2
  done
) >"$WORK/rss.txt" &
PIDS+=("$!")

API="http://127.0.0.1:$PROD_PORT/api/v1"
login() { # email → access token
  curl -sf "$API/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json '["access_token"]'
}
ADMIN_TOKEN="$(login admin@bench.example.org)"
MANAGER_ID="$(curl -sf "$API/users" -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' \
  -d "{\"email\":\"manager@bench.example.org\",\"name\":\"Bench manager\",\"password\":\"$PASSWORD\",\"system_role\":\"user\"}" \
  | json '["id"]')" || die "could not create the manager user"
MANAGING_ID="$(pg -At "$PROD_URL" -c "SELECT md5('managing')::uuid::text")"
curl -sf -o /dev/null "$API/organizations/$MANAGING_ID/members" -H "authorization: Bearer $ADMIN_TOKEN" \
  -H 'content-type: application/json' -d "{\"user_id\":\"$MANAGER_ID\",\"role\":\"manager\"}" \
  || die "could not make the manager a manager of the managing organisation"
LOGIN_BODY="{\"email\":\"manager@bench.example.org\",\"password\":\"$PASSWORD\"}"
TOKEN="$(login manager@bench.example.org)"

probe "product by id" "$API/grants/$(head -n1 "$WORK/prod-ids.txt")" -H "Authorization: Bearer $TOKEN" || exit 1
PAGE_IDS="$WORK/prod-cursors.txt" PAGE_PREFIX="/api/v1/grants?limit=50&cursor=" PAGE_LABEL="product GET /api/v1/grants?limit=50&cursor=C"
if ! probe "product page at a cursor" "$API/grants?limit=50&cursor=$(sed -n 1000p "$WORK/prod-cursors.txt")" \
  -H "Authorization: Bearer $TOKEN"; then
  echo "the cursor format was refused; measuring the first page instead" >&2
  echo >"$WORK/first-page.txt"
  PAGE_IDS="$WORK/first-page.txt" PAGE_PREFIX="/api/v1/grants?limit=50" PAGE_LABEL="product GET /api/v1/grants?limit=50"
  probe "product page" "$API/grants?limit=50" -H "Authorization: Bearer $TOKEN" || exit 1
fi
[ "$(json '["data"].__len__()' <"$WORK/probe.json")" = 50 ] || die "a page of the product does not hold 50 grants"

if [ -n "${HOLD:-}" ]; then
  # Profiling: keep the seeded product running (kill this script to stop it and clean up).
  echo "$TOKEN" >"$WORK/token.txt"
  echo "HOLD: product pid $PROD_PID at $API; token in $WORK/token.txt; grant ids in $WORK/prod-ids.txt" >&2
  while true; do sleep 60; done
fi
# Rounds: the reference and the product alternate, scenario by scenario, so that a burst of
# load from elsewhere on a shared machine hits both sides of a ratio; the report gives each
# round's ratio and their median.
for ((round = 1; round <= ROUNDS; round++)); do
  TOKEN="$(login manager@bench.example.org)" # access tokens live 15 minutes
  measure "min_id_$round" "minimal GET /grants/{id} (round $round)" "http://127.0.0.1:$MIN_PORT" \
    "$WORK/ref-ids.txt" "/grants/" "" -H "Authorization: Bearer $MIN_TOKEN"
  measure "prod_id_$round" "product GET /api/v1/grants/{id} (round $round)" "http://127.0.0.1:$PROD_PORT" \
    "$WORK/prod-ids.txt" "/api/v1/grants/" "" -H "Authorization: Bearer $TOKEN"
  measure "min_page_$round" "minimal GET /grants?limit=50&after=N (round $round)" "http://127.0.0.1:$MIN_PORT" \
    "$WORK/ref-after.txt" "/grants?limit=50&after=" "" -H "Authorization: Bearer $MIN_TOKEN"
  measure "prod_page_$round" "$PAGE_LABEL (round $round)" "http://127.0.0.1:$PROD_PORT" "$PAGE_IDS" \
    "$PAGE_PREFIX" "" -H "Authorization: Bearer $TOKEN"
done

stop "$MIN_PID"

# --- 4. login storm ----------------------------------------------------------------------------
log "login storm: $STORM_CONNECTIONS connections sign in while GET /grants/{id} runs, $DURATION"
TOKEN="$(login manager@bench.example.org)"
BENCH_LOGIN_BODY="$LOGIN_BODY" wrk -t"$THREADS" -c"$STORM_CONNECTIONS" -d"$DURATION" --latency \
  -s "$WORK/login.lua" "$API/auth/login" >"$WORK/storm-login.out" &
STORM_PID=$!
PIDS+=("$STORM_PID")
out="$(BENCH_IDS="$WORK/prod-ids.txt" BENCH_PREFIX="/api/v1/grants/" BENCH_SUFFIX="" \
  wrk_run "$DURATION" "$CONNECTIONS" "$WORK/random.lua" "http://127.0.0.1:$PROD_PORT" -H "Authorization: Bearer $TOKEN")"
wait "$STORM_PID" || true
record storm_id "product GET /api/v1/grants/{id} during the storm" "$(grep '^RESULT' <<<"$out" || true)"
record storm_login "product POST /auth/login (the storm)" "$(grep '^RESULT' "$WORK/storm-login.out" || true)"

HWM_KB="$(awk '/^VmHWM:/ {print $2}' "/proc/$PROD_PID/status")"
stop "$PROD_PID"
PEAK_RSS_KB="$(sort -n "$WORK/rss.txt" | tail -n1)"
[ -n "$PEAK_RSS_KB" ] || PEAK_RSS_KB=0
[ "${HWM_KB:-0}" -gt "$PEAK_RSS_KB" ] && PEAK_RSS_KB="$HWM_KB"

# Times the first results requests of a fresh server (they compute the roll-up and keep it), as
# the manager holding token $2 and anonymously, for the summary.
first_results() {
  local backend="$1" token="$2" who t auth
  for who in "staff, by grant" anonymous; do
    auth=() query=""
    [ "$who" = anonymous ] || { auth=(-H "Authorization: Bearer $token"); query="?by_grant=true"; }
    t="$(curl -s -o /dev/null -w '%{time_total}' "${auth[@]}" "$API/programmes/$RESULTS_PROGRAMME/results$query")"
    echo "first (computing) GET /programmes/{id}/results, $who ($backend): $t s" >>"$WORK/results-cold.txt"
  done
}

# --- 5. results on PostgreSQL ------------------------------------------------------------------
# A fresh server on the same database, so the peak memory above stays that of scenarios 3 and 4.
log "results on PostgreSQL: a fresh server on the same database"
"$BIN" serve 2>"$WORK/seriktes-results.log" &
RESULTS_PID=$!
PIDS+=("$RESULTS_PID")
wait_http "http://127.0.0.1:$PROD_PORT/health/ready"
TOKEN="$(login manager@bench.example.org)"
# The first requests compute the roll-up and keep it (results_cache); wrk then measures the kept one.
first_results PostgreSQL "$TOKEN"
probe "product results" "$API/programmes/$RESULTS_PROGRAMME/results" -H "Authorization: Bearer $TOKEN" || exit 1
[ "$(json '["data"][0]["accepted_values"]' <"$WORK/probe.json")" = 4000 ] || die "the results programme does not count 4,000 values"
RESULTS_KEYS=(results_pg_staff results_pg_grants results_pg_anon)
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_pg_staff "product GET /programmes/{id}/results, staff (PostgreSQL)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results" --timeout 30s -H "Authorization: Bearer $TOKEN"
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_pg_grants "product GET /programmes/{id}/results?by_grant=true (PostgreSQL)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results?by_grant=true" --timeout 30s -H "Authorization: Bearer $TOKEN"
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_pg_anon "product GET /programmes/{id}/results, anonymous (PostgreSQL)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results" --timeout 30s
stop "$RESULTS_PID"

# --- 6. results on SQLite ----------------------------------------------------------------------
log "results on SQLite: the same rows in a migrated file, served by the same binary"
SQLITE_DB="$WORK/results.db"
DATABASE_URL="$SQLITE_DB" "$BIN" migrate >/dev/null 2>&1
python3 "$ROOT/bench/results_seed.py" --sqlite "$SQLITE_DB" 2>/dev/null
echo "$PASSWORD" | DATABASE_URL="$SQLITE_DB" "$BIN" create-admin --email admin@bench.example.org >/dev/null
DATABASE_URL="$SQLITE_DB" "$BIN" serve 2>"$WORK/seriktes-sqlite.log" &
SQLITE_PID=$!
PIDS+=("$SQLITE_PID")
wait_http "http://127.0.0.1:$PROD_PORT/health/ready"
SQLITE_TOKEN="$(login admin@bench.example.org)"
first_results SQLite "$SQLITE_TOKEN"
probe "product results (SQLite)" "$API/programmes/$RESULTS_PROGRAMME/results" -H "Authorization: Bearer $SQLITE_TOKEN" || exit 1
[ "$(json '["data"][0]["accepted_values"]' <"$WORK/probe.json")" = 4000 ] || die "the SQLite results programme does not count 4,000 values"
RESULTS_KEYS+=(results_sqlite_staff results_sqlite_grants results_sqlite_anon)
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_sqlite_staff "product GET /programmes/{id}/results, staff (SQLite)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results" --timeout 30s -H "Authorization: Bearer $SQLITE_TOKEN"
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_sqlite_grants "product GET /programmes/{id}/results?by_grant=true (SQLite)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results?by_grant=true" --timeout 30s -H "Authorization: Bearer $SQLITE_TOKEN"
CONNECTIONS="$RESULTS_CONNECTIONS" measure results_sqlite_anon "product GET /programmes/{id}/results, anonymous (SQLite)" \
  "http://127.0.0.1:$PROD_PORT" "$WORK/results-ids.txt" "/api/v1/programmes/" "/results" --timeout 30s
stop "$SQLITE_PID"

# --- report ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
verdict() { # value op target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "FAIL" }'
}
echo
echo "Seriktes benchmark, $(date -u +%FT%TZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP),"
echo "servers: $WORKERS workers, pool of $POOL_SIZE; product binary: $BIN"
echo
printf '%-58s %12s %10s %8s %10s\n' "scenario" "req/s" "p99 ms" "errors" "/ pgbench"
printf '%-58s %12s %10s %8s %10s\n' "pgbench -S ($PGBENCH_CLIENTS clients, ${PGBENCH_SECONDS}s, scale 10) tps" "$PGBENCH_TPS" "-" "-" "1.000"
for k in "${ORDER[@]}"; do
  printf '%-58s %12s %10s %8s %10s\n' "${LABEL[$k]}" "${RPS[$k]}" "${P99[$k]}" "${NON2XX[$k]}" "$(ratio "${RPS[$k]}" "$PGBENCH_TPS")"
done
echo
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "n/a"; exit }
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
id_ratios="" page_ratios="" calm_p99s=""
for ((round = 1; round <= ROUNDS; round++)); do
  id_ratios="$id_ratios $(ratio "${RPS[prod_id_$round]}" "${RPS[min_id_$round]}")"
  page_ratios="$page_ratios $(ratio "${RPS[prod_page_$round]}" "${RPS[min_page_$round]}")"
  calm_p99s="$calm_p99s ${P99[prod_id_$round]}"
done
by_id="$(median <<<"$id_ratios")"
page="$(median <<<"$page_ratios")"
calm_p99="$(median <<<"$calm_p99s")"
storm="$(ratio "${P99[storm_id]}" "$calm_p99")"
echo "by-id ratio per round:$id_ratios; page ratio per round:$page_ratios; calm p99 (ms) per round:$calm_p99s"
echo
rss_mb="$(awk -v k="$PEAK_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-44s %10s %14s %6s\n' "ratio" "value" "target" ""
printf '%-44s %10s %14s %6s\n' "product by-id / minimal by-id (req/s, median)" "$by_id" ">= 0.5" "$(verdict "$by_id" '>=' 0.5)"
printf '%-44s %10s %14s %6s\n' "product page / minimal page (req/s, median)" "$page" ">= 0.5" "$(verdict "$page" '>=' 0.5)"
printf '%-44s %10s %14s %6s\n' "storm p99 / median calm p99 (GET by id)" "$storm" "< 2" "$(verdict "$storm" '<' 2)"
printf '%-44s %10s %14s %6s\n' "product peak RSS MB (VmRSS samples, VmHWM)" "$rss_mb" "< 200" "$(verdict "$rss_mb" '<' 200)"
echo
calm_p50s=""
for ((round = 1; round <= ROUNDS; round++)); do calm_p50s="$calm_p50s ${P50[prod_id_$round]}"; done
echo "results ($RESULTS_CONNECTIONS connections) beside GET /api/v1/grants/{id} ($CONNECTIONS connections, median of the rounds):"
printf '%-62s %10s %10s %10s %8s\n' "scenario" "p50 ms" "p99 ms" "req/s" "p99<100"
printf '%-62s %10s %10s %10s %8s\n' "product GET /api/v1/grants/{id} (PostgreSQL)" "$(median <<<"$calm_p50s")" "$calm_p99" "-" "-"
for k in "${RESULTS_KEYS[@]}"; do
  printf '%-62s %10s %10s %10s %8s\n' "${LABEL[$k]}" "${P50[$k]}" "${P99[$k]}" "${RPS[$k]}" "$(verdict "${P99[$k]}" '<' 100)"
done
[ -f "$WORK/results-cold.txt" ] && cat "$WORK/results-cold.txt"
errors=0
for k in "${ORDER[@]}"; do errors=$((errors + NON2XX[$k])); done
if [ "$errors" -gt 0 ]; then
  echo
  echo "WARNING: $errors requests failed or answered non-2xx; the figures above are suspect."
fi

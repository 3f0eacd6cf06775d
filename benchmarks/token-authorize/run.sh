#!/usr/bin/env bash
# Authorisation throughput benchmark of token-service, side by side with nginx (see README.md).
#
# Run from anywhere, holding the shared Maven lock so that no build competes for the CPU:
#   flock /tmp/beamline-mvn.lock benchmarks/token-authorize/run.sh
# (inside, Maven runs without the lock: taking it again would wait for ourselves).
# Settings (environment): BENCH_DURATION (s per measured run, default 15), BENCH_ROUNDS (3),
# BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_BIG (tokens of the large service, default
# 1000000), BENCH_DIR (work dir, wiped; default target/token-authorize-bench), BENCH_SKIP_BUILD=1,
# BENCH_JAVA_OPTS (extra JVM options appended to both services', e.g.
# -XX:StartFlightRecording=... to profile).
set -euo pipefail
# The caller's flock keeps the lock; close our copy of its descriptor so that no process started
# here (nginx, the infrastructure, the service) can keep the lock if it outlives this script.
for fd in /proc/$$/fd/*; do
  if [[ "$(readlink "$fd" 2>/dev/null)" == */beamline-mvn.lock ]]; then
    eval "exec ${fd##*/}>&-"
  fi
done
cd "$(dirname "$0")/../.."
REPO=$PWD
HERE=$REPO/benchmarks/token-authorize
WORK=${BENCH_DIR:-$REPO/target/token-authorize-bench}
DURATION=${BENCH_DURATION:-15}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
SMALL=100
BIG=${BENCH_BIG:-1000000}
FIRST_ID=1000001
PG_PORT=25432 KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 S3_PORT=19000
SMALL_PORT=18081 BIG_PORT=18082 NGINX_PORT=18080
export BEAMLINE_DATA_DIR=$WORK/beamline BEAMLINE_POSTGRES_PORT=$PG_PORT \
  BEAMLINE_KAFKA_PORT=$KAFKA_PORT BEAMLINE_KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT \
  BEAMLINE_S3_PORT=$S3_PORT
JDBC_BIG=jdbc:postgresql://127.0.0.1:$PG_PORT/token
JDBC_SMALL=jdbc:postgresql://127.0.0.1:$PG_PORT/token_small
REPORT=$HERE/last-run.txt
say() { printf '[bench] %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  say "installing wrk and nginx-light (apt-get)"
  apt-get install -y -qq wrk nginx-light >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null; }
fi
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  say "building token-service"
  ./mvnw -B -q install -DskipTests -pl events,devstack-dist,devstack,platform,token-service
fi
PGJAR=$(ls ~/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar | grep -v sources | sort -V | tail -1)

rm -rf "$WORK"
mkdir -p "$WORK/nginx/logs"
GEOIP=$(token-service/src/main/scripts/install-geoip.sh "$WORK/geoip")
MASTER_KEY=$(head -c 32 /dev/urandom | base64)

declare -A PIDS=()
NGINX_PID=""
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [[ -n "$NGINX_PID" ]]; then kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  ./beamline down >/dev/null 2>&1
}
trap cleanup EXIT

# --- infrastructure and nginx ----------------------------------------------------------------
say "starting Kafka, PostgreSQL and S3Proxy (./beamline up -d --infra-only, data in $WORK)"
./beamline up -d --infra-only >"$WORK/infra.log" 2>&1 || { tail -30 "$WORK/infra.log"; exit 1; }

cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 200 "ok\n"; }
  }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!

# --- token-service: two instances side by side ------------------------------------------------
# "small" holds 100 tokens, "big" 1,000,000, each in its own database; both stay up for the whole
# measurement, so their runs can alternate and drift on this shared machine hits both alike.
PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
  -c 'CREATE DATABASE token_small' >/dev/null

start_service() { # name port jdbc
  local name=$1 port=$2 jdbc=$3 started=$SECONDS
  QUARKUS_HTTP_PORT=$port QUARKUS_DATASOURCE_JDBC_URL=$jdbc \
    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION=http://127.0.0.1:$port/.well-known/jwks.json \
    BEAMLINE_SECRETS_MASTER_KEY=$MASTER_KEY BEAMLINE_BOOTSTRAP_ACCOUNT_NAME=bench \
    BEAMLINE_BOOTSTRAP_API_KEY_FILE=$WORK/operator-$name.key \
    BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE=$WORK/internal-$name.key BEAMLINE_GEOIP_DATABASE=$GEOIP \
    QUARKUS_VERTX_EVENT_LOOPS_SIZE=$(nproc) \
    java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages ${BENCH_JAVA_OPTS:-} -jar token-service/target/quarkus-app/quarkus-run.jar \
    >>"$WORK/token-service-$name.log" 2>&1 &
  PIDS[$name]=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do
    kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -40 "$WORK/token-service-$name.log"; exit 1; }
    sleep 0.5
  done
  LOAD_SECONDS=$((SECONDS - started))
}
stop_service() { # name
  kill "${PIDS[$1]}" 2>/dev/null || true
  wait "${PIDS[$1]}" 2>/dev/null || true
  unset "PIDS[$1]"
}
account_of() { # name port
  curl -sf -H "Authorization: Bearer $(cat "$WORK/operator-$1.key")" \
    "http://127.0.0.1:$2/api/accounts/me" | sed -E 's/.*"id":"([^"]+)".*/\1/'
}
seed() { # jdbc account first count bodies-file
  java -cp "$PGJAR" "$HERE/Seed.java" "$1" postgres postgres "$2" "$3" "$4" \
    "$MASTER_KEY" "$5" 20000 "$FIRST_ID"
}

say "starting each token-service once to create its schema, account and internal key"
start_service small "$SMALL_PORT" "$JDBC_SMALL"
start_service big "$BIG_PORT" "$JDBC_BIG"
SMALL_ACCOUNT=$(account_of small "$SMALL_PORT")
BIG_ACCOUNT=$(account_of big "$BIG_PORT")
stop_service small
stop_service big

say "seeding $SMALL tokens into token_small and $BIG into token"
seed "$JDBC_SMALL" "$SMALL_ACCOUNT" "$FIRST_ID" "$SMALL" "$WORK/bodies-small.txt" >&2
seed "$JDBC_BIG" "$BIG_ACCOUNT" "$FIRST_ID" "$BIG" "$WORK/bodies-big.txt" >&2
start_service small "$SMALL_PORT" "$JDBC_SMALL"
SMALL_LOAD=$LOAD_SECONDS
say "small: $SMALL tokens loaded, ready after ${SMALL_LOAD}s"
start_service big "$BIG_PORT" "$JDBC_BIG"
BIG_LOAD=$LOAD_SECONDS
say "big: $BIG tokens loaded, ready after ${BIG_LOAD}s"

# wrk URL bodies rate-per-thread key-file [check] [duration] -> the RESULT line
drive() {
  local url=$1 bodies=$2 rate=$3 key=$4 check=${5:-0} duration=${6:-$DURATION}
  BENCH_CHECK=$check BENCH_AUTH=$(cat "$key") \
    wrk -t"$THREADS" -c"$CONNS" -d"${duration}s" --timeout 5s -s "$HERE/post-bodies.lua" "$url" \
    -- "$bodies" "$rate" | grep '^RESULT'
}
field() { sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
max_of() { sort -n | tail -1; }

SMALL_URL=http://127.0.0.1:$SMALL_PORT/internal/authorize
BIG_URL=http://127.0.0.1:$BIG_PORT/internal/authorize
NGINX_URL=http://127.0.0.1:$NGINX_PORT/
SMALL_KEY=$WORK/internal-small.key
BIG_KEY=$WORK/internal-big.key

# The JIT needs about 25 s of load on 2 cores before the rate settles: warm each up for 30 s, and
# check that every answer is an allow (refusals must not count as fast successes).
for side in small big; do
  if [[ $side == small ]]; then url=$SMALL_URL key=$SMALL_KEY; else url=$BIG_URL key=$BIG_KEY; fi
  warm=$(drive "$url" "$WORK/bodies-$side.txt" 0 "$key" 1 30)
  say "$side: warm-up/check $warm"
  if [[ "$(field "$warm" refused)" != 0 || "$(field "$warm" errors)" != 0 ]]; then
    say "$side: some requests were not allowed; see above"
    exit 1
  fi
done

# Maximum rate: nginx, small and big in turn, ROUNDS times.
ROWS=()
for ((r = 1; r <= ROUNDS; r++)); do
  n=$(drive "$NGINX_URL" "$WORK/bodies-small.txt" 0 "$SMALL_KEY")
  say "round $r nginx: $n"
  s=$(drive "$SMALL_URL" "$WORK/bodies-small.txt" 0 "$SMALL_KEY")
  say "round $r small: $s"
  b=$(drive "$BIG_URL" "$WORK/bodies-big.txt" 0 "$BIG_KEY")
  say "round $r big: $b"
  ROWS+=("$r|$n|$s|$b")
done
rps_of() { # column(2=nginx,3=small,4=big)
  for row in "${ROWS[@]}"; do IFS='|' read -r -a c <<<"$row"; field "${c[$1 - 1]}" rps; done
}
NGINX_MAX=$(rps_of 2 | max_of)
SMALL_MED=$(rps_of 3 | median)
BIG_MED=$(rps_of 4 | median)

# p99 at 80% of each service's median maximum rate, alternating, ROUNDS times.
FIXED=()
small_rate=$((SMALL_MED * 8 / 10 / THREADS))
big_rate=$((BIG_MED * 8 / 10 / THREADS))
for ((r = 1; r <= ROUNDS; r++)); do
  s=$(drive "$SMALL_URL" "$WORK/bodies-small.txt" "$small_rate" "$SMALL_KEY")
  say "round $r small at $((small_rate * THREADS))/s: $s"
  b=$(drive "$BIG_URL" "$WORK/bodies-big.txt" "$big_rate" "$BIG_KEY")
  say "round $r big at $((big_rate * THREADS))/s: $b"
  FIXED+=("$r|$s|$b")
done
p99_of() { # column(2=small,3=big)
  for row in "${FIXED[@]}"; do IFS='|' read -r -a c <<<"$row"; field "${c[$1 - 1]}" p99_ms; done
}
SMALL_P99=$(p99_of 2 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
BIG_P99=$(p99_of 3 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
SMALL_P99_WORST=$(p99_of 2 | sort -n | tail -1)
BIG_P99_WORST=$(p99_of 3 | sort -n | tail -1)

# --- report ----------------------------------------------------------------------------------
# Ratios to nginx use the fastest nginx round: a baseline slowed by a neighbour on this shared
# machine must not make token-service look better than it is. Small and big are compared by their
# medians over the same alternating rounds.
{
  echo "token-service authorisation benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, loopback"
  echo "wrk -t$THREADS -c$CONNS -d${DURATION}s per run, $ROUNDS alternating rounds, POST of self-signed"
  echo "subscribe tokens (HS256) from allowed IPs (IPv4 and IPv6) and countries (DB-IP Lite), allowed Origin"
  echo "two token-service instances side by side: small = $SMALL tokens, big = $BIG tokens stored"
  echo
  printf '%-40s %10s %9s %9s %9s\n' "run" "req/s" "p50 ms" "p99 ms" "max ms"
  line() { printf '%-40s %10s %9s %9s %9s\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
    "$(field "$2" p99_ms)" "$(field "$2" max_ms)"; }
  for row in "${ROWS[@]}"; do
    IFS='|' read -r r n s b <<<"$row"
    line "round $r nginx static 200" "$n"
    line "round $r authorize, $SMALL tokens" "$s"
    line "round $r authorize, $BIG tokens" "$b"
  done
  for row in "${FIXED[@]}"; do
    IFS='|' read -r r s b <<<"$row"
    line "round $r $SMALL tokens, fixed $((small_rate * THREADS))/s" "$s"
    line "round $r $BIG tokens, fixed $((big_rate * THREADS))/s" "$b"
  done
  echo
  awk -v n="$NGINX_MAX" -v s="$SMALL_MED" -v b="$BIG_MED" 'BEGIN {
    printf "nginx fastest round %d req/s; authorize median %d req/s (%s tokens), %d req/s (%s tokens)\n", n, s, "'"$SMALL"'", b, "'"$BIG"'"
    printf "ratio to nginx, %s tokens: %.1f%% (target >= 50%%)\n", "'"$SMALL"'", 100 * s / n
    printf "ratio to nginx, %s tokens: %.1f%% (target >= 50%%)\n", "'"$BIG"'", 100 * b / n
    printf "big vs small rate (medians): %+.1f%% (target within 10%%)\n", 100 * (b - s) / s }'
  echo "p99 at 80% of the rate, median of rounds: $SMALL_P99 ms small, $BIG_P99 ms big (target <= 5 ms); worst round: $SMALL_P99_WORST / $BIG_P99_WORST ms"
  echo "index load at start: ${SMALL_LOAD}s for $SMALL tokens, ${BIG_LOAD}s for $BIG tokens (time to ready)"
} | tee "$REPORT"

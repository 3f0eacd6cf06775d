#!/usr/bin/env bash
# Viewer-join storm benchmark of stream-service, side by side with token-service's authorisation
# rate (see README.md next to this file).
#
# Run from anywhere, holding the shared Maven lock so that no build competes for the CPU:
#   flock /tmp/beamline-mvn.lock benchmarks/viewer-join/run.sh
# Needs the service jars (./mvnw -B -q install -DskipTests -pl events,devstack-dist,devstack,
# platform,token-service,stream-service), or BENCH_BUILD=1 to build them here.
# Settings (environment): BENCH_JOINS (20000), BENCH_WARMUP (3000), BENCH_CONNECTIONS (64),
# BENCH_WRK_DURATION (s, 15), BENCH_JAVA_OPTS (service JVMs, "-Xms1g -Xmx2g"),
# BENCH_DIR (work dir, wiped; default target/viewer-join-bench), BENCH_REPORT (where the report is
# copied; default benchmarks/viewer-join/last-run.txt, set it elsewhere for diagnostic runs).
set -euo pipefail
# The caller's flock keeps the lock; close our copy of its descriptor so that no process started
# here can keep the lock if it outlives this script.
for fd in /proc/$$/fd/*; do
  if [[ "$(readlink "$fd" 2>/dev/null)" == */beamline-mvn.lock ]]; then
    eval "exec ${fd##*/}>&-"
  fi
done
cd "$(dirname "$0")/../.."
REPO=$PWD
HERE=$REPO/benchmarks/viewer-join
WORK=${BENCH_DIR:-$REPO/target/viewer-join-bench}
CONNS=${BENCH_CONNECTIONS:-64}
WRK_DURATION=${BENCH_WRK_DURATION:-15}
say() { printf '[bench] %s\n' "$*" >&2; }

PACKAGES="wrk ffmpeg nginx libnginx-mod-rtmp"
if ! command -v wrk >/dev/null || ! command -v ffmpeg >/dev/null || ! command -v nginx >/dev/null \
  || [[ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]]; then
  if command -v apt-get >/dev/null; then
    say "installing $PACKAGES (apt-get)"
    apt-get install -y -qq $PACKAGES >/dev/null || { apt-get update -qq && apt-get install -y -qq $PACKAGES >/dev/null; }
  fi
fi
for tool in wrk ffmpeg nginx; do
  command -v "$tool" >/dev/null || { say "$tool is missing (apt-get install $PACKAGES)"; exit 1; }
done
if [[ "${BENCH_BUILD:-0}" == 1 ]]; then
  ./mvnw -B -q install -DskipTests -pl events,devstack-dist,devstack,platform,token-service,stream-service
fi
for module in token-service stream-service; do
  [[ -f $module/target/quarkus-app/quarkus-run.jar ]] || { say "$module is not built (BENCH_BUILD=1)"; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK/target"   # devstack puts its infrastructure under ./target/beamline-infra
# The installed modules name the parent POM, which `install -pl ...` does not install: on a fresh
# machine the classpath below cannot be resolved without it.
./mvnw -B -q install -N >/dev/null
./mvnw -B -q -o dependency:build-classpath -pl devstack -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null 2>&1 ||
  ./mvnw -B -q dependency:build-classpath -pl devstack -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null
CP=$(ls "$REPO"/devstack/target/beamline-devstack-*.jar | grep -v sources | head -1):$(cat "$WORK/classpath.txt")

DRIVER_PID=""
cleanup() {
  set +e
  if [[ -n "$DRIVER_PID" ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    touch "$WORK/wrk-done"
    kill "$DRIVER_PID" 2>/dev/null   # SIGTERM: its shutdown hook stops everything it started
    wait "$DRIVER_PID" 2>/dev/null
  fi
  # Anything the driver could not stop (e.g. it was killed with SIGKILL).
  for pidfile in "$WORK"/pids "$WORK"/target/beamline-infra/*/run/*.pid "$WORK"/run/*.pid; do
    [[ -f $pidfile ]] || continue
    while read -r pid; do
      [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && { say "stopping leftover $pid"; kill "$pid"; }
    done <"$pidfile"
  done
}
trap cleanup EXIT

say "starting the driver (logs and service logs in $WORK)"
(cd "$WORK" && exec java -Xmx1g -cp "$CP" "$HERE/JoinBench.java" "$WORK" "$REPO") \
  >"$WORK/driver.out" 2> >(tee "$WORK/driver.log" >&2) &
DRIVER_PID=$!

# The driver writes the authorisation request once its own runs are over, then waits for wrk.
until [[ -f $WORK/authorize-url ]]; do
  kill -0 "$DRIVER_PID" 2>/dev/null || { wait "$DRIVER_PID" || true; say "the driver stopped early"; exit 1; }
  sleep 0.5
done
sleep 0.5
tr -d '\n' <"$WORK/authorize-body.json" >"$WORK/bodies.txt"
echo >>"$WORK/bodies.txt"
say "wrk -t2 -c$CONNS -d${WRK_DURATION}s against /internal/authorize"
WRK=$(BENCH_CHECK=1 BENCH_AUTH=$(cat "$WORK/internal.key") \
  wrk -t2 -c"$CONNS" -d"${WRK_DURATION}s" --timeout 5s -s "$REPO/benchmarks/token-authorize/post-bodies.lua" \
  "$(cat "$WORK/authorize-url")" -- "$WORK/bodies.txt" 0 | grep '^RESULT' || echo "RESULT failed")
say "wrk: $WRK"
# Same columns as the driver's rows: requests, per s, p50, p90, p99, max.
f() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$WRK"; }
printf '%9s %9s %8s %8s %8s %8s (errors=%s refused=%s)\n' "$(f requests)" "$(f rps)" "$(f p50_ms)" \
  "$(f p90_ms)" "$(f p99_ms)" "$(f max_ms)" "$(f errors)" "$(f refused)" >"$WORK/wrk-done.tmp"
mv "$WORK/wrk-done.tmp" "$WORK/wrk-done"

status=0
wait "$DRIVER_PID" || status=$?
DRIVER_PID=""
cat "$WORK/driver.out"
if [[ -f $WORK/report.txt ]]; then
  cp "$WORK/report.txt" "${BENCH_REPORT:-$HERE/last-run.txt}"
fi
exit "$status"

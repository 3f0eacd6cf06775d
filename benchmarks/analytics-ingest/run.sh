#!/usr/bin/env bash
# Ingestion benchmark of analytics-service (see README.md next to this file).
#
# Run from anywhere, holding the shared Maven lock so that no build competes for the CPU:
#   flock /tmp/beamline-mvn.lock benchmarks/analytics-ingest/run.sh
# Sizes can be changed with -Dbenchmark.events=N, -Dbenchmark.burst=N, -Dbenchmark.streams=N.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Formatting of the shared modules is checked by their own builds, not here.
./mvnw -B -q install -DskipTests -Dspotless.check.skip=true -pl events,devstack-dist,devstack,platform
# On a fresh clone the module has no target/ yet for the log below.
mkdir -p analytics-service/target
./mvnw -B test -pl analytics-service -Dtest=IngestBenchmark -Dbenchmark.analytics=true \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" > analytics-service/target/benchmark.log 2>&1 || {
  tail -50 analytics-service/target/benchmark.log
  exit 1
}
grep -E '\[analytics-benchmark\]|Tests run:|BUILD' analytics-service/target/benchmark.log
cp analytics-service/target/benchmark/analytics-ingest.txt benchmarks/analytics-ingest/last-run.txt
echo "results: benchmarks/analytics-ingest/last-run.txt"

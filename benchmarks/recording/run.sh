#!/usr/bin/env bash
# Concurrent-recordings benchmark of recording-service (see README.md next to this file).
#
# Run from anywhere, holding the shared Maven lock so that no build competes for the CPU:
#   flock /tmp/beamline-mvn.lock benchmarks/recording/run.sh
# Options: -Dbenchmark.levels=1,4,8,16 (concurrent publishers per level), -Dbenchmark.seconds=30
# (published per stream), -Dbenchmark.bitrate=2M (video bitrate of the pre-encoded source).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl events,devstack-dist,devstack,platform,token-service,stream-service
# On a fresh clone the module has no target/ yet for the log below.
mkdir -p recording-service/target
./mvnw -B test -pl recording-service -Dtest=RecordingBenchmark -Dbenchmark.recording=true \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" > recording-service/target/benchmark.log 2>&1 || {
  tail -50 recording-service/target/benchmark.log
  exit 1
}
grep -E '\[recording-benchmark\]|Tests run:|BUILD' recording-service/target/benchmark.log
cp recording-service/target/benchmark/recording.txt benchmarks/recording/last-run.txt
echo "results: benchmarks/recording/last-run.txt"

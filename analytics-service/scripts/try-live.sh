#!/usr/bin/env bash
# The issue's "done when", tried as a new user would: with the platform up, one stream published by
# ffmpeg and watched by three ffmpeg viewers through the Director (two under tracking id
# partner-a, one under partner-b), analytics must show the concurrent viewers and the bytes within
# seconds in /api/analytics/streams/total and in GraphQL, per tracking id and per country, matching
# what was generated.
#
# Run from the repository root:
#   analytics-service/scripts/try-live.sh
# Settings: BEAMLINE_DATA_DIR (default /tmp/bl-analytics/data), WATCH_SECONDS (default 35),
# BEAMLINE_MVN_LOCK (default /tmp/beamline-mvn.lock: `up` builds what is stale while holding it).
# It starts the platform with `./beamline up -d --services token,stream,analytics` and always stops
# it again (`./beamline down`), whatever happens. Needs curl, jq and ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BEAMLINE_DATA_DIR="${BEAMLINE_DATA_DIR:-/tmp/bl-analytics/data}"
export BEAMLINE_MVN_LOCK="${BEAMLINE_MVN_LOCK:-/tmp/beamline-mvn.lock}"
WATCH_SECONDS="${WATCH_SECONDS:-35}"
WORK="$(mktemp -d /tmp/try-live.XXXXXX)"
PIDS=()
failures=0

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ./beamline down || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
check() { # check <description> <command...>: prints PASS/FAIL, counts failures
  local what="$1"
  shift
  if "$@"; then say "PASS $what"; else say "FAIL $what"; failures=$((failures + 1)); fi
}
# Polls <command> every 0.5 s until it succeeds or <seconds> pass; prints how long it took.
within() {
  local seconds="$1" start=$SECONDS
  shift
  while ! "$@" 2>/dev/null; do
    ((SECONDS - start < seconds)) || return 1
    sleep 0.5
  done
  say "  (after $((SECONDS - start)) s)"
}

say "starting the platform (token, stream, analytics services) in $BEAMLINE_DATA_DIR"
./beamline up -d --services token,stream,analytics
KEY="$(cat "$BEAMLINE_DATA_DIR/bootstrap-api-key.txt")"
T=http://127.0.0.1:8081
S=http://127.0.0.1:8082
A=http://127.0.0.1:8084
api() { curl -sS --fail-with-body -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }

ACCOUNT="$(api "$T/api/accounts/me" | jq -r .id)"
STREAM="try-$(date -u +%H%M%S)"
say "account $ACCOUNT, stream $STREAM"
PUB="$(api "$T/api/publish_token" -d "{\"label\":\"try-live\",\"streams\":[{\"streamName\":\"$STREAM\"}]}" | jq -r .data.token)"
SUB_A="$(api "$T/api/subscribe_token" -d "{\"label\":\"partner a\",\"streams\":[{\"streamName\":\"$STREAM\"}],\"tracking\":{\"trackingId\":\"partner-a\"}}" | jq -r .data.token)"
SUB_B="$(api "$T/api/subscribe_token" -d "{\"label\":\"partner b\",\"streams\":[{\"streamName\":\"$STREAM\"}],\"tracking\":{\"trackingId\":\"partner-b\"}}" | jq -r .data.token)"

# Publish through the Director's URL (a media JWT), lavfi test video and audio.
PUBLISH_URL="$(curl -sS --fail-with-body -H "Authorization: Bearer $PUB" -H 'Content-Type: application/json' \
  "$S/api/director/publish" -d "{\"streamName\":\"$STREAM\"}" | jq -r '.data.urls[0]')"
say "publishing to ${PUBLISH_URL%%\?*}"
ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine \
  -c:v libx264 -preset veryfast -g 50 -c:a aac -f flv "$PUBLISH_URL" > "$WORK/publisher.log" 2>&1 &
PIDS+=($!)

live() {
  [[ "$(api "$A/api/analytics/streams/total?startDate=$(date -u +%F)&stopDate=$(date -u -d tomorrow +%F)&streamNames=$STREAM" |
    jq -r --arg s "$STREAM" '.[$s].live.active')" == true ]]
}
check "analytics sees the stream live" within 30 live

# Three viewers, each with its own Director grant: RTMP, saved as FLV so the bytes received are known.
subscribe() {
  curl -sS --fail-with-body -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "$S/api/director/subscribe" \
    -d "{\"streamName\":\"$STREAM\",\"streamAccountId\":\"$ACCOUNT\"}" |
    jq -r '.data.mediaUrls[] | select(.protocol=="rtmp") | .url'
}
i=0
for token in "$SUB_A" "$SUB_A" "$SUB_B"; do
  i=$((i + 1))
  url="$(subscribe "$token")"
  ffmpeg -nostdin -loglevel error -i "$url" -t "$WATCH_SECONDS" -c copy -f flv "$WORK/viewer-$i.flv" \
    > "$WORK/viewer-$i.log" 2>&1 &
  PIDS+=($!)
done
say "3 viewers started (2 with partner-a's token, 1 with partner-b's), watching ${WATCH_SECONDS} s each"

RANGE="startDate=$(date -u +%F)&stopDate=$(date -u -d tomorrow +%F)"
total() { api "$A/api/analytics/streams/total?$RANGE&streamNames=$STREAM" | jq --arg s "$STREAM" '.[$s]'; }
graphql() {
  api "$A/graphql" -d "$(jq -n --arg q "$1" '{query: $q}')"
}
concurrent() { [[ "$(total | jq .live.concurrentViewers)" == "$1" ]]; }
check "REST streams/total: 3 concurrent viewers" within 15 concurrent 3
gql_active() {
  [[ "$(graphql "{ streamViewCount(filter: {streamName: \"$STREAM\", active: true}) }" | jq .data.streamViewCount)" == "$1" ]]
}
check "GraphQL streamViewCount(active): 3" within 15 gql_active 3
bytes_out() { [[ "$(total | jq .standardStream.bytesOut)" -gt 0 ]]; }
check "REST streams/total: bytes out to viewers (stream-stats, every 10 s)" within 25 bytes_out
say "while watching, REST streams/total:"
total | jq -c '{live, bytesIn, bytesOut, viewers: {sessions: .viewers.sessions, peakConcurrent: .viewers.peakConcurrent}}'
say "while watching, GraphQL:"
graphql "{ streamViewFindMany(filter: {streamName: \"$STREAM\", active: true}, limit: 10) { streamViewId active client { trackingId protocol geo { country } } } }" |
  jq -c '.data.streamViewFindMany[]'

say "waiting for the viewers to finish"
for pid in "${PIDS[@]:1}"; do wait "$pid" || true; done
PIDS=("${PIDS[0]}")
ended() { [[ "$(total | jq .viewers.ended)" == 3 ]]; }
check "REST streams/total: 3 sessions ended" within 15 ended
check "REST streams/total: 0 concurrent viewers" within 5 concurrent 0

TOTAL="$(total)"
TRACKING="$(api "$A/api/analytics/tracking/streams/total?$RANGE&streamNames=$STREAM" | jq --arg s "$STREAM" '.[$s]')"
GEO="$(api "$A/api/analytics/streams/geo_total?$RANGE&streamNames=$STREAM" | jq --arg s "$STREAM" '.[$s]')"
VIEWS="$(graphql "{ streamViewFindMany(filter: {streamName: \"$STREAM\"}, limit: 10) { client { trackingId geo { country } } watchedSeconds bytesOut } }")"
say "REST streams/total:"
echo "$TOTAL" | jq -c .
say "REST tracking/streams/total:"
echo "$TRACKING" | jq -c .
say "REST streams/geo_total:"
echo "$GEO" | jq -c .
say "GraphQL streamViewFindMany:"
echo "$VIEWS" | jq -c '.data.streamViewFindMany[]'

FLV_BYTES=0
for f in "$WORK"/viewer-*.flv; do FLV_BYTES=$((FLV_BYTES + $(stat -c %s "$f"))); done
SESSION_BYTES="$(echo "$TOTAL" | jq .viewers.bytesOut)"
check "3 sessions in total" test "$(echo "$TOTAL" | jq .viewers.sessions)" = 3
check "peak concurrent viewers 3" test "$(echo "$TOTAL" | jq .viewers.peakConcurrent)" = 3
check "view time: 3 x ${WATCH_SECONDS} s" test "$(echo "$TOTAL" | jq .viewers.viewSeconds)" = $((3 * WATCH_SECONDS))
check "partner-a: 2 sessions" test "$(echo "$TRACKING" | jq '[.[] | select(.trackingId=="partner-a") | .viewers.sessions] | add')" = 2
check "partner-b: 1 session" test "$(echo "$TRACKING" | jq '[.[] | select(.trackingId=="partner-b") | .viewers.sessions] | add')" = 1
check "GraphQL: 3 StreamViews, 2 partner-a and 1 partner-b" test \
  "$(echo "$VIEWS" | jq -c '[.data.streamViewFindMany[] | .client.trackingId] | sort')" = '["partner-a","partner-a","partner-b"]'
check "tracking ids' bytes add up to the viewers' session bytes" test \
  "$(echo "$TRACKING" | jq '[.[] | .viewers.bytesOut] | add')" = "$SESSION_BYTES"
check "countries' bytes add up to the viewers' session bytes" test "$(echo "$GEO" | jq '[.[] | .bytesOut] | add')" = "$SESSION_BYTES"
check "GraphQL StreamViews' bytes add up to the viewers' session bytes" test \
  "$(echo "$VIEWS" | jq '[.data.streamViewFindMany[] | .bytesOut] | add')" = "$SESSION_BYTES"

# Bytes to viewers come from stream-stats (every 10 s per live stream): wait for the interval after
# the viewers left, then compare with what the viewers saved. The media node counts RTMP bytes sent
# (chunk headers included), the FLV files hold the media: they agree within some percent.
# Waits until <jq path> of streams/total stays the same across a stats interval (at most 45 s).
settle() {
  local path="$1" before after start=$SECONDS
  after="$(total | jq "$path")"
  while ((SECONDS - start < 45)); do
    before="$after"
    sleep 11
    after="$(total | jq "$path")"
    [[ "$after" == "$before" ]] && break
  done
  say "  ($path settled at $after after $((SECONDS - start)) s)"
}
settle .standardStream.bytesOut
STATS_OUT="$(total | jq .standardStream.bytesOut)"
say "generated: the 3 viewers saved $FLV_BYTES bytes of FLV; analytics: stream bytesOut (stream-stats)" \
  "$STATS_OUT, viewer session bytesOut (viewer-left) $SESSION_BYTES"
within_percent() { # within_percent <a> <b> <percent>
  local a="$1" b="$2" p="$3"
  ((b > 0)) && (((a > b ? a - b : b - a) * 100 <= p * b))
}
check "stream bytes out within 15% of the FLV bytes the viewers saved" within_percent "$STATS_OUT" "$FLV_BYTES" 15
# Per country and per tracking id, bytes can only come from the sessions (viewer-left.bytesOut).
check "viewer session bytes (viewer-left.bytesOut) > 0, so bytes per country and tracking id exist" \
  test "$SESSION_BYTES" -gt 0

# The publisher stops: the stream ends, the feed's publish time and bytes count.
kill "${PIDS[0]}" 2>/dev/null || true
PIDS=()
not_live() { [[ "$(total | jq .live.active)" == false ]]; }
check "REST streams/total: the stream is no longer live" within 15 not_live
published() { [[ "$(total | jq .publishing.publishSeconds)" -gt 0 ]]; }
check "REST streams/total: publish time and feed bytes counted" within 15 published
settle .bytesIn
FINAL="$(total)"
echo "$FINAL" | jq -c '{live, bytesIn, bytesOut, publishing: {feeds: .publishing.feeds, publishSeconds: .publishing.publishSeconds, bytesIn: .publishing.bytesIn}}'
# Two measures of the bytes in from stream-service: stream-stats (nginx's /stat, sampled) and the
# feed's total in feed-ended.
check "stream bytes in (stream-stats) within 15% of the feed's bytes (feed-ended)" \
  within_percent "$(echo "$FINAL" | jq .bytesIn)" "$(echo "$FINAL" | jq .publishing.bytesIn)" 15
say "done: $failures check(s) failed"
exit $((failures > 0))

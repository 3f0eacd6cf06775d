#!/usr/bin/env bash
# Issue 4 "done when", as a new user: after ./beamline up, a publish token, the Director's publish
# URL, ffmpeg publishing to it, the Director's playback URLs for a viewer, ffprobe playing HLS and
# RTMP, the stream and its viewers in /api/monitoring/streams, and stream-started and viewer-joined
# read by a plain Kafka consumer.
set -u
cd "$(dirname "$0")/../.."
W=${TRY_DIR:-/tmp/beamline-try-stream}
export BEAMLINE_DATA_DIR=$W/data
rm -rf "$W"; mkdir -p "$W"
FFMPEG_PID=""
cleanup() {
  [[ -n $FFMPEG_PID ]] && kill "$FFMPEG_PID" 2>/dev/null
  ./beamline down >/dev/null 2>&1
}
trap cleanup EXIT
json() { python3 -c "import json,sys;d=json.load(sys.stdin);print($1)"; }
echo "== ./beamline up -d --services token,stream"
./beamline up -d --services token,stream > "$W/up.log" 2>&1 || { tail -30 "$W/up.log"; exit 1; }
KEY=$(cat "$BEAMLINE_DATA_DIR/bootstrap-api-key.txt")
ACCOUNT=$(curl -s -H "Authorization: Bearer $KEY" localhost:8081/api/accounts/me | json 'd["id"]')
PUB=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' localhost:8081/api/publish_token \
  -d '{"label":"studio","streams":[{"streamName":"main"}]}' | json 'd["data"]["token"]')
SUB=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' localhost:8081/api/subscribe_token \
  -d '{"label":"viewers","streams":[{"streamName":"main"}]}' | json 'd["data"]["token"]')
echo "account $ACCOUNT; publish and subscribe tokens created"

echo "== the Director's publish URL"
PUBLISH=$(curl -s -H "Authorization: Bearer $PUB" -H 'Content-Type: application/json' localhost:8082/api/director/publish \
  -d '{"streamName":"main"}')
echo "$PUBLISH" | json 'json.dumps({k: d["data"][k] for k in ("streamName","clusterId") if k in d["data"]})'
URL=$(echo "$PUBLISH" | json 'd["data"]["urls"][0]')
echo "publish URL: ${URL%%\?*}?jwt=…"
ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
  -t 120 -c:v libx264 -preset veryfast -tune zerolatency -g 50 -c:a aac -f flv "$URL" > "$W/ffmpeg.log" 2>&1 &
FFMPEG_PID=$!

monitor() { curl -s -H "Authorization: Bearer $KEY" localhost:8082/api/monitoring/streams/main; }
t0=$SECONDS
until [[ "$(monitor | json 'd.get("data",{}).get("state")' 2>/dev/null)" == live ]]; do
  ((SECONDS - t0 > 30)) && { echo "not live after 30 s"; monitor; exit 1; }
  sleep 1
done
echo "== live after $((SECONDS - t0)) s"

echo "== the Director's playback URLs for a viewer"
VIEW=$(curl -s -H "Authorization: Bearer $SUB" -H 'Content-Type: application/json' localhost:8082/api/director/subscribe \
  -d "{\"streamName\":\"main\",\"streamAccountId\":\"$ACCOUNT\"}")
HLS=$(echo "$VIEW" | json '[u["url"] for u in d["data"]["mediaUrls"] if u["protocol"]=="hls"][0]')
RTMP=$(echo "$VIEW" | json '[u["url"] for u in d["data"]["mediaUrls"] if u["protocol"]=="rtmp"][0]')
echo "protocols: $(echo "$VIEW" | json '[u["protocol"] for u in d["data"]["mediaUrls"]]')"
echo "== ffprobe, RTMP"
timeout 30 ffprobe -v error -show_entries stream=codec_name,width,height -of compact=p=0 "$RTMP"
echo "== ffprobe, HLS (the player reads the master playlist, then the feed)"
for _ in $(seq 1 20); do
  OUT=$(timeout 30 ffprobe -v error -show_entries stream=codec_name,width,height -of compact=p=0 "$HLS" 2>&1)
  [[ $OUT == *h264* ]] && break
  sleep 1
done
echo "$OUT" | sort -u | grep .
echo "== /api/monitoring/streams/main (the HLS viewer is live until its idle timeout)"
monitor | json 'json.dumps({"state": d["data"].get("state"), "viewerCount": d["data"].get("viewerCount"), "feeds": [{k: f.get(k) for k in ("feedId","protocol","bytesIn")} for f in d["data"].get("feeds",[])]})'
echo "== stream-started and viewer-joined, read by a plain Kafka consumer"
java -cp "$BEAMLINE_DATA_DIR/launcher-lib/*" stream-service/scripts/TopicTail.java 127.0.0.1:9092 "\"$ACCOUNT/main\"" \
  stream-started viewer-joined 2>/dev/null |
  python3 -c '
import json,sys
for line in sys.stdin:
    topic, value = line.split(" ", 1)
    e = json.loads(value)
    keep = ("streamId","sequence","protocol","tokenId","clientCountry","clusterId","feedId")
    print(topic, {k: e[k] for k in keep if k in e})'

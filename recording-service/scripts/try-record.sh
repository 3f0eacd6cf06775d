#!/usr/bin/env bash
# Issue 6 "done when", as a new user: with record on a publish token, stream with ffmpeg for a
# minute, stop, list the asset, download it through the pre-signed URL and play it (ffprobe).
set -u
cd "$(dirname "$0")/../.."
W=${TRY_DIR:-/tmp/beamline-try-record}
SECONDS_LIVE=${TRY_SECONDS:-60}
export BEAMLINE_DATA_DIR=$W/data
rm -rf "$W"; mkdir -p "$W"
trap './beamline down >/dev/null 2>&1' EXIT
echo "== ./beamline up -d --services token,stream,recording"
./beamline up -d --services token,stream,recording > "$W/up.log" 2>&1 || { tail -30 "$W/up.log"; exit 1; }
KEY=$(cat "$BEAMLINE_DATA_DIR/bootstrap-api-key.txt")
TOKEN=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' localhost:8081/api/publish_token \
  -d '{"label":"rec","streams":[{"streamName":"show"}],"record":true}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["token"])')
echo "== ffmpeg publishes ${SECONDS_LIVE}s to rtmp://127.0.0.1:1935/live/show?token=..."
ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
  -t "$SECONDS_LIVE" -c:v libx264 -preset ultrafast -tune zerolatency -g 50 -c:a aac \
  -f flv "rtmp://127.0.0.1:1935/live/show?token=$TOKEN"
FFMPEG_EXIT=$?
echo "ffmpeg exit $FFMPEG_EXIT"
assets() { curl -s -H "Authorization: Bearer $KEY" 'localhost:8083/api/v3/media/assets?streamName=show'; }
t0=$SECONDS
status() { assets | python3 -c 'import json,sys;d=json.load(sys.stdin)["data"];a=(d.get("items") if isinstance(d,dict) else d);print(a[0]["status"] if a else "none")'; }
# The asset completes when the reconnect window (30 s by default) has passed without the source.
until [[ "$(status)" == complete ]]; do
  ((SECONDS - t0 > 120)) && { echo "no complete asset after 120 s:"; assets; exit 1; }
  sleep 2
done
echo "== listed after $((SECONDS - t0)) s:"
ID=$(assets | python3 -c 'import json,sys;d=json.load(sys.stdin)["data"];a=(d.get("items") if isinstance(d,dict) else d)[0];print({k:a.get(k) for k in ("id","status","startTime","stopTime")}, file=sys.stderr);print(a["id"])')
curl -s -H "Authorization: Bearer $KEY" "localhost:8083/api/v3/media/assets/$ID" > "$W/asset.json"
python3 -c 'import json;d=json.load(open("'"$W"'/asset.json"))["data"];print("metadata:", json.dumps(d["metadata"])[:500]);print("segments:", len(d["segments"]), "download expires:", d["download"]["downloadExpiresOn"])'
URL=$(python3 -c 'import json;print(json.load(open("'"$W"'/asset.json"))["data"]["download"]["downloadUrl"])')
echo "== download through the pre-signed URL"
curl -s -o "$W/show.mp4" -w 'HTTP %{http_code}, %{size_download} bytes\n' "$URL"
echo "== play it (ffprobe)"
ffprobe -v error -show_entries format=duration:stream=codec_name,width,height -of compact=p=0 "$W/show.mp4"

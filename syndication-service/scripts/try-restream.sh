#!/usr/bin/env bash
# Issue 7 "done when", as a new user: RTMP target on a publish token, go live, target goes live,
# break the target -> retrying, bring it back -> live again.
set -u
cd "$(dirname "$0")/../.."
W=${TRY_DIR:-/tmp/beamline-try-restream}
export BEAMLINE_DATA_DIR=$W/data BEAMLINE_SYNDICATION_ALLOWED_TARGET_CIDRS=127.0.0.0/8
rm -rf $W; mkdir -p $W/partner/logs
PARTNER_PORT=19350
cat > $W/partner/nginx.conf <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; worker_processes 1; pid $W/partner/nginx.pid; error_log $W/partner/logs/error.log;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:$PARTNER_PORT; application partner { live on; } } }
EOF
PIDS=()
partner_up() { nginx -p $W/partner -c $W/partner/nginx.conf & PARTNER=$!; }
cleanup() { for p in "${PIDS[@]}" ${PARTNER:-}; do kill $p 2>/dev/null; done; ./beamline down >/dev/null 2>&1; }
trap cleanup EXIT
partner_up
export BEAMLINE_MVN_LOCK=/tmp/beamline-mvn.lock
echo "== ./beamline up -d --services token,stream,syndication"; ./beamline up -d --services token,stream,syndication > $W/up.log 2>&1 || { tail -30 $W/up.log; exit 1; }
KEY=$(cat $BEAMLINE_DATA_DIR/bootstrap-api-key.txt)
echo "== publish token with an RTMP restream target"
curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' localhost:8081/api/publish_token \
  -d "{\"label\":\"t\",\"streams\":[{\"streamName\":\"cam1\"}],\"restream\":[{\"url\":\"rtmp://127.0.0.1:$PARTNER_PORT/partner\",\"key\":\"k1abc\",\"label\":\"partner\"}]}" > $W/token.json
TOKEN=$(python3 -c "import json;print(json.load(open('$W/token.json'))['data']['token'])")
echo "token created: $(python3 -c "import json;d=json.load(open('$W/token.json'))['data'];print(d['id'], d.get('restream'))")"
echo "== ffmpeg goes live"
ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 \
  -c:v libx264 -preset ultrafast -tune zerolatency -g 50 -c:a aac -f flv "rtmp://127.0.0.1:1935/live/cam1?token=$TOKEN" > $W/ffmpeg.log 2>&1 &
PIDS+=($!)
jobs_state() { curl -s -H "Authorization: Bearer $KEY" 'localhost:8085/api/restream/jobs?streamName=cam1' | python3 -c "import json,sys;d=json.load(sys.stdin);print([(j.get('label') or j.get('targetLabel'), j.get('state'), j.get('attempt', j.get('attempts'))) for j in (d.get('data') or d.get('items') or d)])" 2>/dev/null; }
wait_state() { local want=$1 t0=$SECONDS; while ((SECONDS - t0 < 90)); do s=$(jobs_state); [[ "$s" == *"'$want'"* ]] && { echo "after $((SECONDS - t0)) s: $s"; return 0; }; sleep 1; done; echo "not $want after 90 s: $(jobs_state)"; return 1; }
wait_state live
echo "== the stream at the partner (ffprobe)"
ffprobe -v error -rw_timeout 10000000 -show_entries stream=codec_name,width,height -of csv=p=0 rtmp://127.0.0.1:$PARTNER_PORT/partner/k1abc
echo "== break the target (partner nginx stopped)"
kill $PARTNER; wait $PARTNER 2>/dev/null; PARTNER=
wait_state retrying
echo "== target back"
partner_up
wait_state live
ffprobe -v error -rw_timeout 10000000 -show_entries stream=codec_name,width,height -of csv=p=0 rtmp://127.0.0.1:$PARTNER_PORT/partner/k1abc
echo "== job detail"
curl -s -H "Authorization: Bearer $KEY" 'localhost:8085/api/restream/jobs?streamName=cam1' | head -c 1500; echo

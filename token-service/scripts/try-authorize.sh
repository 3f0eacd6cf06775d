#!/usr/bin/env bash
# Issue 3 "done when", as a new user: with the platform up, create a publish and a subscribe token
# with the reference's JSON bodies, mint a self-signed viewer token with a JWT library (PyJWT, the
# Debian package python3-jwt, independent of the service's code), and ask for decisions: allowed,
# and refused for origin, IPv4, IPv6, country and expiry, each with its reason.
set -u
cd "$(dirname "$0")/../.."
W=${TRY_DIR:-/tmp/beamline-try-authorize}
export BEAMLINE_DATA_DIR=$W/data
rm -rf "$W"; mkdir -p "$W"
# PyJWT from Debian lives in the system Python (a pyenv or venv python3 first on PATH lacks it).
JWT_PYTHON=/usr/bin/python3
"$JWT_PYTHON" -c 'import jwt' 2>/dev/null || apt-get install -y -qq python3-jwt >/dev/null
trap './beamline down >/dev/null 2>&1' EXIT
echo "== ./beamline up -d --services token"
./beamline up -d --services token >"$W/up.log" 2>&1 || { tail -30 "$W/up.log"; exit 1; }
KEY=$(cat "$BEAMLINE_DATA_DIR/bootstrap-api-key.txt")
INTERNAL=$(cat "$BEAMLINE_DATA_DIR/internal-api-key.txt")
api() { curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "localhost:8081$1" "${@:2}"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

echo "== publish token (reference body)"
api /api/publish_token -d '{"label":"studio","streams":[{"streamName":"concert","isRegex":false}],
  "subscribeRequiresAuth":true,"record":false,"multisource":true}' >"$W/publish.json"
field "['data']['id'], d['data']['streams'], d['data']['subscribeRequiresAuth']" <"$W/publish.json"
PUBLISH_ID=$(field "['data']['id']" <"$W/publish.json")

echo "== subscribe token (reference body): origins, IPv4 and IPv6 ranges, countries"
api /api/subscribe_token -d '{"label":"viewers","streams":[{"streamName":"concert","isRegex":false}],
  "allowedOrigins":["*.example.com"],"allowedIpAddresses":["8.8.8.0/24","2607:f8b0::/32"],
  "allowedCountries":["US"],"tracking":{"trackingId":"campaign-7"}}' >"$W/subscribe.json"
field "['data']['id'], d['data']['allowedOrigins'], d['data']['allowedIpAddresses'], d['data']['allowedCountries']" <"$W/subscribe.json"
SUB_ID=$(field "['data']['id']" <"$W/subscribe.json")
SUB_SECRET=$(field "['data']['token']" <"$W/subscribe.json")
ACCOUNT=$(api /api/accounts/me | field "['id']")

mint() { # exp-offset-seconds -> a self-signed viewer token (HS256, keyed with the parent's secret)
  "$JWT_PYTHON" - "$SUB_SECRET" "$SUB_ID" "$1" <<'PY'
import sys, time, jwt
secret, parent, offset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
claims = {"streaming": {"tokenId": parent, "tokenType": "Subscribe", "streamName": "concert",
                        "customViewerData": "seat=12"}, "exp": int(time.time()) + offset}
print(jwt.encode(claims, secret, algorithm="HS256"))
PY
}
VALID=$(mint 600)
EXPIRED=$(mint -60)
echo "self-signed viewer token: ${VALID:0:40}..."

decide() { # label token origin ip
  local body
  body=$(printf '{"action":"subscribe","streamName":"concert","accountId":"%s","token":"%s","origin":"%s","clientIp":"%s","publishTokenId":%s}' \
    "$ACCOUNT" "$2" "$3" "$4" "$PUBLISH_ID")
  printf '%-46s ' "$1"
  curl -s -H "Authorization: Bearer $INTERNAL" -H 'Content-Type: application/json' \
    localhost:8081/internal/authorize -d "$body" |
    python3 -c "import json,sys; d=json.load(sys.stdin); s=d.get('settings') or {}; print('allowed' if d['allowed'] else 'refused', d.get('reason') or '', s.get('clientCountry') or '', s.get('trackingId') or '', d.get('detail') or '')"
}
echo "== decisions (POST /internal/authorize, as stream-service asks)"
decide "allowed: US IPv4, allowed origin" "$VALID" "https://www.example.com" "8.8.8.8"
decide "allowed: US IPv6" "$VALID" "https://live.example.com" "2607:f8b0:4004:800::200e"
decide "origin not allowed" "$VALID" "https://evil.test" "8.8.8.8"
decide "IPv4 outside the ranges" "$VALID" "https://www.example.com" "1.1.1.1"
decide "IPv6 outside the ranges" "$VALID" "https://www.example.com" "2a00:1450:4001::1"
echo "== country: the token now allows only DE (v2 update with plain field names)"
api /api/v2/subscribe_token/"$SUB_ID" -X PUT -d '{"allowedCountries":["DE"]}' | field "['data']['allowedCountries']"
decide "country denied (US address, DE only)" "$VALID" "https://www.example.com" "8.8.8.8"
decide "expired self-signed token" "$EXPIRED" "https://www.example.com" "8.8.8.8"
echo "== the owner asks why (POST /api/token/explain)"
api /api/token/explain -d "{\"action\":\"subscribe\",\"streamName\":\"concert\",\"token\":\"$VALID\",\"origin\":\"https://evil.test\",\"clientIp\":\"1.1.1.1\"}" |
  python3 -c "import json,sys; d=json.load(sys.stdin); d=d.get('data', d); [print('  ', c['name'], 'passed' if c['passed'] else 'FAILED ' + (c.get('reason') or ''), '-', c['detail']) for c in d['checks']]"

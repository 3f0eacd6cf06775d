#!/bin/sh
# Renders nginx.conf.template with the container's environment, then runs nginx in the foreground.
set -eu

: "${STREAM_SERVICE_URL:?set STREAM_SERVICE_URL, e.g. http://stream-service:8082}"
: "${MEDIA_CALLBACK_KEY:?set MEDIA_CALLBACK_KEY to the callback key stream-service expects}"
export RTMP_PORT="${RTMP_PORT:-1935}"
export HTTP_PORT="${HTTP_PORT:-8080}"
export CONTROL_PORT="${CONTROL_PORT:-8086}"
# HLS traffic log (bytes per viewer) to stream-service's UDP port, e.g. stream-service:8087.
if [ -n "${TRAFFIC_LOG_SERVER:-}" ]; then
  export TRAFFIC_LOG="syslog:server=${TRAFFIC_LOG_SERVER},tag=beamline_hls,nohostname beamline_hls"
else
  echo "TRAFFIC_LOG_SERVER is unset: HLS bytes out will not be measured" >&2
  export TRAFFIC_LOG=/dev/stdout
fi
TEMPLATE="${NGINX_TEMPLATE:-/etc/beamline/nginx.conf.template}"
CONF=/tmp/nginx.conf

mkdir -p /var/lib/beamline-media/hls
# Only the listed placeholders are replaced: nginx's own $variables must survive.
envsubst '${STREAM_SERVICE_URL} ${MEDIA_CALLBACK_KEY} ${RTMP_PORT} ${HTTP_PORT} ${CONTROL_PORT} ${TRAFFIC_LOG}' <"$TEMPLATE" >"$CONF"
nginx -e stderr -t -q -c "$CONF"
exec nginx -e stderr -c "$CONF" -g 'daemon off;'

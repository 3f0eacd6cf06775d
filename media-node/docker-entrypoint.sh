#!/bin/sh
# Renders nginx.conf.template with the container's environment, then runs nginx in the foreground.
set -eu

: "${STREAM_SERVICE_URL:?set STREAM_SERVICE_URL, e.g. http://stream-service:8082}"
: "${MEDIA_CALLBACK_KEY:?set MEDIA_CALLBACK_KEY to the callback key stream-service expects}"
export RTMP_PORT="${RTMP_PORT:-1935}"
export HTTP_PORT="${HTTP_PORT:-8080}"
export CONTROL_PORT="${CONTROL_PORT:-8086}"
TEMPLATE="${NGINX_TEMPLATE:-/etc/beamline/nginx.conf.template}"
CONF=/tmp/nginx.conf

mkdir -p /var/lib/beamline-media/hls
# Only the listed placeholders are replaced: nginx's own $variables must survive.
envsubst '${STREAM_SERVICE_URL} ${MEDIA_CALLBACK_KEY} ${RTMP_PORT} ${HTTP_PORT} ${CONTROL_PORT}' <"$TEMPLATE" >"$CONF"
nginx -e stderr -t -q -c "$CONF"
exec nginx -e stderr -c "$CONF" -g 'daemon off;'

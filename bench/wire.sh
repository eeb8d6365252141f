#!/usr/bin/env bash
# Bytes on the wire (issue 18, goal 5): what a browser downloads for /docs and
# /redoc on a first visit (brotli accepted, empty cache), and how many of the
# static files it must ask for again on the second (none when each is linked
# by fingerprint and sent `immutable`). Deterministic: load does not change it.
#
# Usage: bench/wire.sh [BASE_URL]        default http://127.0.0.1:8000 (a running portero)
#   ENCODING [gzip, deflate, br]         the Accept-Encoding sent
set -euo pipefail
BASE=${1:-http://127.0.0.1:8000}
ENCODING=${ENCODING:-gzip, deflate, br}
case $BASE in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "bench/wire.sh: loopback only" >&2; exit 2;; esac

# size_download of one GET (the body as sent, compressed or not), and its Cache-Control.
fetch() {
  curl -sS -o /dev/null -H "Accept-Encoding: $ENCODING" -D - -w 'SIZE %{size_download}\n' "$BASE$1" |
    awk 'tolower($1)=="cache-control:" {sub(/\r$/,""); $1=""; cc=substr($0,2)} $1=="SIZE" {print $2 "\t" cc}'
}

page() {
  local path=$1; shift
  local html total=0 again=0 line size cc url
  html=$(curl -sS --compressed "$BASE$path")
  line=$(fetch "$path"); total=${line%%$'\t'*}
  printf '  %-70s %9s B\n' "$path" "$total"
  for url in $(grep -oE '/static/[^"'"'"' ]+' <<<"$html") "$@"; do
    line=$(fetch "$url"); size=${line%%$'\t'*}; cc=${line#*$'\t'}
    total=$((total + size))
    [[ $url == /static/* && $cc != *immutable* ]] && again=$((again + 1))
    printf '  %-70s %9s B  %s\n' "${url:0:70}" "$size" "$cc"
  done
  printf '%s: first load %d bytes (%.0f KB); static files asked for again on the second load: %d\n\n' \
    "$path" "$total" "$(awk -v t="$total" 'BEGIN{print t/1024}')" "$again"
}

echo "# bench/wire.sh $(date -u +%FT%TZ)  $BASE  Accept-Encoding: $ENCODING"
page /docs /docs/swagger-ui-config.json /api/openapi.json
page /redoc /api/openapi.json

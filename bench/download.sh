#!/usr/bin/env bash
# Side-by-side: `packster fetch` of a large package from a static HTTP source (spec/sources.md §4 "Ranged downloads")
# against `curl -o` of the same file from the same loopback nginx, and against `curl | tee | openssl dgst -sha256`
# (the same download with the hash packster always checks), in one run:
#   unlimited       nginx as it comes                              target: packster <= 1.1 x curl
#   per connection  nginx `limit_rate` on every connection (a CDN  target: packster >= 1.5 x faster than curl
#                   or a proxy that shapes each download)
# packster downloads into an empty cache each round (verified sha256 included); curl writes to a file. Both are
# followed by `sync` outside the timing. Needs nginx (Debian: nginx-light) and curl.
#
# usage: bench/download.sh [--size MiB] [--limit RATE (nginx syntax, default 40m)] [--rounds N] [--packster PATH]
set -euo pipefail

ROUNDS=3
SIZE=512
LIMIT=40m
GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --size) SIZE=$2; shift 2 ;;
    --limit) LIMIT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx-light)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 2; }

. "$(dirname "$0")/common.sh"
bench_setup
bench_packster "$GIVEN"

# A package of SIZE MiB of incompressible bytes, published as a static HTTP folder.
mkdir -p "$WORK/src" "$WORK/www"
head -c "$((SIZE * 1048576))" /dev/urandom > "$WORK/src/blob"
printf 'id = "big"\nversion = "1.0.0"\n' > "$WORK/src/packster-manifest.toml"
pkg=$("$PACKSTER" pack "$WORK/src" -o "$WORK/www" --compression deflate)
"$PACKSTER" source index "$WORK/www" >/dev/null
file=$(basename "$pkg")
# nginx's workers run as an unprivileged user: they must be able to read the folder.
chmod a+x "$WORK"; chmod -R a+rX "$WORK/www"
echo "package: $file ($(du -m "$pkg" | cut -f1) MiB), $(nproc) cores, rounds: $ROUNDS" >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_nginx() { # $1: limit_rate value (0: none)
  [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null && while [ -f "$WORK/nginx.pid" ]; do :; done
  cat > "$WORK/nginx.conf" <<EOF
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$port;
    root $WORK/www;
    limit_rate $1;
  }
}
EOF
  nginx -p "$WORK" -c "$WORK/nginx.conf"
  # nginx has bound the port when it answers.
  until curl -s -o /dev/null "http://127.0.0.1:$port/index.json"; do :; done
}
trap 'nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$PACKSTER" source add web --type http --url "http://127.0.0.1:$port/" --insecure >/dev/null 2>&1

# Sets T to the wall-clock seconds of the command; a failing command stops the benchmark with its stderr.
timed() {
  local s e
  sync; stamp s
  "$@" >/dev/null 2>"$WORK/stderr" || { echo "failed: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
  stamp e; sync
  T=$(elapsed "$s" "$e")
}

run_case() { # $1: name, $2: limit_rate
  start_nginx "$2"
  local curl_t=() verify_t=() pk_t=()
  for round in $(seq "$ROUNDS"); do
    rm -f "$WORK/curl.out"
    timed curl -sf -o "$WORK/curl.out" "http://127.0.0.1:$port/$file"; curl_t+=("$T")
    rm -f "$WORK/curl.out"
    timed sh -c "curl -sf 'http://127.0.0.1:$port/$file' | tee '$WORK/curl.out' | openssl dgst -sha256"; verify_t+=("$T")
    rm -rf "$PACKSTER_CACHE"
    timed "$PACKSTER" fetch big --source web; pk_t+=("$T")
  done
  local c v p
  c=$(best "${curl_t[@]}"); v=$(best "${verify_t[@]}"); p=$(best "${pk_t[@]}")
  printf '%-15s %-4s curl %7ss  curl+sha256 %7ss  packster %7ss  packster/curl %s  packster/(curl+sha256) %s\n' \
    "$1" "$2" "$c" "$v" "$p" "$(ratio "$p" "$c")" "$(ratio "$p" "$v")"
  printf '%24s rounds: curl %s; curl+sha256 %s; packster %s\n' "" "${curl_t[*]}" "${verify_t[*]}" "${pk_t[*]}"
}

run_case "unlimited" 0
run_case "per connection" "$LIMIT"

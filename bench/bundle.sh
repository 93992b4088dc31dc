#!/usr/bin/env bash
# A bundle of N small packages (issue "Speed", target 6: 100 packages in <= 5 s), side by side with what a folder of
# shell scripts would do for the same result: per package, `tar -xf` of a tar of its folder into a fresh directory and,
# where the package has a handler, running it with sh. Two bundles: plain packages, and packages with an `install.sh`
# handler each. One `packster bundle install` per bundle, from a folder source, into a fresh location; best of N rounds.
#
# With --latency MS the packages come from a static HTTP source (`packster source index`) on loopback whose server
# (python3, ranges supported) answers every request MS milliseconds late, as a repository across a network does.
#
# usage: bench/bundle.sh [--packages N] [--files F] [--rounds R] [--latency MS] [--packster PATH (e.g. the NativeAOT build)]
set -euo pipefail

N=100
FILES=20
ROUNDS=3
LATENCY=
GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --packages) N=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --latency) LATENCY=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup
bench_packster "$GIVEN"

# A static file server that answers each request $LATENCY ms late, with byte ranges as nginx or Artifactory serve them.
slow_server() { # dir -> SLOW_PORT, the port it listens on (not in a subshell: the trap kills what it starts)
  cat > "$WORK/slow-http.py" <<'EOF'
import http.server, os, re, socketserver, sys, time
root, delay = sys.argv[1], float(sys.argv[2]) / 1000
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(delay)
        path = os.path.join(root, self.path.lstrip("/").split("?")[0])
        if not os.path.isfile(path):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        data = open(path, "rb").read()
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if m and int(m.group(1)) < len(data):
            start = int(m.group(1)); end = min(int(m.group(2) or len(data) - 1), len(data) - 1)
            self.send_response(206); self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}"); data = data[start:end + 1]
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes"); self.send_header("Content-Length", str(len(data))); self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args): pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
EOF
  python3 "$WORK/slow-http.py" "$1" "$LATENCY" < /dev/null > "$WORK/slow-http.port" 2> "$WORK/slow-http.log" &
  SERVERS+=("$!")
  until [ -s "$WORK/slow-http.port" ]; do sleep 0.05; done
  SLOW_PORT=$(cat "$WORK/slow-http.port"); rm "$WORK/slow-http.port"
}
SERVERS=()
trap 'for pid in "${SERVERS[@]}"; do kill "$pid"; done; rm -rf "$WORK"' EXIT

make_bundle() { # kind (plain|handler) -> $WORK/<kind>.toml, packages in $WORK/source-<kind>, tars in $WORK/tar-<kind>
  local kind=$1 i f dir
  mkdir -p "$WORK/source-$kind" "$WORK/tar-$kind"
  {
    echo "[packages]"
    for i in $(seq 1 "$N"); do
      dir="$WORK/pkg-$kind/$kind$i"
      mkdir -p "$dir/bin" "$dir/share"
      printf 'id = "%s%s"\nversion = "1.0.0"\n' "$kind" "$i" > "$dir/packster-manifest.toml"
      for f in $(seq 1 "$FILES"); do head -c $((1024 * (f % 7 + 1))) /dev/urandom > "$dir/share/data$f"; done
      printf '#!/bin/sh\necho %s%s\n' "$kind" "$i" > "$dir/bin/$kind$i"; chmod +x "$dir/bin/$kind$i"
      printf '\n[shims]\n"%s%s" = "bin/%s%s"\n' "$kind" "$i" "$kind" "$i" >> "$dir/packster-manifest.toml"
      if [ "$kind" = handler ]; then
        mkdir -p "$dir/scripts"
        printf '\n[handlers]\ninstall = "scripts/install.sh"\n' >> "$dir/packster-manifest.toml"
        printf '#!/bin/sh\necho installed > "$PACKSTER_DEPLOYMENT_PATH/installed.txt"\n' > "$dir/scripts/install.sh"
        chmod +x "$dir/scripts/install.sh"
      fi
      "$PACKSTER" pack "$dir" -o "$WORK/source-$kind" >/dev/null 2>&1
      tar -cf "$WORK/tar-$kind/$kind$i.tar" -C "$dir" .
      echo "$kind$i = \"1.0.0\""
    done
  } > "$WORK/$kind.toml"
  if [ -n "$LATENCY" ]; then
    "$PACKSTER" source index "$WORK/source-$kind" >/dev/null
    slow_server "$WORK/source-$kind"
    "$PACKSTER" source add "src-$kind" --type http --url "http://127.0.0.1:$SLOW_PORT" --insecure >/dev/null 2>&1
  else
    "$PACKSTER" source add "src-$kind" --type folder --url "$WORK/source-$kind" >/dev/null
  fi
}

scripts() { # kind dest: what a folder of shell scripts does for the same packages
  local kind=$1 dest=$2 i
  for i in $(seq 1 "$N"); do
    mkdir -p "$dest/$kind$i"
    tar -xf "$WORK/tar-$kind/$kind$i.tar" -C "$dest/$kind$i"
    if [ "$kind" = handler ]; then PACKSTER_DEPLOYMENT_PATH="$dest/$kind$i" sh "$dest/$kind$i/scripts/install.sh"; fi
  done
}

timed() { local s e; sync; stamp s; "$@" >/dev/null; sync; stamp e; elapsed "$s" "$e"; }

echo "$N packages of $((FILES + 2)) files each, $(nproc) cores, rounds: $ROUNDS" >&2
for kind in plain handler; do
  make_bundle "$kind"
  ref_t=(); pk_t=()
  for round in $(seq "$ROUNDS"); do
    # Every round in directories of its own, removed only when the script ends: ext4 without a journal skips inodes
    # freed in the last 30 s (more while their table is not yet written) when it allocates new ones, so deleting the last round's thousands of files right before
    # timing this one made both sides (packster, which makes more files, the most) measure the deletion too.
    "$PACKSTER" location create "$WORK/loc-$kind-$round" --id "loc-$kind-$round" >/dev/null
    ref_t+=("$(timed scripts "$kind" "$WORK/ref-$kind-$round")")
    # An empty download cache each round: the packages are fetched from the source every time.
    pk_t+=("$(PACKSTER_CACHE="$WORK/cache-$kind-$round" timed "$PACKSTER" bundle install "$WORK/$kind.toml" --location "loc-$kind-$round")")
    deployed=$(ls -d "$WORK/loc-$kind-$round"/deployments/*/ | wc -l)
    [ "$deployed" -eq "$N" ] || { echo "$kind: expected $N deployments, found $deployed" >&2; exit 1; }
    echo "round $round ($kind): shell loop ${ref_t[-1]}s, bundle install ${pk_t[-1]}s" >&2
  done
  R=$(best "${ref_t[@]}"); P=$(best "${pk_t[@]}")
  printf '%-8s bundle install of %d: %ss (target <= 5 s)   tar -x%s loop: %ss   ratio %s\n' \
    "$kind" "$N" "$P" "$([ "$kind" = handler ] && echo ' + sh handler')" "$R" "$(ratio "$P" "$R")"
done

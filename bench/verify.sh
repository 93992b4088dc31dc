#!/usr/bin/env bash
# Side-by-side: packster verify (SHA-256 of every file) and verify --quick (first run, then a repeat) against
# sha256sum of the same files, on a real large tree (the .NET SDK folder this machine runs: ~400 MB, ~3,700 files).
# Targets (issue "Speed"): verify <= 1.2 x sha256sum; a repeated verify --quick <= 0.05 x. Caches are warm for all
# (each command runs once before it is timed), so the figures compare hashing and metadata work, not the disk.
#
# usage: bench/verify.sh [--tree DIR] [--rounds N]
set -euo pipefail

ROUNDS=3
TREE=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
bench_build_packster

SRC="$WORK/src"
cp -a "$TREE" "$SRC"
printf 'id = "bench-tree"\nversion = "1.0.0"\n' > "$SRC/packster-manifest.toml"
pkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out")
"$PACKSTER" location create "$WORK/loc" --id bench >/dev/null
deployment=$("$PACKSTER" install-file "$pkg" --location bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')
files=$(find "$deployment" -type f | wc -l); bytes=$(du -sb "$deployment" | cut -f1)
echo "tree: $TREE ($files files, $((bytes / 1048576)) MiB), $(nproc) cores, rounds: $ROUNDS" >&2

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
sums() { (cd "$deployment" && find . -type f ! -name packster-deployment.json -print0 | xargs -0 sha256sum >/dev/null); }
index="$WORK/loc/.packster/verify-index"

sums; "$PACKSTER" verify bench >/dev/null 2>&1   # warm the page cache for everyone
sha_t=(); full_t=(); first_t=(); quick_t=()
for round in $(seq "$ROUNDS"); do
  s=$(now); sums; e=$(now); sha_t+=("$(elapsed "$s" "$e")")
  s=$(now); "$PACKSTER" verify bench >/dev/null 2>&1; e=$(now); full_t+=("$(elapsed "$s" "$e")")
  rm -rf "$index"
  s=$(now); "$PACKSTER" verify bench --quick >/dev/null 2>&1; e=$(now); first_t+=("$(elapsed "$s" "$e")")
  s=$(now); "$PACKSTER" verify bench --quick >/dev/null 2>&1; e=$(now); quick_t+=("$(elapsed "$s" "$e")")
  echo "round $round: sha256sum ${sha_t[-1]}s, verify ${full_t[-1]}s, verify --quick first ${first_t[-1]}s, repeat ${quick_t[-1]}s" >&2
done
S=$(best "${sha_t[@]}"); F=$(best "${full_t[@]}"); Q1=$(best "${first_t[@]}"); Q=$(best "${quick_t[@]}")
echo
echo "verify vs sha256sum:                ${F}s vs ${S}s  ratio $(ratio "$F" "$S") (target <= 1.2)"
echo "verify --quick, first run:          ${Q1}s  ratio $(ratio "$Q1" "$S") (hashes everything, writes the index)"
echo "verify --quick, repeated:           ${Q}s  ratio $(ratio "$Q" "$S") (target <= 0.05)"

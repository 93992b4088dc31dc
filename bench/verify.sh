#!/usr/bin/env bash
# Side-by-side: packster verify (SHA-256 of every file, in parallel) and verify --quick (first run without an index,
# then a repeat) against sha256sum of the same files, once in one process and once split over all cores
# (find | xargs -P<cores> sha256sum), on a real large tree (the .NET SDK folder this machine runs: ~400 MB, ~3,700 files).
# Targets (issue "Speed"): verify <= 1.2 x sha256sum; a repeated verify --quick <= 0.05 x. Caches are warm for all
# (each command runs once before it is timed), so the figures compare hashing and metadata work, not the disk.
# packster is the NativeAOT binary that ships (scripts/publish.sh), unless --jit (the JIT build) or --packster PATH.
#
# usage: bench/verify.sh [--tree DIR] [--rounds N] [--jit | --packster PATH]
set -euo pipefail

ROUNDS=5
TREE=
MODE=aot
GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --jit) MODE=jit; shift ;;
    --packster) MODE=given; GIVEN=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
case $MODE in
  aot) echo "publishing packster (NativeAOT)…" >&2; PACKSTER="$(PACKSTER_ARTIFACTS="$WORK/artifacts" "$REPO/scripts/publish.sh")/packster" ;;
  jit) bench_build_packster ;;
  given) PACKSTER=$GIVEN ;;
esac

SRC="$WORK/src"
cp -a "$TREE" "$SRC"
printf 'id = "bench-tree"\nversion = "1.0.0"\n' > "$SRC/packster-manifest.toml"
pkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out")
"$PACKSTER" location create "$WORK/loc" --id bench >/dev/null
deployment=$("$PACKSTER" install-file "$pkg" --location bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')
files=$(find "$deployment" -type f | wc -l); bytes=$(du -sb "$deployment" | cut -f1)
cores=$(nproc)
echo "tree: $TREE ($files files, $((bytes / 1048576)) MiB), $cores cores, packster: $MODE, rounds: $ROUNDS (best of each)" >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
list() { (cd "$deployment" && find . -type f ! -name packster-deployment.json -print0); }
sums() { list | (cd "$deployment" && xargs -0 sha256sum >/dev/null); }
# xargs hands one process as many names as fit on a command line: -n splits the list so every core gets a share.
psums() { list | (cd "$deployment" && xargs -0 -P "$cores" -n $(( files / (cores * 8) + 1 )) sha256sum >/dev/null); }
index="$WORK/loc/.packster/verify-index"

sums; psums; "$PACKSTER" verify bench >/dev/null 2>&1   # warm the page cache for everyone
sha_t=(); psha_t=(); full_t=(); first_t=(); quick_t=(); start_t=()
for round in $(seq "$ROUNDS"); do
  stamp s; "$PACKSTER" --version >/dev/null; stamp e; start_t+=("$(elapsed "$s" "$e")")
  stamp s; sums; stamp e; sha_t+=("$(elapsed "$s" "$e")")
  stamp s; psums; stamp e; psha_t+=("$(elapsed "$s" "$e")")
  stamp s; "$PACKSTER" verify bench >/dev/null 2>&1; stamp e; full_t+=("$(elapsed "$s" "$e")")
  rm -rf "$index"
  stamp s; "$PACKSTER" verify bench --quick >/dev/null 2>&1; stamp e; first_t+=("$(elapsed "$s" "$e")")
  stamp s; "$PACKSTER" verify bench --quick >/dev/null 2>&1; stamp e; quick_t+=("$(elapsed "$s" "$e")")
  echo "round $round: sha256sum ${sha_t[-1]}s, xargs -P$cores sha256sum ${psha_t[-1]}s, verify ${full_t[-1]}s," \
    "verify --quick first ${first_t[-1]}s, repeat ${quick_t[-1]}s, packster --version ${start_t[-1]}s" >&2
done
# The repeat must have proven every file from the index alone, or it measured something else.
"$PACKSTER" verify bench --quick 2>&1 >/dev/null | grep '^quick:' >&2
S=$(best "${sha_t[@]}"); P=$(best "${psha_t[@]}"); F=$(best "${full_t[@]}"); Q1=$(best "${first_t[@]}"); Q=$(best "${quick_t[@]}")
V=$(best "${start_t[@]}")
row() { printf '%-44s %8s %14s %20s\n' "$1" "$2" "$(ratio "$2" "$S")" "$(ratio "$2" "$P")"; }
echo
printf '%-44s %8s %14s %20s\n' "" "seconds" "x sha256sum" "x sha256sum -P$cores"
row "sha256sum (one process)" "$S"
row "xargs -P$cores sha256sum" "$P"
row "packster verify (target <= 1.2)" "$F"
row "packster verify --quick, first run" "$Q1"
row "packster verify --quick, repeat (<= 0.05)" "$Q"
row "packster --version (the process start in it)" "$V"

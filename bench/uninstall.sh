#!/usr/bin/env bash
# Side-by-side: packster uninstall and gc of a large deployment vs rm -rf of the same tree (issue target: <= 1.0x),
# on the .NET SDK folder this machine runs (~400 MB, ~3,700 files). Each round: cp -a the tree and time rm -rf of
# the copy; install the package, time `packster uninstall`; install it again (inactive after a second version),
# time `packster gc`. Page cache warm for all; best of N rounds.
#
# usage: bench/uninstall.sh [--tree DIR] [--rounds N] [--packster PATH (e.g. the NativeAOT build)]
set -euo pipefail

ROUNDS=3
TREE=
GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup
[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
bench_packster "$GIVEN"

SRC="$WORK/src"
cp -a "$TREE" "$SRC"
printf 'id = "bench-tree"\nversion = "1.0.0"\n' > "$SRC/packster-manifest.toml"
"$PACKSTER" pack "$SRC" -o "$WORK/dist" >/dev/null
sed -i 's/1.0.0/2.0.0/' "$SRC/packster-manifest.toml"
echo "marker" > "$SRC/bench-marker"
"$PACKSTER" pack "$SRC" -o "$WORK/dist" >/dev/null
V1=$(ls "$WORK"/dist/bench-tree-1.0.0-*.packster); V2=$(ls "$WORK"/dist/bench-tree-2.0.0-*.packster)
"$PACKSTER" location create "$WORK/loc" --id bench >/dev/null
files=$(find "$TREE" -type f | wc -l)
echo "tree: $TREE ($files files), $(nproc) cores, rounds: $ROUNDS" >&2

best() { printf '%s\n' "$@" | sort -g | head -n 1; }

rm_t=(); un_t=(); gc_t=()
for r in $(seq "$ROUNDS"); do
  cp -a "$SRC" "$WORK/copy"; sync
  stamp t0; rm -rf "$WORK/copy"; sync; stamp t1; rm_t+=("$(elapsed "$t0" "$t1")")

  "$PACKSTER" install-file "$V1" -l bench >/dev/null; sync
  stamp t0; "$PACKSTER" uninstall bench-tree -l bench >/dev/null; sync; stamp t1; un_t+=("$(elapsed "$t0" "$t1")")

  "$PACKSTER" install-file "$V1" -l bench >/dev/null
  "$PACKSTER" install-file "$V2" -l bench >/dev/null; sync
  stamp t0; "$PACKSTER" gc -l bench >/dev/null; sync; stamp t1; gc_t+=("$(elapsed "$t0" "$t1")")
  "$PACKSTER" uninstall bench-tree -l bench >/dev/null
done

rm_b=$(best "${rm_t[@]}"); un_b=$(best "${un_t[@]}"); gc_b=$(best "${gc_t[@]}")
printf '%-34s %8s %8s\n' "step (best of $ROUNDS)" "seconds" "x rm -rf"
printf '%-34s %8s %8s\n' "rm -rf (+ sync)" "$rm_b" "1.00"
printf '%-34s %8s %8s\n' "packster uninstall (+ sync)" "$un_b" "$(awk -v a="$un_b" -v b="$rm_b" 'BEGIN { printf "%.2f", a / b }')"
printf '%-34s %8s %8s\n' "packster gc (+ sync)" "$gc_b" "$(awk -v a="$gc_b" -v b="$rm_b" 'BEGIN { printf "%.2f", a / b }')"

#!/usr/bin/env bash
# Side-by-side: packster pack vs tar -czf, packster install-file vs cp -a, on a real large tree (the .NET SDK
# folder this machine runs: ~400 MB, ~3,700 files), plus install cost in a location holding many deployments.
# Targets (PRODUCT.md "Fast"): pack <= 0.30 x tar -czf time at <= 1.10 x its size; issue "Speed": pack (zstd, the
# default) <= 1.0 x `tar -cf - | zstd -T0 -3` at <= 1.05 x its size (and the size with `--no-solid`), and `pack --compression
# deflate` beside it; install-file <= 1.20 x cp -a;
# install-file peak memory <= 200 MB; install into a location of 1,000 deployments <= 1.1 x into an empty one.
#
# usage: bench/pack-install.sh [--tree DIR] [--rounds N] [--scale N | --no-scale] [--packster PATH (e.g. the NativeAOT build)]
#                              [--fresh-fs (root, Linux: cp -a and install-file each into a new ext4 on a loop device)]
set -euo pipefail

ROUNDS=2
SCALE=1000
TREE=
GIVEN=
FRESH=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --no-scale) SCALE=0; shift ;;
    --fresh-fs) FRESH=1; shift ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
bench_packster "$GIVEN"
# The package source: the tree plus a manifest (copied once, so the references and packster read the same files).
bench_source $'id = "bench-tree"\nversion = "1.0.0"\ndescription = "benchmark tree"\n'

# A new ext4 (with its journal, mkfs defaults) on a loop device at $WORK/mnt, the previous one unmounted first.
fresh_fs() {
  mkdir -p "$WORK/mnt"
  mountpoint -q "$WORK/mnt" && umount "$WORK/mnt"
  rm -f "$WORK/fs.img"; truncate -s $(( $(du -sm "$SRC" | cut -f1) * 3 + 512 ))M "$WORK/fs.img"
  mkfs.ext4 -q -F "$WORK/fs.img" >/dev/null; mount -o loop "$WORK/fs.img" "$WORK/mnt"; sync
}
if [ -n "$FRESH" ]; then
  [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null || { echo "--fresh-fs needs root and mkfs.ext4" >&2; exit 2; }
  trap 'mountpoint -q "$WORK/mnt" && umount "$WORK/mnt"; rm -rf "$WORK"' EXIT
fi

tar_t=(); zst_t=(); pack_t=(); defl_t=(); cp_t=(); inst_t=(); rss=()
for round in $(seq "$ROUNDS"); do
  rm -rf "$WORK/out" "$WORK/tar.tgz"; mkdir -p "$WORK/out"
  stamp s; tar -czf "$WORK/tar.tgz" -C "$SRC" .; stamp e; tar_t+=("$(elapsed "$s" "$e")")
  stamp s; tar -cf - -C "$SRC" . | zstd -T0 -3 -q > "$WORK/tar.tzst"; stamp e; zst_t+=("$(elapsed "$s" "$e")")
  stamp s; pkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out"); stamp e; pack_t+=("$(elapsed "$s" "$e")")
  rm -rf "$WORK/out-deflate"
  stamp s; dpkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out-deflate" --compression deflate); stamp e; defl_t+=("$(elapsed "$s" "$e")")

  rm -rf "$WORK/cp" "$WORK/loc" "$WORK/data"; sync
  # Whichever goes second creates its files among the inodes the first one just took, and both among the ones the
  # rm just freed (ext4 without a journal skips inodes freed in the last 30 s, one look each): the order alternates by
  # round, and --fresh-fs gives each its own new file system.
  if (( round % 2 )); then order="cp install"; else order="install cp"; fi
  for step in $order; do
    DEST=$WORK
    if [ -n "$FRESH" ]; then fresh_fs; DEST=$WORK/mnt; rm -rf "$WORK/data"; fi
    if [ "$step" = cp ]; then
      stamp s; cp -a "$SRC" "$DEST/cp"; sync; stamp e; cp_t+=("$(elapsed "$s" "$e")")
    else
      "$PACKSTER" location create "$DEST/loc" --id bench >/dev/null; sync
      stamp s
      /usr/bin/time -f '%M' -o "$WORK/rss" "$PACKSTER" install-file "$pkg" --location bench >/dev/null
      sync; stamp e; inst_t+=("$(elapsed "$s" "$e")"); rss+=("$(cat "$WORK/rss")")
    fi
  done
  echo "round $round: tar -czf ${tar_t[-1]}s, tar|zstd ${zst_t[-1]}s, pack ${pack_t[-1]}s, pack deflate ${defl_t[-1]}s, cp -a ${cp_t[-1]}s, install-file ${inst_t[-1]}s (${order/ / first, then })" >&2
done

tar_size=$(stat -c %s "$WORK/tar.tgz"); zst_size=$(stat -c %s "$WORK/tar.tzst"); pkg_size=$(stat -c %s "$pkg"); defl_size=$(stat -c %s "$dpkg")
T=$(best "${tar_t[@]}"); Z=$(best "${zst_t[@]}"); P=$(best "${pack_t[@]}"); D=$(best "${defl_t[@]}")
C=$(best "${cp_t[@]}"); I=$(best "${inst_t[@]}"); M=$(best "${rss[@]}")
echo
echo "pack vs tar|zstd -T0 -3: ${P}s vs ${Z}s  time ratio $(ratio "$P" "$Z") (target <= 1.00)"
echo "                         $((pkg_size / 1048576)) MiB vs $((zst_size / 1048576)) MiB  size ratio $(ratio "$pkg_size" "$zst_size") (target <= 1.05)"
# The same tree without solid runs (every entry a zstd frame of its own, as 7-Zip reads): its size only, once. A
# packster from before `--no-solid` has no such line.
rm -rf "$WORK/out-nosolid"
if nspkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out-nosolid" --no-solid 2>/dev/null); then
  ns_size=$(stat -c %s "$nspkg")
  echo "                         --no-solid: $((ns_size / 1048576)) MiB  size ratio $(ratio "$ns_size" "$zst_size")"
fi
echo "pack deflate vs tar -czf: ${D}s vs ${T}s  time ratio $(ratio "$D" "$T") (target <= 0.30)"
echo "                         $((defl_size / 1048576)) MiB vs $((tar_size / 1048576)) MiB  size ratio $(ratio "$defl_size" "$tar_size") (target <= 1.10)"
echo "install-file vs cp -a:   ${I}s vs ${C}s  time ratio $(ratio "$I" "$C") (target <= 1.20; both include sync)"
# On a shared machine the reference moves more than the difference: each round's own ratio (the two ran back to back),
# and their median, say more than the ratio of two best times taken in different rounds.
per_round=(); for r in $(seq 0 $((ROUNDS - 1))); do per_round+=("$(ratio "${inst_t[$r]}" "${cp_t[$r]}")"); done
echo "                         per round: ${per_round[*]}  median $(printf '%s\n' "${per_round[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
echo "install-file peak RSS:   $((M / 1024)) MiB (target <= 200 MiB)"

if [ "$SCALE" -gt 0 ]; then
  # A small package installed into an empty location, then into one holding $SCALE deployments.
  small=$("$PACKSTER" pack "$REPO/samples/hello" -o "$WORK/small")
  "$PACKSTER" location create "$WORK/empty" --id empty >/dev/null
  "$PACKSTER" location create "$WORK/full" --id full >/dev/null
  echo "filling a location with $SCALE deployments…" >&2
  for i in $(seq "$SCALE"); do "$PACKSTER" install-file "$small" --location full --inactive -p "port=$((10000 + i))" >/dev/null; done
  e_t=(); f_t=()
  for round in $(seq 5); do
    stamp s; "$PACKSTER" install-file "$small" --location empty -p "port=$((20000 + round))" >/dev/null; stamp e; e_t+=("$(elapsed "$s" "$e")")
    stamp s; "$PACKSTER" install-file "$small" --location full -p "port=$((20000 + round))" >/dev/null; stamp e; f_t+=("$(elapsed "$s" "$e")")
  done
  E=$(best "${e_t[@]}"); F=$(best "${f_t[@]}")
  echo "install into $SCALE deployments vs empty: ${F}s vs ${E}s  ratio $(ratio "$F" "$E") (target <= 1.10)"
fi

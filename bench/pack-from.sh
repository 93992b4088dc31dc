#!/usr/bin/env bash
# Side-by-side: 'packster pack --from tree.tar.gz' vs 'tar -xzf tree.tar.gz' + 'packster pack' of the extracted
# folder, on a real large tree (default: the .NET SDK folder this machine runs, ~400 MB, ~3,700 files). Both make
# the same package (spec/pack-from.md §Equivalence); the script checks that, then prints the times and their ratio.
#
# usage: bench/pack-from.sh [--tree DIR] [--rounds N]
set -euo pipefail

ROUNDS=2
TREE=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
bench_build_packster

# A vendor-style tarball: one top-level folder, as release tarballs have.
mkdir -p "$WORK/src"
cp -a "$TREE" "$WORK/src/tree-1.0.0"
tar -czf "$WORK/tree.tar.gz" -C "$WORK/src" tree-1.0.0
rm -rf "$WORK/src"
files=$(tar -tzf "$WORK/tree.tar.gz" | wc -l)
echo "tree: $TREE ($files entries, tarball $(( $(stat -c %s "$WORK/tree.tar.gz") / 1048576 )) MiB), $(nproc) cores, rounds: $ROUNDS" >&2
MANIFEST='id = "bench-tree"\nversion = "1.0.0"\n'
printf "$MANIFEST" > "$WORK/manifest.toml"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

from_t=(); two_t=()
for round in $(seq "$ROUNDS"); do
  rm -rf "$WORK/out-from" "$WORK/out-two" "$WORK/x"; mkdir -p "$WORK/out-from" "$WORK/out-two" "$WORK/x"; sync
  stamp s
  from=$("$PACKSTER" pack --from "$WORK/tree.tar.gz" --strip-components 1 --manifest "$WORK/manifest.toml" -o "$WORK/out-from" 2>/dev/null)
  stamp e; from_t+=("$(elapsed "$s" "$e")")
  sync
  stamp s
  tar -xzf "$WORK/tree.tar.gz" -C "$WORK/x" --strip-components 1
  cp "$WORK/manifest.toml" "$WORK/x/packster-manifest.toml"
  two=$("$PACKSTER" pack "$WORK/x" -o "$WORK/out-two" 2>/dev/null)
  stamp e; two_t+=("$(elapsed "$s" "$e")")
  if ! cmp -s "$from" "$two"; then echo "error: pack --from and tar -xzf + pack made different packages" >&2; exit 1; fi
  echo "round $round: pack --from ${from_t[-1]} s, tar -xzf + pack ${two_t[-1]} s (same package: $(basename "$from"))" >&2
done

f=$(best "${from_t[@]}"); t=$(best "${two_t[@]}")
echo "pack --from:          $f s"
echo "tar -xzf + pack:      $t s"
echo "ratio (from / two-step): $(ratio "$f" "$t")"

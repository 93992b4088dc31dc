#!/usr/bin/env bash
# Side-by-side: the cost of a location's size. One small package (samples/hello) installed into an empty location and
# into one holding N deployments, then `list --json` and `which` in each, every round from the same two locations
# (each run on its own copy, so every round and every binary starts from identical bytes). With --against, a second
# packster binary runs in the same rounds, alternating, and the table shows both.
# Targets (issue "Speed", 6): install into 1,000 deployments <= 1.1 x into an empty one; `list --json` and `which` on
# 1,000 deployments <= 30 ms wall with the native binary.
#
# usage: bench/growth.sh [--scale N] [--rounds N] [--packster PATH] [--against PATH]
set -euo pipefail

SCALE=1000
ROUNDS=7
GIVEN=
AGAINST=
while [ $# -gt 0 ]; do
  case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    --against) AGAINST=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup
bench_packster "$GIVEN"

small=$("$PACKSTER" pack "$REPO/samples/hello" -o "$WORK/small")
"$PACKSTER" location create "$WORK/empty" --id empty >/dev/null
"$PACKSTER" location create "$WORK/full" --id full >/dev/null
echo "filling a location with $SCALE deployments…" >&2
for i in $(seq "$SCALE"); do "$PACKSTER" install-file "$small" --location full --inactive -p "port=$((10000 + i))" >/dev/null; done

binaries=("$PACKSTER")
[ -n "$AGAINST" ] && binaries+=("$AGAINST")

# Every round and binary gets its own copy of both locations, all made before the first timed run: deleting a copy
# between runs made the next install pay for it (ext4 without a journal skips inodes freed in the last minute when it
# allocates new ones, scanning past them), about 2 ms at 1,000 deployments and nothing for the empty location.
echo "copying the locations for $ROUNDS rounds…" >&2
for round in $(seq "$ROUNDS"); do
  for b in "${!binaries[@]}"; do
    for loc in empty full; do cp -a "$WORK/$loc" "$WORK/$loc.$round.$b"; done
  done
done
sync

# One timed run: elapsed milliseconds of "$@" (output discarded); a run that fails stops the benchmark.
timed() {
  local s e
  stamp s
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  stamp e
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) * 1000 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The median of each round's own ratio (its run at N over its run in the empty location, made one after the other):
# a drift of the machine between rounds, which moves both medians, cancels out of it.
paired() {
  # shellcheck disable=SC2046
  median $(paste -d' ' <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '{ printf "%.4f\n", $2 / $1 }')
}

declare -A t
for round in $(seq "$ROUNDS"); do
  for b in "${!binaries[@]}"; do
    bin=${binaries[$b]}
    for loc in empty full; do
      at="$WORK/$loc.$round.$b"
      t[$b,$loc,install]+=" $(timed "$bin" install-file "$small" --location "$at" -p "port=$((20000 + round))")"
      t[$b,$loc,list]+=" $(timed "$bin" list --json --location "$at")"
      t[$b,$loc,which]+=" $(timed "$bin" which hello --location "$at")"
    done
  done
  echo "round $round done" >&2
done

echo
printf '%-44s %10s %10s %8s %8s\n' "median of $ROUNDS rounds (ms)" "empty" "$SCALE" "ratio" "paired"
for b in "${!binaries[@]}"; do
  echo "${binaries[$b]}"
  for what in install list which; do
    # shellcheck disable=SC2086
    E=$(median ${t[$b,empty,$what]}); F=$(median ${t[$b,full,$what]})
    printf '  %-42s %10s %10s %8s %8.2f\n' "$what" "$E" "$F" "$(ratio "$F" "$E")" "$(paired "${t[$b,empty,$what]}" "${t[$b,full,$what]}")"
  done
done
echo "paired: the median of each round's own ratio (its two runs follow each other), steadier than the ratio of medians"

echo "targets: install ratio <= 1.10; list --json and which at $SCALE <= 30 ms"

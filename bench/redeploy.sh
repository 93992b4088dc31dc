#!/usr/bin/env bash
# Side-by-side: deploying content the machine already holds (spec/lockfile.md § Extracted-file store) against
# `cp -a` of the same tree, on a real large tree (the .NET SDK folder this machine runs: ~400 MB, ~3,700 files).
# Each round, with the page cache warm and every command followed by `sync`:
#   cp -a                         the reference
#   first install                 install-file into a fresh location (extracts, then fills the store)
#   same package, other params    install-file of the same package with another parameter value (links)
#   second location               install-file into a second location on the same file system (borrows the links)
#   without the store             as "same package, other params" with PACKSTER_NO_STORE=1 (extracts again)
# Target (issue "Speed"): deploying content the machine already holds <= 0.15 x cp -a.
#
# usage: bench/redeploy.sh [--tree DIR] [--rounds N] [--packster PATH (e.g. the NativeAOT build)]
set -euo pipefail

ROUNDS=3
TREE=
GIVEN=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) TREE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup
[ -n "$TREE" ] || TREE=$(bench_sdk_tree)
bench_packster "$GIVEN"
# The package source: the tree plus a manifest (copied once, so the references and packster read the same files).
bench_source $'id = "bench-tree"\nversion = "1.0.0"\n[parameters.flavour]\ntype = "string"\ndefault = "a"\n'

pkg=$("$PACKSTER" pack "$SRC" -o "$WORK/out")

timed() { local s e; sync; stamp s; "$@" >/dev/null; sync; stamp e; elapsed "$s" "$e"; }

cp_t=(); first_t=(); again_t=(); second_t=(); nostore_t=()
for round in $(seq "$ROUNDS"); do
  rm -rf "$WORK/cp" "$WORK/a" "$WORK/b"
  "$PACKSTER" location create "$WORK/a" --id "a$round" >/dev/null
  "$PACKSTER" location create "$WORK/b" --id "b$round" >/dev/null
  cp_t+=("$(timed cp -a "$SRC" "$WORK/cp")")
  first_t+=("$(timed "$PACKSTER" install-file "$pkg" --location "a$round" -p flavour=first)")
  again_t+=("$(timed "$PACKSTER" install-file "$pkg" --location "a$round" -p flavour=again --inactive)")
  second_t+=("$(timed "$PACKSTER" install-file "$pkg" --location "b$round" -p flavour=first)")
  nostore_t+=("$(timed env PACKSTER_NO_STORE=1 "$PACKSTER" install-file "$pkg" --location "a$round" -p flavour=nostore --inactive)")
  echo "round $round: cp -a ${cp_t[-1]}s, first ${first_t[-1]}s, other params ${again_t[-1]}s, second location ${second_t[-1]}s, without the store ${nostore_t[-1]}s" >&2
done

C=$(best "${cp_t[@]}"); F=$(best "${first_t[@]}"); A=$(best "${again_t[@]}"); S=$(best "${second_t[@]}"); N=$(best "${nostore_t[@]}")
echo
echo "first install vs cp -a:                ${F}s vs ${C}s  ratio $(ratio "$F" "$C") (target <= 1.20)"
echo "same package, other params vs cp -a:   ${A}s vs ${C}s  ratio $(ratio "$A" "$C") (target <= 0.15)"
echo "second location vs cp -a:              ${S}s vs ${C}s  ratio $(ratio "$S" "$C") (target <= 0.15)"
echo "other params without the store:        ${N}s vs ${C}s  ratio $(ratio "$N" "$C")"

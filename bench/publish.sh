#!/usr/bin/env bash
# Side-by-side: `packster publish` of a large package to a folder source, and `packster mirror` of it from one folder
# source to another (spec/sources.md § Mirror), against `cp` of the same file and `sha256sum` + `cp` (the copy with the
# hash every publish checks), in one run. With --against, a second packster binary runs in the same rounds,
# alternating, and the table shows both. Each round publishes into an empty folder and mirrors through an empty
# download cache; every command is followed by `sync` outside the timing.
#
# usage: bench/publish.sh [--size MiB] [--rounds N] [--packster PATH] [--against PATH]
set -euo pipefail

ROUNDS=3
SIZE=256
GIVEN=
AGAINST=
while [ $# -gt 0 ]; do
  case $1 in
    --size) SIZE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --packster) GIVEN=$(realpath "$2"); shift 2 ;;
    --against) AGAINST=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup
bench_packster "$GIVEN"

# A package of SIZE MiB of incompressible bytes in folder source "from"; "to" receives publishes and mirrors.
mkdir -p "$WORK/src" "$WORK/from" "$WORK/to"
head -c "$((SIZE * 1048576))" /dev/urandom > "$WORK/src/blob"
printf 'id = "big"\nversion = "1.0.0"\n' > "$WORK/src/packster-manifest.toml"
pkg=$("$PACKSTER" pack "$WORK/src" -o "$WORK/from")
"$PACKSTER" source add from --type folder --url "$WORK/from" >/dev/null
"$PACKSTER" source add to --type folder --url "$WORK/to" >/dev/null
echo "package: $(basename "$pkg") ($(du -m "$pkg" | cut -f1) MiB), $(nproc) cores, rounds: $ROUNDS" >&2

binaries=("$PACKSTER")
[ -n "$AGAINST" ] && binaries+=("$AGAINST")

# One timed run of "$@" after emptying the target and the cache; prints seconds.
timed() {
  local s e
  rm -rf "$WORK/to/"* "$WORK/cache" "$WORK/copy"
  sync
  stamp s
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  stamp e
  sync
  elapsed "$s" "$e"
}

declare -A times
for round in $(seq "$ROUNDS"); do
  times[cp]+=" $(timed cp "$pkg" "$WORK/copy")"
  times[hashcp]+=" $(timed sh -c 'sha256sum "$1" >/dev/null && cp "$1" "$2"' sh "$pkg" "$WORK/copy")"
  for b in "${!binaries[@]}"; do
    times[publish.$b]+=" $(timed "${binaries[$b]}" publish "$pkg" --source to)"
    times[mirror.$b]+=" $(timed "${binaries[$b]}" mirror from to)"
  done
done

cp_best=$(best ${times[cp]})
hash_best=$(best ${times[hashcp]})
printf '%-28s %10s %10s %14s\n' "best of $ROUNDS" seconds "x cp" "x sha256sum+cp"
printf '%-28s %10s %10s %14s\n' "cp" "$cp_best" 1.00 "$(ratio "$cp_best" "$hash_best")"
printf '%-28s %10s %10s %14s\n' "sha256sum + cp" "$hash_best" "$(ratio "$hash_best" "$cp_best")" 1.00
for b in "${!binaries[@]}"; do
  name=packster; [ "$b" = 1 ] && name=against
  for what in publish mirror; do
    t=$(best ${times[$what.$b]})
    printf '%-28s %10s %10s %14s\n' "$name $what" "$t" "$(ratio "$t" "$cp_best")" "$(ratio "$t" "$hash_best")"
  done
done

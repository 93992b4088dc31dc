#!/usr/bin/env bash
# Side-by-side timing of activation (spec/activation.md §7; PRODUCT.md "Fast"):
#   1. a shim adds <= 1 ms to a direct exec       (N runs of the target vs N runs of its shim)
#   2. packster-use switches a shell in <= 5 ms     (source `packster init bash` once, switch A<->B N times)
#
# Usage:
#   bench/activation.sh [-n N] [--locations DIR_A DIR_B] [--shim NAME] [--target PATH]
#
# Without --locations, the script builds packster (Release), packs a one-file package whose shim `bench-true`
# runs a copy of /bin/true, and installs it into two fresh locations, bench-a and bench-b, with the real CLI.
# The direct exec it compares against is the same deployed file.
set -euo pipefail

N=1000
SHIM=bench-true
TARGET=/bin/true
LOC_A=
LOC_B=
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    --locations) LOC_A=$2; LOC_B=$3; shift 3 ;;
    --shim) SHIM=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/packster-bench-activation.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
INIT="$WORK/init.bash"

if [ -z "$LOC_A" ]; then
  export PACKSTER_DATA_HOME="$WORK/data" PACKSTER_CONFIG="$WORK/config.toml" PACKSTER_CACHE="$WORK/cache" CI=true
  echo "building packster (Release)..." >&2
  dotnet publish "$REPO/src/Packster.Cli" -c Release -o "$WORK/bin" --nologo -v quiet >/dev/null
  P="$WORK/bin/packster"
  mkdir -p "$WORK/pkg/bin"
  cp "$TARGET" "$WORK/pkg/bin/$SHIM"
  printf 'id = "bench-true"\nversion = "1.0.0"\n[shims]\n%s = "bin/%s"\n[provides]\nenv = { BENCH_HOME = "{deployment}", BENCH_PORT = "8080" }\n' "$SHIM" "$SHIM" \
    > "$WORK/pkg/packster-manifest.toml"
  pkg=$("$P" pack "$WORK/pkg" -o "$WORK/dist" 2>/dev/null)
  for id in bench-a bench-b; do
    "$P" location create "$WORK/$id" --id "$id" >/dev/null
    "$P" install-file "$pkg" --location "$id" >/dev/null
  done
  "$P" init bash > "$INIT"
  LOC_A=$WORK/bench-a LOC_B=$WORK/bench-b
  TARGET=$(cd "$LOC_A/deployments"/*/bin && pwd)/$SHIM
elif command -v packster >/dev/null 2>&1; then
  packster init bash > "$INIT"
else
  echo "--locations needs packster on PATH for 'packster init bash'" >&2; exit 2
fi

for loc in "$LOC_A" "$LOC_B"; do
  [ -r "$loc/activate/activate.sh" ] || { echo "no $loc/activate/activate.sh" >&2; exit 1; }
done
[ -x "$LOC_A/shims/$SHIM" ] || { echo "no shim $LOC_A/shims/$SHIM" >&2; exit 1; }

# Everything below runs in one bash process and times with $EPOCHREALTIME (a builtin: no clock process per sample).
LOC_A=$LOC_A LOC_B=$LOC_B SHIM=$SHIM TARGET=$TARGET N=$N INIT=$INIT PACKSTER_DATA_HOME=${PACKSTER_DATA_HOME:-$WORK/data} bash --norc --noprofile <<'BASH'
set -u

shim="$LOC_A/shims/$SHIM"
# Warm the page cache and the exec path once.
"$TARGET"; "$shim"
# Median of microsecond samples (sort runs once, after timing).
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ms() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
sum() { local t=0 x; for x in "$@"; do t=$(( t + x )); done; echo "$t"; }

# Interleaved, so a load change on a shared machine hits all three the same way.
D=() S=() F=()
for ((i = 0; i < N; i++)); do
  a=${EPOCHREALTIME/./}; "$TARGET"
  b=${EPOCHREALTIME/./}; "$shim"
  c=${EPOCHREALTIME/./}; /bin/sh -c 'exec "$0"' "$TARGET"   # the floor for any sh launcher
  d=${EPOCHREALTIME/./}
  D[i]=$(( b - a )) S[i]=$(( c - b )) F[i]=$(( d - c ))
done
md=$(median "${D[@]}") ms_=$(median "${S[@]}") mf=$(median "${F[@]}")
printf 'runs:                 %d   (load average: %s)\n' "$N" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
printf '                      median     mean\n'
printf 'direct exec:          %s ms   %s ms   (%s)\n' "$(ms "$md")" "$(ms $(( $(sum "${D[@]}") / N )))" "$TARGET"
printf 'shim exec:            %s ms   %s ms\n' "$(ms "$ms_")" "$(ms $(( $(sum "${S[@]}") / N )))"
printf "sh -c 'exec target':  %s ms   %s ms   (floor for an sh launcher)\n" "$(ms "$mf")" "$(ms $(( $(sum "${F[@]}") / N )))"
over=$(( ms_ - md )); [ "$over" -lt 0 ] && over=0
printf 'shim overhead:        %s ms (median shim - median direct; target <= 1 ms)\n' "$(ms "$over")"
printf 'shim/direct ratio:    %d.%02d (medians)\n' $(( ms_ / md )) $(( ms_ * 100 / md % 100 ))

. "$INIT"
packster-use "$LOC_A"; packster-use "$LOC_B"; packster-deactivate
P=() I=()
for ((i = 0; i < N; i++)); do
  # Every call switches to the other location: path to one, then id to the other.
  if (( i % 2 )); then loc=$LOC_B id=bench-a; else loc=$LOC_A id=bench-b; fi
  # Locations given with --locations have no registry entries here: switch by path both times.
  if [ ! -d "$PACKSTER_DATA_HOME/registry" ]; then if (( i % 2 )); then id=$LOC_A; else id=$LOC_B; fi; fi
  a=${EPOCHREALTIME/./}; packster-use "$loc"
  b=${EPOCHREALTIME/./}; packster-use "$id"
  c=${EPOCHREALTIME/./}
  P[i]=$(( b - a )) I[i]=$(( c - b ))
done
printf 'packster-use by path: %s ms   %s ms   (per switch; target <= 5 ms)\n' "$(ms "$(median "${P[@]}")")" "$(ms $(( $(sum "${P[@]}") / N )))"
if [ -d "$PACKSTER_DATA_HOME/registry" ]; then
  printf 'packster-use by id:   %s ms   %s ms\n' "$(ms "$(median "${I[@]}")")" "$(ms $(( $(sum "${I[@]}") / N )))"
fi
last=$LOC_B; case $id in bench-a|"$LOC_A") last=$LOC_A ;; esac
case ":$PATH:" in *":$last/shims:"*) ;; *) echo "error: the last switch did not activate $last" >&2; exit 1 ;; esac
packster-deactivate
BASH

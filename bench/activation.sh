#!/usr/bin/env bash
# Side-by-side timing of activation (spec/activation.md §7; PRODUCT.md "Fast"):
#   1. a shim adds <= 0.10 x a direct exec of a native executable (N runs of the target vs N runs of each shim kind:
#      the symlink shim, and the sh exec script a shim with fixed args or env gets)
#   2. packster-use switches a shell in <= 5 ms     (source `packster init bash` once, switch A<->B N times)
#
# Usage:
#   bench/activation.sh [-n N] [--locations DIR_A DIR_B] [--shim NAME] [--script-shim NAME] [--target PATH]
#
# Without --locations, the script builds packster (Release), packs a one-file package with two shims that run a copy
# of /bin/true: `bench-true` (nothing set first: a symlink) and `bench-true-env` (sets one env key: an sh script),
# and installs it into two fresh locations, bench-a and bench-b, with the real CLI. The direct exec it compares
# against is the same deployed file.
set -euo pipefail

N=1000
SHIM=bench-true
SCRIPT_SHIM=bench-true-env
TARGET=/bin/true
LOC_A=
LOC_B=
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    --locations) LOC_A=$2; LOC_B=$3; shift 3 ;;
    --shim) SHIM=$2; shift 2 ;;
    --script-shim) SCRIPT_SHIM=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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
  printf 'id = "bench-true"\nversion = "1.0.0"\n[shims]\n%s = "bin/%s"\n%s = { target = "bin/%s", env = { BENCH_SHIM = "script" } }\n[provides]\nenv = { BENCH_HOME = "{deployment}", BENCH_PORT = "8080" }\n' "$SHIM" "$SHIM" "$SCRIPT_SHIM" "$SHIM" \
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
for s in "$SHIM" "$SCRIPT_SHIM"; do
  [ -x "$LOC_A/shims/$s" ] || { echo "no shim $LOC_A/shims/$s" >&2; exit 1; }
done
[ -L "$LOC_A/shims/$SHIM" ] || echo "warning: $LOC_A/shims/$SHIM is not a symlink shim" >&2
[ -L "$LOC_A/shims/$SCRIPT_SHIM" ] && echo "warning: $LOC_A/shims/$SCRIPT_SHIM is not a script shim" >&2

# Everything below runs in one bash process and times with $EPOCHREALTIME (a builtin: no clock process per sample).
LOC_A=$LOC_A LOC_B=$LOC_B SHIM=$SHIM SCRIPT_SHIM=$SCRIPT_SHIM TARGET=$TARGET N=$N INIT=$INIT PACKSTER_DATA_HOME=${PACKSTER_DATA_HOME:-$WORK/data} bash --norc --noprofile <<'BASH'
set -u

link="$LOC_A/shims/$SHIM" script="$LOC_A/shims/$SCRIPT_SHIM"
# Warm the page cache and the exec path.
for ((i = 0; i < 20; i++)); do "$TARGET"; "$link"; "$script"; done
# Median of microsecond samples (sort runs once, after timing).
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
# Microseconds (possibly negative) as milliseconds.
ms() { local v=$1 sign=; (( v < 0 )) && { sign=-; v=$(( -v )); }; printf '%s%d.%03d' "$sign" $(( v / 1000 )) $(( v % 1000 )); }
# a/b with three decimals, possibly negative.
ratio() { local v=$(( $1 * 1000 / $2 )) sign=; (( v < 0 )) && { sign=-; v=$(( -v )); }; printf '%s%d.%03d' "$sign" $(( v / 1000 )) $(( v % 1000 )); }
sum() { local t=0 x; for x in "$@"; do t=$(( t + x )); done; echo "$t"; }

# Interleaved, so a load change on a shared machine hits all four the same way.
D=() L=() S=() F=()
for ((i = 0; i < N; i++)); do
  a=${EPOCHREALTIME/./}; "$TARGET"
  b=${EPOCHREALTIME/./}; "$link"
  c=${EPOCHREALTIME/./}; "$script"
  d=${EPOCHREALTIME/./}; /bin/sh -c 'exec "$0"' "$TARGET"   # the floor for any sh launcher
  e=${EPOCHREALTIME/./}
  D[i]=$(( b - a )) L[i]=$(( c - b )) S[i]=$(( d - c )) F[i]=$(( e - d ))
done
md=$(median "${D[@]}") ml=$(median "${L[@]}") msc=$(median "${S[@]}") mf=$(median "${F[@]}")
printf 'runs:                 %d   (load average: %s)\n' "$N" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
printf '                      median     mean\n'
printf 'direct exec:          %s ms   %s ms   (%s)\n' "$(ms "$md")" "$(ms $(( $(sum "${D[@]}") / N )))" "$TARGET"
printf 'symlink shim:         %s ms   %s ms   (%s)\n' "$(ms "$ml")" "$(ms $(( $(sum "${L[@]}") / N )))" "$SHIM"
printf 'script shim:          %s ms   %s ms   (%s)\n' "$(ms "$msc")" "$(ms $(( $(sum "${S[@]}") / N )))" "$SCRIPT_SHIM"
printf "sh -c 'exec target':  %s ms   %s ms   (floor for an sh launcher)\n" "$(ms "$mf")" "$(ms $(( $(sum "${F[@]}") / N )))"
# The target (PRODUCT.md "Fast"): what a shim adds over the direct exec, as a fraction of the direct exec.
printf 'symlink shim adds:    %s ms = %s x direct   (median - median direct; target <= 0.100)\n' "$(ms $(( ml - md )))" "$(ratio $(( ml - md )) "$md")"
printf 'script shim adds:     %s ms = %s x direct\n' "$(ms $(( msc - md )))" "$(ratio $(( msc - md )) "$md")"
# Paired: each run's shim time minus the direct exec just before it, so slow stretches of a shared machine cancel.
PL=() PS=()
for ((i = 0; i < N; i++)); do PL[i]=$(( L[i] - D[i] )) PS[i]=$(( S[i] - D[i] )); done
printf 'paired median:        symlink %s ms = %s x, script %s ms = %s x\n' \
  "$(ms "$(median "${PL[@]}")")" "$(ratio "$(median "${PL[@]}")" "$md")" "$(ms "$(median "${PS[@]}")")" "$(ratio "$(median "${PS[@]}")" "$md")"

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

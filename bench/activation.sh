#!/usr/bin/env bash
# Side-by-side timing of activation (spec/activation.md §7; PRODUCT.md "Fast"):
#   1. a shim adds <= 1 ms to a direct exec       (N runs of the target vs N runs of its shim)
#   2. packster-use switches a shell in <= 5 ms     (source `packster init bash` once, switch A<->B N times)
#
# Usage:
#   bench/activation.sh [-n N] [--locations DIR_A DIR_B] [--shim NAME] [--target PATH]
#
# Where the two locations come from, in this order:
#   --locations A B   two existing location folders, each with activate/activate.sh and shims/NAME (default NAME: bench-true)
#   `packster` on PATH  creates two temp locations with `packster location create` and installs nothing; the shim is
#                       written by the library fixture below (until the CLI can install a sample package with a shim)
#   otherwise           writes both locations with the Packster.Core library itself, through a throw-away .NET file-based
#                       app (dotnet run <file>.cs; needs the .NET 10 SDK and this repository; the first build takes ~1 min)
# The shim and init text are always the library's real output; nothing here re-implements a generator.
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

write_fixture() {
  # A .NET 10 file-based app that calls the library: two locations (A, B) with a shim NAME -> TARGET, the registry
  # entries "bench-a"/"bench-b" under $WORK/data, and the bash init text.
  mkdir -p "$WORK/fixture"
  cat > "$WORK/fixture/fixture.cs" <<CS
#:project $REPO/src/Packster.Core/Packster.Core.csproj
#:property PublishAot=false
using Packster.Activation;
var work = args[0]; var shim = args[1]; var target = args[2];
var registry = new LocationRegistry(Path.Combine(work, "data"));
foreach (var id in new[] { "bench-a", "bench-b" })
{
    var loc = Path.Combine(work, id);
    var shims = Path.Combine(loc, "shims");
    ShimWriter.WriteAll(shims, [new ShimDefinition(shim, target)], ShimPlatforms.Current);
    ActivationScripts.Write(loc, new ActivationSpec(loc, id, shims, new Dictionary<string, string> { ["BENCH_HOME"] = loc, ["BENCH_PORT"] = "8080" }));
    registry.Register(id, loc);
}
File.WriteAllText(Path.Combine(work, "init.bash"), ShellInit.Render(ActivationShell.Bash));
CS
  (cd "$WORK/fixture" && dotnet run fixture.cs -- "$WORK" "$SHIM" "$TARGET" >/dev/null)
}

if [ -n "$LOC_A" ]; then
  # Only the init text is needed; the fixture's own registry would point ids at its locations, not at A and B.
  if command -v packster >/dev/null 2>&1; then packster init bash > "$INIT"; else write_fixture; rm -rf "$WORK/data/registry"; fi
elif command -v packster >/dev/null 2>&1 && packster init bash > "$INIT" 2>/dev/null && [ -s "$INIT" ]; then
  # The CLI provides init; the locations still come from the library fixture until `install` can create shims.
  write_fixture
  LOC_A=$WORK/bench-a LOC_B=$WORK/bench-b
else
  echo "building fixture locations with the Packster.Core library (dotnet run)..." >&2
  write_fixture
  LOC_A=$WORK/bench-a LOC_B=$WORK/bench-b
fi

for loc in "$LOC_A" "$LOC_B"; do
  [ -r "$loc/activate/activate.sh" ] || { echo "no $loc/activate/activate.sh" >&2; exit 1; }
done
[ -x "$LOC_A/shims/$SHIM" ] || { echo "no shim $LOC_A/shims/$SHIM" >&2; exit 1; }

# Everything below runs in one bash process and times with $EPOCHREALTIME (a builtin: no clock process per sample).
LOC_A=$LOC_A LOC_B=$LOC_B SHIM=$SHIM TARGET=$TARGET N=$N INIT=$INIT PACKSTER_DATA_HOME=$WORK/data bash --norc --noprofile <<'BASH'
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

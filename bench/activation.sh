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
  if command -v packster >/dev/null 2>&1; then packster init bash > "$INIT"; else write_fixture; fi
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
ms_per() { local total=$1 n=$2; printf '%d.%03d' $(( total / n / 1000 )) $(( total / n % 1000 )); }

shim="$LOC_A/shims/$SHIM"
# Warm the page cache and the exec path once.
"$TARGET"; "$shim"

t0=${EPOCHREALTIME/./}; for ((i = 0; i < N; i++)); do "$TARGET"; done; t1=${EPOCHREALTIME/./}
direct=$(( t1 - t0 ))
t0=${EPOCHREALTIME/./}; for ((i = 0; i < N; i++)); do "$shim"; done; t1=${EPOCHREALTIME/./}
shimmed=$(( t1 - t0 ))
overhead=$(( shimmed - direct ))
# The floor for any sh launcher: one extra /bin/sh start that execs the target.
t0=${EPOCHREALTIME/./}; for ((i = 0; i < N; i++)); do /bin/sh -c 'exec "$0"' "$TARGET"; done; t1=${EPOCHREALTIME/./}
floor=$(( t1 - t0 ))
printf 'runs:                 %d   (load average: %s)\n' "$N" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
printf 'direct exec %-10s %s ms/call\n' "$(basename "$TARGET"):" "$(ms_per "$direct" "$N")"
printf 'shim exec:            %s ms/call\n' "$(ms_per "$shimmed" "$N")"
printf "sh -c 'exec target':  %s ms/call (floor for an sh launcher)\n" "$(ms_per "$floor" "$N")"
if [ "$overhead" -lt 0 ]; then overhead=0; fi
printf 'shim overhead:        %s ms/call (target <= 1 ms)\n' "$(ms_per "$overhead" "$N")"
printf 'shim/direct ratio:    %d.%02d\n' $(( shimmed / direct )) $(( shimmed * 100 / direct % 100 ))

. "$INIT"
packster-use "$LOC_A"; packster-use "$LOC_B"; packster-deactivate
t0=${EPOCHREALTIME/./}
for ((i = 0; i < N; i += 2)); do packster-use "$LOC_A"; packster-use "$LOC_B"; done
t1=${EPOCHREALTIME/./}
by_path=$(( t1 - t0 ))
t0=${EPOCHREALTIME/./}
for ((i = 0; i < N; i += 2)); do packster-use bench-a; packster-use bench-b; done
t1=${EPOCHREALTIME/./}
by_id=$(( t1 - t0 ))
switches=$(( (N + 1) / 2 * 2 ))
printf 'packster-use by path: %s ms/switch (target <= 5 ms)\n' "$(ms_per "$by_path" "$switches")"
if [ -d "$PACKSTER_DATA_HOME/registry" ]; then
  printf 'packster-use by id:   %s ms/switch (target <= 5 ms)\n' "$(ms_per "$by_id" "$switches")"
fi
case ":$PATH:" in *":$LOC_B/shims:"*) ;; *) echo "error: the last switch did not activate B" >&2; exit 1 ;; esac
packster-deactivate
BASH

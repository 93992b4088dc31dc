#!/usr/bin/env bash
# Side-by-side cold start of packster (PRODUCT.md "Fast"; target: <= 30 ms wall for both commands with the
# NativeAOT binary):
#   1. packster --version
#   2. packster list --json --location L    on a location with 100 deployments
# each for the NativeAOT binary and the JIT build (apphost + DLLs on the .NET runtime), in one run, with the
# ratio JIT/AOT. When a `mise` is on PATH (or MISE=path), `mise --version` and `mise ls` run beside them as a
# tool of the same class.
#
# Usage:
#   bench/startup.sh [-n N] [--aot PATH] [--jit PATH] [--deployments COUNT]
#
# Without --aot the script publishes the NativeAOT binary (scripts/publish.sh into a temporary folder); without
# --jit it publishes the JIT build. It packs COUNT one-file packages (default 100), each with a shim, and installs
# them into one fresh location with the AOT binary. Timing uses hyperfine (Debian: apt-get install hyperfine) when
# it is installed, else N runs of each command and their median.
set -euo pipefail

N=30
AOT=
JIT=
COUNT=100
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    --aot) AOT=$2; shift 2 ;;
    --jit) JIT=$2; shift 2 ;;
    --deployments) COUNT=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

if [ -z "$AOT" ]; then
  AOT="$(PACKSTER_ARTIFACTS="$WORK/artifacts" "$REPO/scripts/publish.sh")/packster"
fi
if [ -z "$JIT" ]; then
  echo "publishing the JIT build..." >&2
  dotnet publish "$REPO/src/Packster.Cli" -c Release -o "$WORK/jit" --nologo -v quiet -p:UseAppHost=true >/dev/null
  JIT="$WORK/jit/packster"
fi

echo "making a location with $COUNT deployments..." >&2
"$AOT" location create "$WORK/loc" --id bench >/dev/null
for i in $(seq -w 1 "$COUNT"); do
  pkg="$WORK/src/tool$i"
  mkdir -p "$pkg/bin"
  printf '#!/bin/sh\necho tool%s\n' "$i" > "$pkg/bin/tool$i"
  chmod +x "$pkg/bin/tool$i"
  printf 'id = "tool%s"\nversion = "1.0.%d"\ndescription = "bench tool %s"\n[shims]\ntool%s = "bin/tool%s"\n' \
    "$i" "$((10#$i))" "$i" "$i" "$i" > "$pkg/packster-manifest.toml"
  "$AOT" install-file "$("$AOT" pack "$pkg" -o "$WORK/dist" 2>/dev/null)" --location bench >/dev/null
done
listed=$("$AOT" list --json --location bench | grep -o '"deployment"' | wc -l)
[ "$listed" -eq "$COUNT" ] || { echo "expected $COUNT deployments, list --json shows $listed" >&2; exit 1; }
cmp <("$AOT" list --json --location bench) <("$JIT" list --json --location bench) \
  || { echo "the AOT and JIT builds disagree on list --json" >&2; exit 1; }

MISE=${MISE:-$(command -v mise || true)}

# name command... ; prints the median wall time in ms
median_ms() {
  local times=() i s e
  "$@" >/dev/null 2>&1   # warm the page cache; every later run is a fresh process
  for ((i = 0; i < N; i++)); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

if command -v hyperfine >/dev/null 2>&1; then
  measure() {
    hyperfine -N --warmup 3 --runs "$N" --export-json "$WORK/h.json" "$*" >/dev/null 2>&1 \
      || hyperfine --warmup 3 --runs "$N" --export-json "$WORK/h.json" "$*" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$WORK/h.json"
  }
  how="hyperfine, median of $N runs after 3 warm-ups"
else
  measure() { median_ms "$@"; }
  how="median of $N runs after 1 warm-up (install hyperfine for more)"
fi

echo >&2
echo "cold start, wall ms ($how); $COUNT deployments in the location" >&2
printf '%-40s %10s %10s %8s\n' "command" "AOT ms" "JIT ms" "JIT/AOT"
for args in "--version" "list --json --location bench"; do
  # shellcheck disable=SC2086
  a=$(measure "$AOT" $args)
  # shellcheck disable=SC2086
  j=$(measure "$JIT" $args)
  printf '%-40s %10s %10s %7.1fx\n' "packster $args" "$a" "$j" "$(echo "$j $a" | awk '{print $1 / $2}')"
done
printf 'AOT binary: %s bytes (%s)\n' "$(stat -c %s "$AOT" 2>/dev/null || stat -f %z "$AOT")" "$AOT"
if [ -n "$MISE" ]; then
  printf '%-40s %10s\n' "mise --version" "$(measure "$MISE" --version)"
  printf '%-40s %10s\n' "mise ls (no tools installed)" "$(MISE_DATA_DIR="$WORK/mise" measure "$MISE" ls)"
else
  echo "no mise on PATH (MISE=path to compare with one)"
fi

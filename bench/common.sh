# Sourced by the side-by-side benchmark scripts: one throw-away work folder with packster's config, cache and data
# inside it (removed on exit), the default large tree, and a Release build of packster.
#
#   bench_setup              sets REPO and WORK, points PACKSTER_CONFIG/CACHE/DATA_HOME into WORK
#   bench_sdk_tree           prints the .NET SDK folder this machine runs (~400 MB, ~3,700 files)
#   bench_build_packster     publishes packster (Release, JIT) into $WORK/bin and sets PACKSTER
#   bench_packster [PATH]    sets PACKSTER to PATH (e.g. the NativeAOT build) or, without one, builds it
#   bench_source MANIFEST    copies $TREE to $WORK/src (SRC) with MANIFEST as its packster-manifest.toml, says what it holds
#   stamp VAR, elapsed A B, ratio A B, best T...   wall-clock helpers for the side-by-side tables

bench_setup() {
  REPO=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/packster-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  export PACKSTER_CONFIG="$WORK/config.toml" PACKSTER_CACHE="$WORK/cache" PACKSTER_DATA_HOME="$WORK/data" CI=true
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

bench_sdk_tree() {
  local line version base
  line=$(dotnet --list-sdks | tail -n 1)           # "10.0.401 [/usr/share/dotnet/sdk]"
  version=${line%% *}; base=${line#*[}; base=${base%]}
  echo "$base/$version"
}

bench_build_packster() {
  echo "building packster (Release)…" >&2
  dotnet publish "$REPO/src/Packster.Cli" -c Release -o "$WORK/bin" --nologo -v quiet >/dev/null
  PACKSTER="$WORK/bin/packster"
}

bench_packster() {
  if [ -n "${1:-}" ]; then PACKSTER=$1; else bench_build_packster; fi
}

bench_source() {
  SRC="$WORK/src"
  cp -a "$TREE" "$SRC"
  printf '%s' "$1" > "$SRC/packster-manifest.toml"
  local files bytes
  files=$(find "$SRC" -type f | wc -l); bytes=$(du -sb "$SRC" | cut -f1)
  echo "tree: $TREE ($files files, $((bytes / 1048576)) MiB), $(nproc) cores, rounds: $ROUNDS" >&2
}

# stamp VAR: the wall clock into VAR, in seconds, without a process: on this kind of VM a `$(date …)` costs ~8 ms,
# which every timed command would carry (and which shrinks every ratio towards 1).
stamp() { local t=$EPOCHREALTIME; printf -v "$1" '%s' "${t/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

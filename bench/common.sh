# Sourced by the side-by-side benchmark scripts: one throw-away work folder with packster's config, cache and data
# inside it (removed on exit), the default large tree, and a Release build of packster.
#
#   bench_setup              sets REPO and WORK, points PACKSTER_CONFIG/CACHE/DATA_HOME into WORK
#   bench_sdk_tree           prints the .NET SDK folder this machine runs (~400 MB, ~3,700 files)
#   bench_build_packster     publishes packster (Release, JIT) into $WORK/bin and sets PACKSTER

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

#!/usr/bin/env bash
# The main job, end to end, on a fresh machine with only the .NET 10 SDK:
# build packster, pack a sample, create a location, install with parameters, activate it, run its shim.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/packster-quickstart.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Keep the tour away from the user's own configuration, cache and locations.
export PACKSTER_CONFIG="$work/config.toml" PACKSTER_CACHE="$work/cache" PACKSTER_DATA_HOME="$work/data"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; "$@"; }

echo "building packster (Release)…" >&2
dotnet publish "$repo/src/Packster.Cli" -c Release -o "$work/bin" --nologo -v quiet -p:UseAppHost=true >/dev/null
packster() { "$work/bin/packster" "$@"; }

step packster manifest check "$repo/samples/hello"
step packster manifest check "$repo/samples/greeter-service"

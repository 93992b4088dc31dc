#!/usr/bin/env bash
# The main job, end to end, on a fresh machine with only the .NET 10 SDK (and a C toolchain for the native build):
# build packster, pack a sample, create a location, install with parameters, activate it, run its shim.
# With --install-to DIR the packster it builds is published into DIR and kept (put DIR on PATH); otherwise the
# build lives in the temporary folder and goes with it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
install_to=""
if [ "${1:-}" = "--install-to" ] && [ -n "${2:-}" ]; then install_to="$(mkdir -p "$2" && cd "$2" && pwd)"; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/packster-quickstart.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Keep the tour away from the user's own configuration, cache and locations.
export PACKSTER_CONFIG="$work/config.toml" PACKSTER_CACHE="$work/cache" PACKSTER_DATA_HOME="$work/data"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n\033[1m$' >&2; printf ' %q' "$@" >&2; printf '\033[0m\n' >&2; "$@"; }

bin="${install_to:-$work/bin}"
mkdir -p "$bin"
# The release build: one NativeAOT binary (scripts/publish.sh), which needs a C toolchain (clang or gcc) besides the
# SDK. Without one, or when the native compile fails, the JIT build (apphost + DLLs on the SDK's .NET runtime) does
# the same job, only slower to start.
built=""
if command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1; then
  echo "building packster (Release, NativeAOT: one native binary; a minute or two)…" >&2
  if layout="$(PACKSTER_ARTIFACTS="$work/artifacts" "$repo/scripts/publish.sh" 2>"$work/publish.log")"; then
    cp -R "$layout/." "$bin/"
    built=aot
  else
    tail -n 15 "$work/publish.log" >&2
    echo "the NativeAOT build failed (above); falling back to the JIT build, which needs the .NET runtime to run" >&2
  fi
else
  echo "no C toolchain (clang or gcc) for the NativeAOT build; building the JIT build instead, which needs the .NET runtime to run" >&2
fi
if [ -z "$built" ]; then
  echo "building packster (Release, JIT)…" >&2
  dotnet publish "$repo/src/Packster.Cli" -c Release -o "$bin" --nologo -v quiet -p:UseAppHost=true >/dev/null
  built=jit
fi
packster() { "$bin/packster" "$@"; }
step packster --version

step packster manifest check "$repo/samples/hello"
step packster manifest check "$repo/samples/greeter-service"

# Pack a sample into one checksummed archive.
package="$(packster pack "$repo/samples/hello" -o "$work/dist")"
step sha256sum "$package"

# A location of its own, and the package installed into it with parameters.
step packster location create "$work/dev" --id dev
step packster install-file "$package" --location dev --parameters '{"greeting": "Bonjour", "port": 8081}'
step packster install-file "$package" --location dev -p greeting=Bonjour -p port=8081   # same deployment: unchanged
step packster list --location dev

# A package with an install handler: the handler writes the `message` parameter into the deployment. Parameters
# reach handlers as data (environment variables and a JSON file), never through a shell string.
motd="$(packster pack "$repo/samples/motd" -o "$work/dist")"
step packster install-file "$motd" --location dev -p 'message=Ship it; $(whoami) stays text'

# A package with a test handler: it checks the installed result before the deployment is published, and
# `packster test` runs it again later. Its [locator] names places inside the deployment. Its `any` handler is a
# Python script, so this part runs only where python3 is installed (a machine with only the .NET SDK skips it).
if command -v python3 >/dev/null 2>&1; then
  greeter="$(packster pack "$repo/samples/greeter-service" -o "$work/dist")"
  step packster install-file "$greeter" --location dev -p name=quickstart
  step packster test greeter-service --location dev
  step packster locate greeter-service:conf --location dev
else
  echo "(python3 is not installed: skipping the greeter-service part, whose any handler is a Python script)" >&2
fi

# Activate it in a shell (no .NET start on switch) and run its shims.
echo >&2
echo "\$ bash -c 'eval \"\$(packster init bash)\"; packster-use dev; hello quickstart; motd; packster-deactivate'" >&2
PACKSTER_BIN="$bin/packster" bash -c '
  eval "$("$PACKSTER_BIN" init bash)"
  packster-use dev
  echo "PATH starts with: ${PATH%%:*}" >&2
  hello quickstart
  motd
  packster-deactivate
  command -v hello >/dev/null && { echo "hello still on PATH after deactivate" >&2; exit 1; } || true
'
echo >&2
echo "quick start finished: packed, installed with parameters, activated and ran the shim." >&2
if [ -n "$install_to" ]; then
  [ "$built" = aot ] || echo "(this is the JIT build: it runs on the .NET runtime the SDK brought)" >&2
  echo "packster is installed in $install_to; put it on PATH: export PATH=\"$install_to:\$PATH\"" >&2
else
  echo "this build is deleted now; to keep packster on PATH, see README.md § Quick start (or run with --install-to DIR)" >&2
fi

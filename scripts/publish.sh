#!/usr/bin/env bash
# Builds the release layout of packster for each runtime identifier given (default: this machine's):
#
#   artifacts/<rid>/packster[.exe]          the NativeAOT binary, stripped: one file, no .NET needed to run it
#   artifacts/<rid>/pwsh-host/              packster-pwsh-host and its files (self-contained JIT publish; hosts
#                                           PowerShell for .ps1 handlers), when src/Packster.PowerShellHost exists
#   artifacts/symbols/<rid>/                the binary's debug symbols (packster.dbg, .pdb or .dSYM): kept for
#                                           crash analysis, never part of the layout that ships
#
# Usage: scripts/publish.sh [RID...]        RIDs: linux-x64 linux-arm64 osx-arm64 win-x64
#   prints each layout folder it built on stdout, one a line; progress and skips go to stderr
#   PACKSTER_ARTIFACTS=DIR   writes into DIR instead of <repo>/artifacts
#   PACKSTER_PIE=1           Linux: a position-independent binary (slower start; docs/ci.md § Release builds)
#
# NativeAOT compiles to native code with the target's own C toolchain and linker, so a RID is built only on a machine
# of that OS and architecture (Linux and macOS: clang or gcc; Windows: Visual Studio's C++ tools). The others are
# reported and skipped; docs/ci.md has the CI matrix that builds each on its own runner. Exit 0 when every RID asked
# for was built, 1 when a build failed, 3 when some RID could not be built on this machine.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
artifacts="${PACKSTER_ARTIFACTS:-$repo/artifacts}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case "${1:-}" in -h|--help) sed -n '2,18p' "$0"; exit 0 ;; esac

host_rid() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    MINGW*|MSYS*|CYGWIN*) os=win ;;
    *) echo "unknown"; return ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "unknown"; return ;;
  esac
  echo "$os-$arch"
}

host="$(host_rid)"
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=("$host")

built=() skipped=()
for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64|linux-arm64|osx-arm64|win-x64) ;;
    *) echo "error: unknown runtime identifier '$rid' (expected linux-x64, linux-arm64, osx-arm64 or win-x64)" >&2; exit 2 ;;
  esac
  if [ "$rid" != "$host" ]; then
    echo "skipped $rid: NativeAOT needs the $rid toolchain and this machine is $host; build it on a $rid runner (docs/ci.md § Release builds)" >&2
    skipped+=("$rid")
    continue
  fi

  out="$artifacts/$rid"
  stage="$artifacts/obj/$rid"
  symbols="$artifacts/symbols/$rid"
  rm -rf "$out" "$stage" "$symbols"
  mkdir -p "$out" "$symbols"

  echo "publishing packster for $rid (NativeAOT)..." >&2
  start=$(date +%s)
  pie=false
  [ "${PACKSTER_PIE:-0}" = 1 ] && pie=true
  # The native link is incremental and does not see a changed linker mode: start it afresh when the mode changed.
  native="$repo/src/Packster.Cli/obj/Release/net10.0/$rid/native"
  if [ "$(cat "$native/.pie" 2>/dev/null)" != "$pie" ]; then rm -rf "$native"; fi
  dotnet publish "$repo/src/Packster.Cli" -c Release -r "$rid" -p:PublishAot=true -p:PacksterPie=$pie -o "$stage/packster" --nologo -v quiet
  echo "$pie" > "$native/.pie"
  exe=packster
  [ "${rid%%-*}" = win ] && exe=packster.exe
  cp "$stage/packster/$exe" "$out/$exe"
  # Symbols (StripSymbols: packster.dbg on Linux, packster.dSYM on macOS; packster.pdb on Windows) stay aside.
  for sym in packster.dbg packster.dSYM packster.pdb; do
    if [ -e "$stage/packster/$sym" ]; then cp -R "$stage/packster/$sym" "$symbols/"; fi
  done

  if [ -f "$repo/src/Packster.PowerShellHost/Packster.PowerShellHost.csproj" ]; then
    echo "publishing packster-pwsh-host for $rid (JIT, self-contained)..." >&2
    dotnet publish "$repo/src/Packster.PowerShellHost" -c Release -r "$rid" --self-contained true -o "$out/pwsh-host" --nologo -v quiet
  fi
  rm -rf "$stage"
  echo "built $out in $(( $(date +%s) - start )) s: $(du -sh "$out/$exe" | cut -f1) $exe$([ -d "$out/pwsh-host" ] && echo ", pwsh-host/ $(du -sh "$out/pwsh-host" | cut -f1)")" >&2
  built+=("$rid")
  echo "$out"
done
rmdir "$artifacts/obj" 2>/dev/null || true

if [ ${#skipped[@]} -gt 0 ]; then
  echo "not built on this machine: ${skipped[*]} (see docs/ci.md § Release builds)" >&2
  exit 3
fi

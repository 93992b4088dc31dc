#!/usr/bin/env bash
# Side-by-side: what a .ps1 handler costs when packster runs it in its hosted PowerShell (packster-pwsh-host, started
# once per command) and when it spawns `pwsh -File` for each script. One `packster bundle install` of N packages,
# each with one install.ps1; per-handler times are the ones packster writes in each handler's log footer.
#
# usage: bench/pwsh-handlers.sh [--packages N] [--no-build]      (needs pwsh on PATH for the spawned side)
set -euo pipefail

N=10
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --packages) N=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$(dirname "$0")/common.sh"
bench_setup

[ "$BUILD" = 1 ] && dotnet build "$REPO/src/Packster.Cli" -c Release -v quiet -nologo >/dev/null
PACKSTER_DLL="$REPO/src/Packster.Cli/bin/Release/net10.0/packster.dll"
packster() { dotnet "$PACKSTER_DLL" "$@"; }
command -v pwsh >/dev/null || { echo "pwsh is not on PATH: install it (.ci/install-pwsh.sh) to compare" >&2; exit 1; }

mkdir -p "$WORK/source"
packster source add bench --type folder --url "$WORK/source" >/dev/null
{
  echo "[packages]"
  for i in $(seq 1 "$N"); do
    dir="$WORK/src/ps$i"
    mkdir -p "$dir/scripts"
    printf 'id = "ps%s"\nversion = "1.0.0"\n\n[handlers]\ninstall = "scripts/install.ps1"\n' "$i" > "$dir/packster-manifest.toml"
    printf '$out = Join-Path $env:PACKSTER_DEPLOYMENT_PATH "installed.txt"\nSet-Content -Path $out -Value "ps%s by $PID"\n"wrote $out"\n' "$i" > "$dir/scripts/install.ps1"
    packster pack "$dir" -o "$WORK/source" >/dev/null 2>&1
    echo "ps$i = \"1.0.0\""
  done
} > "$WORK/bundle.toml"

# Seconds of each handler, from the log footers "<== exited with code 0 after 0.123s", in install order.
handler_times() { for f in $(ls -tr "$1"/logs/*-install.log); do sed -n 's/^<== exited with code 0 after \([0-9.]*\)s$/\1/p' "$f"; done; }

run() { # mode
  local loc="$WORK/loc-$1" start end
  packster location create "$loc" --id "loc-$1" >/dev/null
  start=$(date +%s.%N)
  PACKSTER_POWERSHELL=$1 packster bundle install "$WORK/bundle.toml" --location "loc-$1" >/dev/null 2>&1
  end=$(date +%s.%N)
  handler_times "$loc" > "$WORK/times-$1"
  [ "$(wc -l < "$WORK/times-$1")" -eq "$N" ] || { echo "$1: expected $N handler logs" >&2; exit 1; }
  local processes
  processes=$(cat "$loc"/deployments/*/installed.txt | awk '{print $3}' | sort -u | wc -l)
  awk -v wall="$(echo "$end - $start" | bc)" -v mode="$1" -v processes="$processes" '
    NR == 1 { first = $1 } { sum += $1 } NR > 1 { rest += $1 }
    END { printf "%-7s command %6.2fs  handlers %6.2fs  first %6.3fs  each later %6.3fs  (%d PowerShell processes)\n", mode, wall, sum, first, (NR > 1 ? rest / (NR - 1) : 0), processes }' "$WORK/times-$1"
}

echo "$N packages, one install.ps1 each, one 'packster bundle install' ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
run hosted | tee "$WORK/hosted.txt"
run pwsh | tee "$WORK/pwsh.txt"
h=$(awk '{print $5}' "$WORK/hosted.txt" | tr -d s); p=$(awk '{print $5}' "$WORK/pwsh.txt" | tr -d s)
hl=$(awk '{print $10}' "$WORK/hosted.txt" | tr -d s); pl=$(awk '{print $10}' "$WORK/pwsh.txt" | tr -d s)
echo "ratio hosted/pwsh: all handlers $(echo "scale=3; $h / $p" | bc)   a later handler $(echo "scale=4; $hl / $pl" | bc)"

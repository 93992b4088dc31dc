#!/usr/bin/env bash
# Installs what the NativeAOT publish links and strips with (scripts/publish.sh): a C compiler driver and objcopy.
# Needs root and apt when they are missing.
set -eu
need=()
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v objcopy >/dev/null 2>&1 || need+=(binutils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install ${need[*]}: not root or no apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

#!/usr/bin/env bash
# Installs the archivers the 'pack --from' tests build their archives with (tar and gzip are always present). Needs root and apt.
set -eu
need=()
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v bzip2 >/dev/null 2>&1 || need+=(bzip2)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install ${need[*]}: not root or no apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

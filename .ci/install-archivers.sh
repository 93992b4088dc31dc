#!/usr/bin/env bash
# Installs the archivers the 'pack --from' tests build their archives with (tar and gzip are always present). Needs root and apt.
set -eu
need=()
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v bzip2 >/dev/null 2>&1 || need+=(bzip2)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
"$(dirname "$0")/apt-install.sh" ${need[@]+"${need[@]}"}

#!/usr/bin/env bash
# Installs what the NativeAOT publish links and strips with (scripts/publish.sh): a C compiler driver and objcopy.
# Needs root and apt when they are missing.
set -eu
need=()
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v objcopy >/dev/null 2>&1 || need+=(binutils)
"$(dirname "$0")/apt-install.sh" ${need[@]+"${need[@]}"}

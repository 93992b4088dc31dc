#!/usr/bin/env bash
# Installs the shells the activation tests run in (bash and sh are always present). Needs root and apt.
set -eu
need=()
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
"$(dirname "$0")/apt-install.sh" ${need[@]+"${need[@]}"}

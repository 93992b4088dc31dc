#!/usr/bin/env bash
# desktop-file-validate (Debian's desktop-file-utils): the desktop entry tests check packster's .desktop files with it.
set -eu
command -v desktop-file-validate >/dev/null 2>&1 && exit 0
"$(dirname "$0")/apt-install.sh" desktop-file-utils

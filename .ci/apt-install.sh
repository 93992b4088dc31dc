#!/usr/bin/env bash
# Installs the Debian packages named as arguments (nothing when none are). Needs root and apt-get; the
# .ci/install-*.sh scripts each decide what is missing and pass it here.
set -eu
[ $# -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install $*: not root or no apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "$@" >/dev/null

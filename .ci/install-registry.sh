#!/usr/bin/env bash
# Debian's docker-registry (the CNCF distribution server) and htpasswd (apache2-utils, for its bcrypt users): the OCI
# source tests start the registry on loopback, plain, with TLS and htpasswd, and with token authentication.
set -eu
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
"$(dirname "$0")/apt-install.sh" "${missing[@]}"

#!/bin/sh
# install handler: writes etc/greeter.conf from the PACKSTER_PARAM_* variables. Values are written as data,
# never evaluated: each line is key=value exactly as given.
set -eu
: "${PACKSTER_DEPLOYMENT_PATH:?run by packster}"
mkdir -p "$PACKSTER_DEPLOYMENT_PATH/etc"
conf="$PACKSTER_DEPLOYMENT_PATH/etc/greeter.conf"
{
  printf 'name=%s\n' "${PACKSTER_PARAM_NAME:-world}"
  printf 'greeting=%s\n' "${PACKSTER_PARAM_GREETING:-Hello}"
  printf 'port=%s\n' "${PACKSTER_PARAM_PORT:-9090}"
  printf 'loud=%s\n' "${PACKSTER_PARAM_LOUD:-false}"
} > "$conf.tmp"
mv "$conf.tmp" "$conf"
echo "greeter-service: wrote $conf"

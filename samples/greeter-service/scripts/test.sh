#!/bin/sh
# test handler: runs after install (in staging, before the deployment is published) and on `packster test`.
# It checks what the install handler made and that the shim's target answers; it writes nothing into the deployment.
set -eu
cd "${PACKSTER_DEPLOYMENT_PATH:?run by packster}"
conf=etc/greeter.conf
[ -f "$conf" ] || { echo "greeter-service: $conf is missing" >&2; exit 1; }
grep -qx "port=${PACKSTER_PARAM_PORT:-9090}" "$conf" || { echo "greeter-service: $conf does not hold the port parameter" >&2; exit 1; }
expected="${PACKSTER_PARAM_GREETING:-Hello}, ${PACKSTER_PARAM_NAME:-world}!"
actual="$(GREETER_CONF="$PWD/$conf" sh bin/greeter)"
[ "$actual" = "$expected" ] || { echo "greeter-service: bin/greeter said '$actual', expected '$expected'" >&2; exit 1; }
echo "greeter-service: test passed ($actual)"

#!/bin/sh
# Runs in the deployment's staging directory. The parameter arrives verbatim as PACKSTER_PARAM_MESSAGE (and in the
# JSON file PACKSTER_PARAMETERS_FILE); it is data, never evaluated.
set -eu
mkdir -p etc
if [ "$PACKSTER_PARAM_SHOUT" = true ]; then
  printf '%s\n' "$PACKSTER_PARAM_MESSAGE" | tr '[:lower:]' '[:upper:]' > etc/motd
else
  printf '%s\n' "$PACKSTER_PARAM_MESSAGE" > etc/motd
fi
echo "wrote etc/motd for $PACKSTER_PACKAGE_ID $PACKSTER_PACKAGE_VERSION"

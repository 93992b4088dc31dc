#!/usr/bin/env bash
# Installs a real pwsh (the PowerShell dotnet tool) for the PowerShell tests: pwsh shims, activation scripts,
# `init pwsh` and .ps1 handlers run through pwsh. The tests look for shells in /usr/local/bin, so it is linked there.
set -eu
version=7.6.10
if command -v pwsh >/dev/null 2>&1 && pwsh -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$version"; then
  exit 0
fi
tools=${PACKSTER_CI_TOOLS:-/opt/packster-ci/tools}
mkdir -p "$tools"
if [ ! -x "$tools/pwsh" ]; then
  dotnet tool install --tool-path "$tools" PowerShell --version "$version" >/dev/null
fi
if [ "$(id -u)" = 0 ]; then
  ln -sf "$tools/pwsh" /usr/local/bin/pwsh
else
  echo "pwsh installed in $tools; not root, so it is not linked into /usr/local/bin" >&2
  exit 1
fi

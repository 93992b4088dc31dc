# install handler: writes the `message` parameter to installed.txt inside the deployment.
$ErrorActionPreference = 'Stop'
$path = Join-Path $env:PACKSTER_DEPLOYMENT_PATH 'installed.txt'
Set-Content -Path $path -Value $env:PACKSTER_PARAM_MESSAGE -Encoding utf8
Write-Output "ps-only: wrote $path"

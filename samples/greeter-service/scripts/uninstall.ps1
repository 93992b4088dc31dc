# uninstall handler (PowerShell): removes what install wrote; the deployment directory itself is removed by packster.
$ErrorActionPreference = 'Stop'
$conf = Join-Path $env:PACKSTER_DEPLOYMENT_PATH 'etc'
if (Test-Path $conf) { Remove-Item -Recurse -Force $conf }
Write-Output "greeter-service: uninstalled from $env:PACKSTER_LOCATION_PATH"

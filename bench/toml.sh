#!/bin/sh
# Prints TOML parser throughput in MB/s on a generated document (default 8 MB; pass a size in MB).
set -eu
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/Packster.Benchmarks -- toml-mbps "$@"

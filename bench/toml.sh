#!/bin/sh
# Prints TOML parser throughput (MB/s) on a generated document of realistic mix
# (default 8 MB; pass a size in MB), once with the default GC and once with
# background GC off, since building the document is allocation-bound.
set -eu
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Packster.Benchmarks >/dev/null
dll=bench/Packster.Benchmarks/bin/Release/net10.0/Packster.Benchmarks.dll
dotnet "$dll" toml-mbps "$@"
DOTNET_gcConcurrent=0 dotnet "$dll" toml-mbps "$@"

#!/bin/sh
# Times one dependency resolution over a generated repository of 5,000 packages × 20 versions with dense ranges
# (spec/resolver.md §8; target ≤ 1 s). Optional arguments: number of packages, generator seed.
set -eu
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Packster.Benchmarks >/dev/null
dotnet bench/Packster.Benchmarks/bin/Release/net10.0/Packster.Benchmarks.dll resolve "$@"

#!/bin/sh
# Prints what an edit of a person-edited TOML file costs (open with both parsers, set two keys, verify by
# re-reading), side by side with a plain parse by Packster.Toml, and how many valid toml-test documents the
# editor can open (Tomlyn's syntax tree reproduces them byte for byte). spec/toml.md §9.
set -eu
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Packster.Benchmarks >/dev/null
dll=bench/Packster.Benchmarks/bin/Release/net10.0/Packster.Benchmarks.dll
suite="${1:-../shared/toml-test/tests}"
dotnet "$dll" toml-edit "$suite"

#!/bin/sh
# Regenerate the golden stdlib results and the Unicode tables with real Go (1.19 was used).
# Run on an amd64 CPU with FMA (x86-64-v3): Go's math.Exp takes its FMA path there.
set -e
cd "$(dirname "$0")/.."
grep -qw fma /proc/cpuinfo || echo "warning: this CPU has no FMA; math.Exp golden values will differ" >&2
go run tools/gen_unicode_tables.go > gox_abi/unicode_tables.py
go run tools/gen_stdlib_golden.go > tests/data/stdlib_golden.json

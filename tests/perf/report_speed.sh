#!/usr/bin/env bash
# Benchmark (reports numbers, asserts none): how long compare takes on two
# result sets of N samples each (default 10 M: 2 x 10 M samples), and report
# on one.
#   report_speed.sh KVMSCOPE GEN_RESULTS [N]
set -euo pipefail
K=$1; GEN=$2; N=${3:-10000000}
W=$(mktemp -d "${TMPDIR:-/tmp}/ks-speed.XXXXXX")
trap 'rm -rf "$W"' EXIT
t0=$(date +%s.%N)
"$GEN" "$W/a.json" "$N" 30000 1
"$GEN" "$W/b.json" "$N" 31000 2
t1=$(date +%s.%N)
echo "generated 2 files x $N samples ($(du -sh "$W" | cut -f1)) in $(echo "$t1 - $t0" | bc) s"
/usr/bin/time -f "compare: %e s wall, %M KiB max RSS" "$K" compare "$W/a.json" "$W/b.json" -o "$W/cmp" >/dev/null
/usr/bin/time -f "compare --no-plots: %e s wall, %M KiB max RSS" "$K" compare --no-plots "$W/a.json" "$W/b.json" -o "$W/cmp2" >/dev/null
/usr/bin/time -f "report: %e s wall, %M KiB max RSS" "$K" report "$W/a.json" -o "$W/rep" >/dev/null

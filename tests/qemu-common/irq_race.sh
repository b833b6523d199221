#!/usr/bin/env bash
# The body of tests/qemu-{arm64,x86}/irq_race.sh (they say what the hook does
# on their architecture): irqfd and irqfd_halted with the irq_race test hook
# (KVMSCOPE_FAULT=irq_race:2) inside a QEMU testbed, results checked by
# tests/integration/check_irq_race.py.
#
#   irq_race.sh TESTBED KVMSCOPE BACKEND TAG
#
# TESTBED: the testbed.sh to run; KVMSCOPE: the static kvmscope for it;
# BACKEND: the backend name the results must report (e.g. kvm-vhe, svm);
# TAG: names the temporary directory.  Exit 0 PASS, 1 FAIL, 77 SKIP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
testbed=$1 prog=$2 backend=$3 tag=$4
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-$tag.XXXXXX")
trap 'rm -rf "$out"' EXIT
bash "$testbed" --timeout 600 --out "$out" --append "KVMSCOPE_FAULT=irq_race:2" -- \
	"$prog" run irqfd irqfd_halted --quick --samples 400 -o r.json \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ -f "$out/r.json" ] || { echo "FAIL: no results (testbed exit $rc)"; exit 1; }
python3 "$HERE/../integration/check_irq_race.py" "$out/r.json" || exit 1
[ $rc -eq 0 ] || { echo "FAIL: kvmscope run exited $rc"; exit 1; }
grep -q "\"name\": \"$backend\"" "$out/r.json" || { echo "FAIL: backend not detected as $backend"; exit 1; }
echo PASS

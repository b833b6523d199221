#!/usr/bin/env bash
# The main job: install what is missing, build, run the default suite on
# this machine's /dev/kvm, write the results JSON and a text report under
# results/local/. Extra arguments go to `kvmscope run` (e.g. --quick).
#
# Without a usable /dev/kvm (e.g. a PVM guest whose kvm_pvm refuses to bind),
# the suite runs instead inside the x86_64 QEMU testbed (Debian's kernel, KVM
# on emulated SVM): real KVM code paths, emulated timings, and the results
# say so (backend "svm", host hypervisor "TCGTCGTCGTCG").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
mkdir -p results/local
stamp=$(date -u +%Y%m%dT%H%M%SZ)
json=results/local/kvmscope-$stamp.json
report=results/local/kvmscope-$stamp.txt

# info exits 4 when /dev/kvm is unusable (after printing why): handled below
"$BUILD_DIR"/bench/kvmscope info | tee "$report" || true
echo >>"$report"
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	set +e
	"$BUILD_DIR"/bench/kvmscope run -o "$json" "$@" | tee -a "$report"
	rc=${PIPESTATUS[0]}
	set -e
else
	echo "run.sh: /dev/kvm is not usable here; running the suite in the QEMU x86_64 testbed" \
	     "(nested KVM on emulated SVM: timings are emulated, code paths are real)" | tee -a "$report"
	out=$(mktemp -d)
	set +e
	tests/qemu-x86/testbed.sh --timeout 1500 --out "$out" -- \
		"$BUILD_DIR"/bench/kvmscope-static run -o results.json "$@" | tee -a "$report"
	rc=${PIPESTATUS[0]}
	set -e
	[ -f "$out/results.json" ] && cp "$out/results.json" "$json"
	rm -rf "$out"
fi
[ -f "$json" ] && echo "results: $json; report: $report"
exit "$rc"

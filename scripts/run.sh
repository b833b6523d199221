#!/usr/bin/env bash
# The main job: install what is missing, build, run the default suite on
# this machine's /dev/kvm, write the results JSON and a text report under
# results/local/, then the report (Markdown, HTML, plots), SQUAD metrics/tests/
# metadata files and a CSV next to it. Extra arguments go to `kvmscope run`
# (e.g. --quick).
#
# Without a usable /dev/kvm (e.g. a PVM guest whose kvm_pvm refuses to bind),
# the suite runs instead inside the x86_64 QEMU testbed (Debian's kernel, KVM
# on emulated SVM): real KVM code paths, emulated timings, and the results
# say so (backend "svm", host hypervisor "TCGTCGTCGTCG").
set -euo pipefail
. "$(dirname "$0")/as-root.sh"   # root, or through sudo; never needs sudo as root
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
if [ -f "$json" ]; then
	# for people: Markdown + HTML + plots; for dashboards: SQUAD files and CSV
	base=${json%.json}
	"$BUILD_DIR"/bench/kvmscope report "$json" -o "$base.report" >/dev/null || true
	"$BUILD_DIR"/bench/kvmscope export --format squad -o "$base.squad" "$json" || true
	"$BUILD_DIR"/bench/kvmscope export --format csv -o "$base.csv" "$json" || true
	echo "results: $json; text: $report"
	echo "report: $base.report/report.md (.html, plots/); dashboards: $base.squad-metrics.json" \
	     "(+ -tests, -metadata), $base.csv"
fi
exit "$rc"

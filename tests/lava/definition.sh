#!/usr/bin/env bash
# lava/kvmscope.yaml is a valid Lava-Test Test Definition 1.0, and its steps
# work: rendered the way lava-test-runner renders them and run here, from
# a tarball install to the reports. Twice: outside LAVA (reports are
# <LAVA_SIGNAL_TESTCASE> lines) and with a stand-in `lava-test-case` on PATH
# (kvmscope runs the helper itself, one call per benchmark; the stand-in
# records its arguments). Here /dev/kvm may be missing: the benchmarks are
# then reported as skip, which is what a board without KVM reports.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${KVMSCOPE:?}"
fail() { echo "FAIL: $*"; exit 1; }
python3 "$HERE/check_definition.py" "$REPO/lava/kvmscope.yaml"
rc=$?
[ $rc -eq 0 ] || exit $rc
command -v curl >/dev/null || command -v wget >/dev/null || { echo "SKIP: neither curl nor wget"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-lava.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg/bin"
cp "$KVMSCOPE" "$work/pkg/bin/kvmscope"
tar -czf "$work/kvmscope.tar.gz" -C "$work/pkg" bin

# The suite name has characters LAVA refuses in a test case name: they must go.
benches=(hyp_call empty ipi)
run_steps() { # DIR: render and run the steps with DIR as the board's scratch space
	local d=$1
	mkdir -p "$d"
	python3 "$HERE/check_definition.py" "$REPO/lava/kvmscope.yaml" --render "$d/steps.sh" \
		"KVMSCOPE_TARBALL_URL=file://$work/kvmscope.tar.gz" \
		"KVMSCOPE_ARGS=--quick ${benches[*]}" "SUITE_NAME=ci run/1" \
		"RESULTS_FILE=$d/results.json" >/dev/null || fail "rendering the steps"
	(cd "$REPO" && KVMSCOPE_PREFIX=$d/prefix KVMSCOPE_STATE=$d/state sh "$d/steps.sh") \
		>"$d/out" 2>"$d/err"
	local rc=$?
	sed 's/^/  | /' "$d/out"
	[ $rc -eq 0 ] || fail "the steps exited $rc: $(tail -3 "$d/err")"
	[ -s "$d/results.json" ] || fail "no results file was kept"
	grep -q "^$d/prefix/bin/kvmscope\$" "$d/state" || fail "kvmscope was not installed from the tarball"
}
# LINE...: each must be in FILE exactly once
want() {
	local file=$1; shift
	for l in "$@"; do
		n=$(grep -cxF -- "$l" "$file")
		[ "$n" = 1 ] || fail "expected once, found $n times in $(basename "$file"): $l"
	done
}
if "$KVMSCOPE" info >/dev/null 2>&1; then kvm=pass; bench_re='pass MEASUREMENT=[0-9.]+ UNITS=ns|skip'; else kvm=fail; bench_re='skip'; fi

echo "outside LAVA:"
run_steps "$work/plain"
want "$work/plain/out" "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-install RESULT=pass>" \
	"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-kvm RESULT=$kvm>" \
	"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-results RESULT=pass>"
for b in "${benches[@]}"; do
	grep -Eqx "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=ci_run_1-$b RESULT=($bench_re)>" "$work/plain/out" ||
		fail "no signal line for $b"
done
grep -Eqx '<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=ci_run_1-run RESULT=(pass|skip)>' "$work/plain/out" ||
	fail "no report of the run itself"

echo "inside LAVA (a stand-in lava-test-case records its arguments):"
mkdir -p "$work/lava-bin"
cat >"$work/lava-bin/lava-test-case" <<EOS
#!/bin/sh
printf '%s\n' "\$*" >>"$work/lava-bin/calls"
EOS
chmod +x "$work/lava-bin/lava-test-case"
PATH=$work/lava-bin:$PATH run_steps "$work/lava"
calls=$work/lava-bin/calls
sed 's/^/  recorded: /' "$calls"
want "$calls" "kvmscope-install --result pass" "kvmscope-kvm --result $kvm" "kvmscope-results --result pass"
for b in "${benches[@]}"; do
	line=$(grep -E "^ci_run_1-$b --result " "$calls") || fail "lava-test-case was not called for $b"
	echo "$line" | grep -Eqx "ci_run_1-$b --result (pass --measurement [0-9.]+ --units ns|skip)" ||
		fail "bad lava-test-case arguments: $line"
	# kvmscope prints each call it makes
	grep -qxF "lava-test-case $line" "$work/lava/out" || fail "kvmscope did not print: lava-test-case $line"
done
grep -q LAVA_SIGNAL "$work/lava/out" && fail "signal lines printed although lava-test-case is on PATH"
echo PASS

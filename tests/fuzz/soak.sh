#!/usr/bin/env bash
# Soak one fuzz target: RUNS executions (default 10 M) from its seed corpus,
# one process, niced.  The grown corpus, the log and any crash/leak/timeout
# input stay in BUILD_FUZZ/soak/; the last lines are libFuzzer's final
# stats (executions, exec/s, peak RSS) and the wall time.
#   soak.sh BUILD_FUZZ TARGET [RUNS]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bf=$1
t=$2
runs=${3:-10000000}
fz="$bf/tests/fuzz/$t"
[ -x "$fz" ] || { echo "soak: $fz is not built (cmake --preset fuzz && cmake --build --preset fuzz)"; exit 2; }
out="$bf/soak"
mkdir -p "$out/$t"
dict=""
case $t in
fuzz_json_read | fuzz_resultset) dict=-dict=$here/json.dict ;;
fuzz_run_args) dict=-dict=$here/run_args.dict ;;
fuzz_arm64_detect) dict=-dict=$here/arm64_detect.dict ;;
esac
# a small quarantine: far fewer page faults (slow in a VM), use-after-free
# still caught within 16 MB of later allocations
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
t0=$(date +%s)
# shellcheck disable=SC2086  # $dict is one word or none
nice -n 19 "$fz" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-error_exitcode=66 -timeout_exitcode=67 -artifact_prefix="$out/$t-" $dict \
	"$out/$t" "$here/corpus/$t" >"$out/$t.log" 2>&1
rc=$?
t1=$(date +%s)
grep -E '^(stat::|Done|==[0-9]+==ERROR|SUMMARY|fuzz property)' "$out/$t.log"
echo "$t: exit $rc, wall $((t1 - t0)) s, $(ls "$out/$t" | wc -l) corpus files"
exit $rc

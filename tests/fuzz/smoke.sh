#!/usr/bin/env bash
# Fuzz smoke: replay a target's seed corpus, then mutate for a bounded number
# of runs; fail on any crash, leak, sanitizer report or broken property.
#   smoke.sh FUZZER CORPUS_DIR [DICT]
# KVMSCOPE_FUZZ_RUNS (default 20000) and KVMSCOPE_FUZZ_SECONDS (default 15)
# bound it, whichever comes first.  New inputs go to a scratch directory,
# never into the source tree; a crashing input is kept in the working
# directory (the build tree) as crash-<sha1>, and its path is printed.
set -uo pipefail
fz=$1
corpus=$2
dict=${3:-}
runs=${KVMSCOPE_FUZZ_RUNS:-20000}
secs=${KVMSCOPE_FUZZ_SECONDS:-15}

[ -x "$fz" ] || { echo "SKIP: $fz is not built"; exit 77; }
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
	echo "FAIL: no seed corpus in $corpus"
	exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
args=(-runs="$runs" -max_total_time="$secs" -seed=1 -timeout=10 -rss_limit_mb=2048
      -print_final_stats=1 -artifact_prefix="$PWD/"
      -error_exitcode=66 -timeout_exitcode=67)   # libFuzzer's default 77 means "skipped" to ctest
[ -n "$dict" ] && args+=(-dict="$dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=16}   # see soak.sh
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
echo "$(basename "$fz"): $(ls "$corpus" | wc -l) seeds, up to $runs runs or $secs s"
"$fz" "${args[@]}" "$scratch" "$corpus" 2>&1 | grep -v '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)'
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then
	echo "FAIL: $(basename "$fz") exited $rc (crash/leak/timeout input: $PWD/crash-*, leak-*, timeout-*)"
	exit 1
fi
echo "ok: $(basename "$fz") found nothing"

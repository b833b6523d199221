#!/usr/bin/env bash
# The sanitizer stage of test.sh: build the asan preset (ASan + UBSan, in
# build-asan/; no static copy, so no QEMU testbed tests) and run the unit,
# report/compare, export, command-line and host integration tests under
# it.  Any sanitizer report fails the test it happens in: UBSan halts on
# the first error, ASan always does, LeakSanitizer runs at every exit.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset asan >/dev/null
cmake --build --preset asan -j"${KVMSCOPE_ASAN_JOBS:-$(nproc)}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# leaks proven to be inside third-party libraries, each with its proof
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
ctest --test-dir build-asan --output-on-failure --timeout 900 -L '^(unit|report|export|cli|integration)$' "$@"

#!/usr/bin/env bash
# The fuzz smoke stage of test.sh: build the libFuzzer targets with clang in
# build-fuzz/ (the fuzz preset: the parsers only) and run each from its seed
# corpus for a bounded number of runs (tests/fuzz/smoke.sh); any crash, leak
# or sanitizer report fails.  Soaks: tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"
ctest --test-dir build-fuzz --output-on-failure --timeout 300 -L '^fuzz$' "$@"

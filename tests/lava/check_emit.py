#!/usr/bin/env python3
"""The LAVA lines of a real run against its results file.

  check_emit.py RESULTS.json CONSOLE [SUITE]

`kvmscope run --lava` outside LAVA prints one <LAVA_SIGNAL_TESTCASE ...>
line per result: TEST_CASE_ID=<suite>-<name> in LAVA's characters, RESULT
pass (with MEASUREMENT = the median to 3 decimals and UNITS = the unit),
fail, skip (unsupported) or unknown (interrupted). Checks every result has
exactly its line, nothing else is reported, and the ids are unique.
"""
import json
import re
import sys

results = json.load(open(sys.argv[1]))["results"]
suite = sys.argv[3] if len(sys.argv) > 3 else "kvmscope"
console = open(sys.argv[2], encoding="utf-8", errors="replace").read()
console = console.replace("\r", "").replace("\x1b[K", "")   # the progress line's erasures

LINE = re.compile(r"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=([A-Za-z0-9._-]+) RESULT=(pass|fail|skip|unknown)"
                  r"(?: MEASUREMENT=(-?[0-9]+\.[0-9]{3}) UNITS=([^\s=<>]+))?>")
seen = {}
for raw in re.findall(r"<LAVA_SIGNAL_TESTCASE[^>]*>", console):
    m = LINE.fullmatch(raw)
    if not m:
        sys.exit("FAIL: malformed line: " + raw)
    if m.group(1) in seen:
        sys.exit("FAIL: test case reported twice: " + m.group(1))
    seen[m.group(1)] = m.groups()[1:]

status_to = {"ok": "pass", "failed": "fail", "unsupported": "skip", "interrupted": "unknown"}
counts = {}
for r in results:
    tcid = re.sub(r"[^A-Za-z0-9._-]", "_", suite + "-" + r["name"])
    got = seen.pop(tcid, None)
    if got is None:
        sys.exit("FAIL: no line for " + r["name"])
    want_res = status_to[r["status"]]
    if got[0] != want_res:
        sys.exit("FAIL: %s: RESULT=%s, status %s wants %s" % (tcid, got[0], r["status"], want_res))
    if want_res == "pass":
        want_m = "%.3f" % r["summary"]["median"]
        if got[1:] != (want_m, r["unit"]):
            sys.exit("FAIL: %s: MEASUREMENT=%s UNITS=%s, the results say %s %s"
                     % (tcid, got[1], got[2], want_m, r["unit"]))
    elif got[1] is not None:
        sys.exit("FAIL: %s: a measurement on a %s case" % (tcid, want_res))
    counts[want_res] = counts.get(want_res, 0) + 1
if seen:
    sys.exit("FAIL: lines for no result: " + ", ".join(seen))
print("LAVA lines: %d, one per result (%s), measurements = medians"
      % (len(results), ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))))

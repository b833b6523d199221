#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check `kvmscope export` output against the formats' documented fields and
against the results file it came from (recomputed here from the samples).

The field names and rules below are the formats' own, as documented (see
analysis/export.c for the exact files read):
  SQUAD  github.com/Linaro/squad  doc/intro.rst "Input file formats";
         squad/core/data.py (metric {"value", "unit"}), squad/core/models.py
         (suite slug, unit length)
  KCIDB  github.com/kernelci/kcidb-io  kcidb_io/schema/v05_00.py .. v05_03.py;
         github.com/kernelci/kcidb  doc/submitter_guide.md (statuses)
  CSV    RFC 4180; OWASP "CSV Injection" (= + - @)

usage:
  check_export.py squad RESULTS METRICS TESTS METADATA [--suite S] [--run-id ID]
  check_export.py kcidb RESULTS DOC [--suite S] [--origin O] [--build-id B] [--run-id ID]
  check_export.py csv RESULTS CSV [--conf C]
  check_export.py report RESULTS CSV REPORT_STDOUT
  check_export.py formula-fixture SRC DST
RESULTS is one file or several joined with commas (runs pooled as kvmscope does).
Exits 0 when every check holds, 1 with the first failure.
"""
import csv
import fractions
import functools
import io
import json
import math
import re
import statistics
import sys

FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


# ---- the source, recomputed ------------------------------------------------

def quantile7(s, q):
    """Hyndman-Fan type 7 over sorted s, the same arithmetic as stats.c."""
    h = (len(s) - 1) * q
    lo = math.floor(h)
    if lo + 1 >= len(s):
        return s[lo]
    return s[lo] + (h - lo) * (s[lo + 1] - s[lo])


@functools.lru_cache(maxsize=None)
def ci_rank(n, alpha):
    """Largest k >= 1 with 2 P(B <= k-1) <= alpha, B ~ Bin(n, 1/2) (inference.c)."""
    if n > 5000:
        z = statistics.NormalDist().inv_cdf(1 - alpha / 2)
        j = math.floor(n / 2.0 - 0.5 - z * math.sqrt(n) / 2)
        return 0 if j < 0 else j + 1
    a = fractions.Fraction(alpha)          # exact: integers from here on
    k, c, cdf, total = 0, 1, 0, 2 ** n     # c = C(n, j)
    for j in range(n // 2):
        cdf += c
        if 2 * cdf * a.denominator > a.numerator * total:
            break
        k = j + 1
        c = c * (n - j) // (j + 1)
    return k


def load_set(spec):
    """name -> dict(status, family, unit, samples sorted, runs, reason); plus run 1's env."""
    runs = [json.load(open(p)) for p in spec.split(",")]
    benches, order = {}, []
    for r in runs:
        for x in r["results"]:
            if x["name"] not in benches:
                order.append(x["name"])
                benches[x["name"]] = None
    for name in order:
        inst = [x for r in runs for x in r["results"] if x["name"] == name]
        tmpl = next((x for x in inst if x["status"] == "ok"), inst[0])
        oks = [x for x in inst if x["status"] == "ok"]
        samples = sorted(v for x in oks for v in x["samples"])
        benches[name] = dict(status=tmpl["status"], family=tmpl["family"],
                             unit=tmpl.get("unit") or "", reason=tmpl.get("reason"),
                             what=tmpl.get("what") or "", samples=samples, runs=len(oks),
                             seconds=sum(x["seconds"] for x in inst if isinstance(x.get("seconds"), (int, float))))
    return runs, order, benches


def median(b):
    return quantile7(b["samples"], 0.5)


def lava_name(name, dot=True):
    """Byte by byte, as kvmscope reduces names: LAVA's [A-Za-z0-9._-] (KCIDB: no '.')."""
    keep = rb"[^A-Za-z0-9_.-]" if dot else rb"[^A-Za-z0-9_-]"
    return re.sub(keep, b"_", name.encode()).decode() or "_"


def unique(names):
    out = []
    for n in names:
        u, k = n, 2
        while u in out:
            u, k = "%s-%d" % (n, k), k + 1
        out.append(u)
    return out


def no_nulls(v, where):
    if v is None:
        fail("%s: null (KCIDB allows no null)" % where)
    elif isinstance(v, dict):
        for k, x in v.items():
            no_nulls(x, where + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            no_nulls(x, "%s[%d]" % (where, i))


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


# ---- SQUAD -----------------------------------------------------------------

SQUAD_SLUG = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


def check_squad(args):
    suite = opt(args, "--suite", "kvmscope")
    run_id = opt(args, "--run-id")
    spec, fm, ft, fd = args
    runs, order, benches = load_set(spec)
    names = dict(zip(order, unique([lava_name(n) for n in order])))

    metrics = json.load(open(fm))
    if not isinstance(metrics, dict):
        return fail("metrics: not an object")
    want = {suite + "/" + names[n]: n for n in order if benches[n]["status"] == "ok"}
    if set(metrics) != set(want):
        fail("metrics keys %s != the ok benchmarks %s" % (sorted(metrics), sorted(want)))
    for key, v in metrics.items():
        s, _, name = key.rpartition("/")
        if not SQUAD_SLUG.match(s) or not re.match(r"^[A-Za-z0-9._-]+$", name) or len(name) > 256:
            fail("metrics: %r is not suite/name with SQUAD's characters" % key)
        if not isinstance(v, dict) or set(v) != {"value", "unit"}:
            fail("metrics[%r]: not exactly {value, unit}: %r" % (key, v))
            continue
        if not is_num(v["value"]) or not isinstance(v["unit"], str) or len(v["unit"]) > 30:
            fail("metrics[%r]: value must be a finite number, unit a string of <= 30: %r" % (key, v))
        b = benches.get(want.get(key))
        if b and v["value"] != median(b):
            fail("metrics[%r] = %r, the samples' median is %r" % (key, v["value"], median(b)))
        if b and v["unit"] != b["unit"][:30]:
            fail("metrics[%r].unit %r != %r" % (key, v["unit"], b["unit"]))
    ok("squad metrics: %d entries {value, unit}, each the median of its samples" % len(metrics))

    tests = json.load(open(ft))
    if not isinstance(tests, dict) or set(tests) != {suite + "/" + names[n] for n in order}:
        fail("tests: keys are not one per benchmark: %r" % sorted(tests))
    for n in order:
        v = tests.get(suite + "/" + names[n])
        st = benches[n]["status"]
        if st == "ok":
            if v != "pass":
                fail("tests[%s]: %r, expected \"pass\"" % (n, v))
        else:
            want_r = "fail" if st == "failed" else "skip"
            if not isinstance(v, dict) or set(v) != {"result", "log"} or v["result"] != want_r \
                    or not isinstance(v["log"], str) or not v["log"].startswith(st + ": "):
                fail("tests[%s] (%s): %r, expected {result: %s, log: \"%s: ...\"}" % (n, st, v, want_r, st))
    ok("squad tests: %d entries, pass/fail/skip as the statuses say" % len(tests))

    md = json.load(open(fd))
    if not isinstance(md, dict):
        return fail("metadata: not an object")
    for k in ("job_id", "job_status", "backend", "arch", "kernel_release", "runs"):
        if k not in md:
            fail("metadata: no %s" % k)
    for k, v in md.items():
        if k == "suite_versions":
            if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()) or suite not in v:
                fail("metadata.suite_versions: not {%s: version}: %r" % (suite, v))
        elif not isinstance(v, str):
            fail("metadata.%s: %r is not a string (SQUAD metadata values are strings)" % (k, v))
    jid = md.get("job_id", "")
    if "/" in jid or not jid or (run_id and jid != run_id):
        fail("metadata.job_id %r: must be non-empty, without '/'%s" % (jid, ", == " + run_id if run_id else ""))
    if "datetime" in md and not DATETIME.match(md["datetime"]):
        fail("metadata.datetime %r is not ISO 8601 with seconds" % md["datetime"])
    if md.get("job_status") != ("complete" if all(r["complete"] for r in runs) else "incomplete"):
        fail("metadata.job_status %r" % md.get("job_status"))
    if md.get("backend") != runs[0]["environment"]["backend"]["name"] or md.get("runs") != str(len(runs)):
        fail("metadata: backend/runs %r/%r" % (md.get("backend"), md.get("runs")))
    ok("squad metadata: %d string fields, job_id %s" % (len(md), jid))


# ---- KCIDB -----------------------------------------------------------------

KCIDB_TOP = {"version", "checkouts", "builds", "tests", "issues", "incidents"}
KCIDB_TEST = {"_timestamp", "build_id", "id", "origin", "environment", "path", "comment", "log_url",
              "log_excerpt", "status", "number", "start_time", "duration", "input_files",
              "output_files", "misc"}
KCIDB_REQUIRED = {"build_id", "id", "origin"}
KCIDB_STATUS = {"FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"}
ORIGIN = re.compile(r"^[a-z0-9_]+$")
ORIGIN_ID = re.compile(r"^[a-z0-9_]+:[^\0]*$")
PATH = re.compile(r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$")
STATUS_OF = {"ok": "DONE", "failed": "FAIL", "unsupported": "SKIP", "interrupted": "MISS"}


def check_kcidb(args):
    suite = opt(args, "--suite", "kvmscope")
    origin = opt(args, "--origin", "kvmscope")
    build = opt(args, "--build-id", origin + ":unknown-build")
    run_id = opt(args, "--run-id")
    spec, fdoc = args
    runs, order, benches = load_set(spec)
    names = dict(zip(order, unique([lava_name(n, dot=False) for n in order])))
    doc = json.load(open(fdoc))
    if not isinstance(doc, dict) or not set(doc) <= KCIDB_TOP or "version" not in doc:
        return fail("kcidb: top level %r: needs version, only %s" % (list(doc), sorted(KCIDB_TOP)))
    no_nulls(doc, "kcidb")
    v = doc["version"]
    if not isinstance(v, dict) or not set(v) <= {"major", "minor"} or v.get("major") != 5 \
            or not isinstance(v.get("minor"), int) or not 0 <= v["minor"] <= 3:
        fail("kcidb.version %r: expected {major: 5, minor: 0..3}" % v)
    tests = doc.get("tests")
    if not isinstance(tests, list) or len(tests) != len(order):
        return fail("kcidb.tests: expected %d tests, found %r" % (len(order), type(tests)))
    ids = set()
    for n, t in zip(order, tests):
        w = "tests[%s]" % n
        b = benches[n]
        if not isinstance(t, dict):
            fail(w + ": not an object")
            continue
        if not set(t) <= KCIDB_TEST:
            fail("%s: fields outside the schema: %s" % (w, sorted(set(t) - KCIDB_TEST)))
        if not KCIDB_REQUIRED <= set(t):
            fail("%s: missing %s" % (w, sorted(KCIDB_REQUIRED - set(t))))
        for k in ("id", "build_id", "origin", "path", "comment", "log_excerpt", "status", "start_time"):
            if k in t and not isinstance(t[k], str):
                fail("%s.%s: not a string" % (w, k))
        if not ORIGIN.match(t.get("origin", "")) or t.get("origin") != origin:
            fail("%s.origin %r" % (w, t.get("origin")))
        if not ORIGIN_ID.match(t.get("id", "")) or not t["id"].startswith(origin + ":"):
            fail("%s.id %r: not %s:..." % (w, t.get("id"), origin))
        if run_id and t.get("id") != "%s:%s:%s" % (origin, run_id, names[n]):
            fail("%s.id %r" % (w, t.get("id")))
        if t.get("id") in ids:
            fail("%s.id %r repeats" % (w, t.get("id")))
        ids.add(t.get("id"))
        if not ORIGIN_ID.match(t.get("build_id", "")) or t.get("build_id") != build:
            fail("%s.build_id %r, expected %r" % (w, t.get("build_id"), build))
        if not PATH.match(t.get("path", "")) or t.get("path") != suite + "." + names[n]:
            fail("%s.path %r, expected %r" % (w, t.get("path"), suite + "." + names[n]))
        if t.get("status") not in KCIDB_STATUS or t.get("status") != STATUS_OF[b["status"]]:
            fail("%s.status %r for kvmscope status %s" % (w, t.get("status"), b["status"]))
        num = t.get("number")
        if b["status"] == "ok":
            if not isinstance(num, dict) or not set(num) <= {"value", "unit", "prefix"} or "value" not in num:
                fail("%s.number %r: not {value, unit}" % (w, num))
            elif num["value"] != median(b) or num.get("unit") != b["unit"] or "prefix" in num:
                fail("%s.number %r: the samples' median is %r %s" % (w, num, median(b), b["unit"]))
        elif num is not None:
            fail("%s: a number for a benchmark that did not run" % w)
        if len(t.get("log_excerpt", "")) > 16384:
            fail("%s.log_excerpt: longer than 16384" % w)
        if "start_time" in t and not DATETIME.match(t["start_time"]):
            fail("%s.start_time %r is not a date-time" % (w, t["start_time"]))
        if "duration" in t and (not is_num(t["duration"]) or abs(t["duration"] - b["seconds"]) > 1e-9 * max(1, b["seconds"])):
            fail("%s.duration %r, the file says %r s" % (w, t.get("duration"), b["seconds"]))
        env = t.get("environment", {})
        if not isinstance(env, dict) or not set(env) <= {"compatible", "comment", "misc"} \
                or not isinstance(env.get("misc", {}), dict) or not isinstance(env.get("comment", ""), str):
            fail("%s.environment %r: only compatible, comment (string), misc (object)" % (w, env))
        if not isinstance(t.get("misc", {}), dict):
            fail("%s.misc: not an object" % w)
        m = t.get("misc", {})
        if m.get("benchmark") != n or m.get("kvmscope_status") != b["status"]:
            fail("%s.misc: benchmark/status %r/%r" % (w, m.get("benchmark"), m.get("kvmscope_status")))
        if b["status"] == "ok":
            s, k = b["samples"], ci_rank(len(b["samples"]), 0.05)
            if m.get("samples") != len(s) or m.get("median") != median(b):
                fail("%s.misc: samples/median %r/%r" % (w, m.get("samples"), m.get("median")))
            if k and (m.get("ci_low") != s[k - 1] or m.get("ci_high") != s[len(s) - k]):
                fail("%s.misc: CI [%r, %r], the order statistics give [%r, %r]" % (
                    w, m.get("ci_low"), m.get("ci_high"), s[k - 1], s[len(s) - k]))
    ok("kcidb: version %r, %d tests, only schema fields, ids/paths/statuses/numbers as documented" % (
        v, len(tests)))
    try:
        sys.path.insert(0, __import__("os").environ.get("KCIDB_IO_PATH", ""))
        from kcidb_io import schema  # optional: the real validator, when installed
    except ImportError:
        print("note: kcidb_io is not installed: the document was checked against the fields above only")
        return
    schema.V5_0.validate(doc)
    schema.LATEST.validate(schema.LATEST.upgrade(doc))
    ok("kcidb_io validates the document (v5.0 and, upgraded, v%d.%d)" % (schema.LATEST.major, schema.LATEST.minor))


# ---- CSV -------------------------------------------------------------------

CSV_COLS = ["name", "family", "status", "unit", "n", "median", "ci_low", "ci_high", "mean", "p99",
            "max", "backend", "kernel"]
TEXT_COLS = ["name", "family", "status", "unit", "backend", "kernel"]


def csv_text(s):
    """What kvmscope makes of a text cell: controls to spaces, a formula defused."""
    s = re.sub(r"[\x00-\x1f\x7f\x80-\x9f]", " ", s)
    return "'" + s if s.lstrip(" ")[:1] in ("=", "+", "-", "@") else s


def check_csv(args):
    conf = float(opt(args, "--conf", "0.95"))
    spec, fcsv = args
    runs, order, benches = load_set(spec)
    raw = open(fcsv, "rb").read()
    if not raw.endswith(b"\r\n") or raw.replace(b"\r\n", b"").count(b"\n"):
        fail("csv: line ends are not CRLF")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True))
    if rows[0] != CSV_COLS:
        return fail("csv header %r != %r" % (rows[0], CSV_COLS))
    if len(rows) != len(order) + 1:
        return fail("csv: %d rows for %d benchmarks" % (len(rows) - 1, len(order)))
    env = runs[0]["environment"]
    for n, row in zip(order, rows[1:]):
        r = dict(zip(CSV_COLS, row))
        b = benches[n]
        if len(row) != len(CSV_COLS):
            fail("csv row %r: %d cells" % (n, len(row)))
            continue
        want = {"name": n, "family": b["family"], "status": b["status"],
                "unit": b["unit"] if b["status"] == "ok" else "",
                "backend": env["backend"]["name"], "kernel": env["kernel"]["release"]}
        for c in TEXT_COLS:
            if r[c] != csv_text(want[c]):
                fail("csv %s.%s: %r, expected %r" % (n, c, r[c], csv_text(want[c])))
            if r[c].lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r"):
                fail("csv %s.%s: %r would run as a formula" % (n, c, r[c]))
        if b["status"] != "ok":
            if r["n"] != "0" or any(r[c] for c in CSV_COLS[5:11]):
                fail("csv %s: numbers for a benchmark that did not run: %r" % (n, row))
            continue
        s = b["samples"]
        if int(r["n"]) != len(s) or float(r["median"]) != median(b):
            fail("csv %s: n/median %s/%s, the samples give %d/%r" % (n, r["n"], r["median"], len(s), median(b)))
        if float(r["mean"]) != math.fsum(s) / len(s) and abs(float(r["mean"]) / (math.fsum(s) / len(s)) - 1) > 1e-12:
            fail("csv %s: mean %s" % (n, r["mean"]))
        if float(r["p99"]) != quantile7(s, 0.99) or float(r["max"]) != s[-1]:
            fail("csv %s: p99/max %s/%s" % (n, r["p99"], r["max"]))
        k = ci_rank(len(s), 1 - conf)
        if k and (float(r["ci_low"]) != s[k - 1] or float(r["ci_high"]) != s[len(s) - k]):
            fail("csv %s: CI [%s, %s], the order statistics give [%r, %r]" % (
                n, r["ci_low"], r["ci_high"], s[k - 1], s[len(s) - k]))
        if not k and (r["ci_low"] or r["ci_high"]):
            fail("csv %s: a CI from too few samples" % n)
    ok("csv: CRLF, header %s, %d rows; text cells as in the file (formulas defused), "
       "n/median/CI/mean/p99/max recomputed from the samples" % (",".join(CSV_COLS), len(rows) - 1))


# ---- against kvmscope report's table ---------------------------------------

def check_report(args):
    spec, fcsv, frep = args
    _, order, benches = load_set(spec)
    rows = {r["name"]: r for r in csv.DictReader(open(fcsv, newline="", encoding="utf-8"))}
    seen = 0
    for line in open(frep):
        f = line.split()
        # BENCHMARK UNIT N MEDIAN [lo, hi] P99 FLAGS
        if len(f) < 4 or f[0] not in rows or not re.match(r"^-?[0-9.]+$", f[3]):
            continue
        exported, shown = float(rows[f[0]]["median"]), f[3]
        dec = len(shown.split(".")[1]) if "." in shown else 0
        if abs(exported - float(shown)) > 0.5 * 10 ** -dec * (1 + 1e-9):
            fail("%s: export median %r, report shows %s" % (f[0], exported, shown))
        seen += 1
    want = sum(1 for n in order if benches[n]["status"] == "ok")
    if seen != want:
        fail("report table: %d medians compared, %d ok benchmarks" % (seen, want))
    ok("every ok benchmark's exported median (%d) is the one `kvmscope report` prints" % seen)


# ---- a fixture whose strings are spreadsheet formulas ----------------------

def formula_fixture(args):
    src, dst = args
    d = json.load(open(src))
    hostile = ["=HYPERLINK(\"http://evil.example/\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)"]
    res = d["results"]
    ok_rows = [r for r in res if r["status"] == "ok" and r["name"] != "hyp_call"]
    for r, name in zip(ok_rows, hostile):
        r["name"] = name
    template = next(r for r in res if r["status"] == "ok")
    # a formula behind spaces; a name that reduces to hyp_call (numbered -2), formula family
    for name, family in (("  =cmd|' /C calc'!A0", "exit_user"), ("hyp call", "=1+2")):
        extra = json.loads(json.dumps(template))
        extra["name"], extra["family"] = name, family
        res.append(extra)
    failed = json.loads(json.dumps(next(r for r in res if r["status"] != "ok")))
    failed.update(name="selftest_fault", family="selftest", status="failed",
                  reason="guest exception: vector 6 at rip 0x1234")
    res.append(failed)
    intr = dict(failed, name="irqfd_halted", family="irq", status="interrupted", reason="interrupted by a signal")
    res.append(intr)
    d["environment"]["backend"]["name"] = "@backend"
    d["environment"]["kernel"]["release"] = "-6.1,\"evil\""
    json.dump(d, open(dst, "w"), indent=1)


def main():
    args = sys.argv[1:]
    cmd = args.pop(0)
    {"squad": check_squad, "kcidb": check_kcidb, "csv": check_csv, "report": check_report,
     "formula-fixture": formula_fixture}[cmd](args)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())

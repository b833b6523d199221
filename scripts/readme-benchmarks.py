#!/usr/bin/env python3
"""The README's benchmark table, from `kvmscope list --json`.

    scripts/readme-benchmarks.py [--check] [--kvmscope PATH] [README]

Rewrites the table between the markers in README.md (one row per
benchmark: name, family, default suite, what it measures), in the order
`kvmscope list` gives (the suite's). With --check it changes nothing and
exits 1, with the difference, when the README disagrees: the cli.readme
test runs it so, so the table cannot drift from the code again.
"""
import argparse
import difflib
import json
import os
import subprocess
import sys

BEGIN = ("<!-- benchmarks: generated from `kvmscope list --json` by "
         "scripts/readme-benchmarks.py; edit the benchmarks, not this table -->")
END = "<!-- end of the generated benchmark table -->"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def table(benchmarks):
    rows = ["| benchmark | family | default | what |", "|---|---|---|---|"]
    for b in benchmarks:
        rows.append("| `%s` | %s | %s | %s |" % (b["name"], b["family"],
                                                "yes" if b["default"] else "no",
                                                cell(b["what"])))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--kvmscope", default=os.environ.get("KVMSCOPE", "build/bench/kvmscope"))
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("readme", nargs="?", default=os.path.join(here, "..", "README.md"))
    a = ap.parse_args()

    out = subprocess.run([a.kvmscope, "list", "--json"], check=True, stdout=subprocess.PIPE)
    want = table(json.loads(out.stdout)["benchmarks"])
    lines = open(a.readme, encoding="utf-8").read().split("\n")
    try:
        i, j = lines.index(BEGIN), lines.index(END)
    except ValueError:
        sys.exit("%s: no generated benchmark table (the markers %r and %r)" % (a.readme, BEGIN, END))
    have = lines[i + 1:j]
    if have == want:
        return 0
    if a.check:
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
            have, want, "README.md (now)", "kvmscope list --json", lineterm=""))
        print("FAIL: README.md's benchmark table disagrees with `kvmscope list --json`: "
              "run scripts/readme-benchmarks.py --kvmscope %s" % a.kvmscope)
        return 1
    lines[i + 1:j] = want
    with open(a.readme, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("README.md: benchmark table rewritten (%d benchmarks)" % (len(want) - 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

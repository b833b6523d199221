#!/usr/bin/env python3
"""Validate lava/kvmscope.yaml as a Lava-Test Test Definition 1.0, and
render its run steps into the shell script LAVA would run.

  check_definition.py YAML                     check; print a summary
  check_definition.py YAML --render OUT [K=V]  also write the script, params overridden

Checked: metadata (format, a name LAVA accepts, description, version,
maintainer, os, scope, devices with qcs6490-rb3gen2), params (a mapping of
strings), run.steps (strings), every ${PARAM} a step uses is declared, and
every script a step runs exists in the repository and is executable.
"""
import os
import re
import shlex
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (apt-get install python3-yaml)")
    sys.exit(77)


def fail(msg):
    print("FAIL: lava definition: " + msg)
    sys.exit(1)


path = sys.argv[1]
repo = os.path.dirname(os.path.dirname(os.path.abspath(path)))
with open(path) as f:
    d = yaml.safe_load(f)
if not isinstance(d, dict):
    fail("not a YAML mapping")
for key in ("metadata", "run"):
    if key not in d:
        fail("missing top-level key '%s'" % key)
md = d["metadata"]
if md.get("format") != "Lava-Test Test Definition 1.0":
    fail("metadata.format is %r" % md.get("format"))
name = md.get("name")
# LAVA: no non-ASCII, no whitespace, none of $& "'`()<>/\|;
if not isinstance(name, str) or not name or re.search(r"[^\x21-\x7e]|[$&\"'`()<>/\\|;]", name):
    fail("metadata.name %r is not a name LAVA accepts" % name)
for key in ("description", "version"):
    if not isinstance(md.get(key), str) or not md[key].strip():
        fail("metadata.%s missing or empty" % key)
for key in ("maintainer", "os", "scope", "devices"):
    v = md.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        fail("metadata.%s must be a non-empty list of strings" % key)
if not all(re.fullmatch(r"[^@\s]+@[^@\s]+", m) for m in md["maintainer"]):
    fail("metadata.maintainer must list e-mail addresses")
if "qcs6490-rb3gen2" not in md["devices"]:
    fail("metadata.devices lacks qcs6490-rb3gen2")
params = d.get("params", {})
if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
    fail("params must map names to strings")
steps = d["run"].get("steps") if isinstance(d["run"], dict) else None
if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
    fail("run.steps must be a non-empty list of strings")
for s in steps:
    for p in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", s):
        if p not in params:
            fail("step %r uses ${%s}, which params does not declare" % (s, p))
    prog = shlex.split(s)[0]
    if "/" in prog:
        exe = os.path.join(repo, prog)
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            fail("step %r runs %s, which is not an executable file in the repository" % (s, prog))
print("lava definition %s: name %s, devices %s, %d params, %d steps: valid"
      % (os.path.relpath(path, repo), name, ", ".join(md["devices"]), len(params), len(steps)))

if len(sys.argv) > 3 and sys.argv[2] == "--render":
    values = dict(params)
    for kv in sys.argv[4:]:
        k, _, v = kv.partition("=")
        if k not in values:
            fail("override of an undeclared param %s" % k)
        values[k] = v
    # what lava-test-runner executes: params as shell variables, then the steps
    with open(sys.argv[3], "w") as out:
        out.write("###default parameters from test definition###\n")
        for k, v in values.items():
            out.write("%s=%s\n" % (k, shlex.quote(v)))
        out.write("set -e\n")
        for s in steps:
            out.write(s + "\n")

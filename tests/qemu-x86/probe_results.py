"""Shared by the testbed probe checks (tests/probe-*/check.py): walk a
kvmscope results file (run --probes) and hand each wanted benchmark's
probe snapshot to the caller, reporting the common failures the same way."""
import json


def probe_runs(path, benches, probe, fails, hint=""):
    """Yield (backend, name, result, probe_snapshot) for each ok result in
    `benches` that carries `probe`. Load errors, failed results and a
    missing probe are appended to `fails`; a result with no probes at all
    (backend unusable in the testbed) is reported as SKIP."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fails.append(f"{path}: {e}")
        return
    backend = path.rsplit("r-", 1)[-1].split(".")[0]
    for r in doc.get("results", []):
        name = r.get("name")
        if name not in benches:
            continue
        if r.get("status") != "ok":
            fails.append(f"{backend} {name}: status {r.get('status')}: {r.get('reason')}")
            continue
        probes = {p["probe"]: p for p in r.get("probes", [])}
        if not probes:
            print(f"SKIP {backend} {name}: no probes attached (backend unusable in the testbed?)")
            continue
        p = probes.get(probe)
        if p is None:
            fails.append(f"{backend} {name}: the {backend} backend attached "
                         f"{', '.join(sorted(probes))} but not {probe}{hint}")
            continue
        yield p.get("backend", backend), name, r, p


def key_counts(p):
    return {k["key"]: k["count"] for k in p.get("keys", [])}


def check_lost(p, backend, name, fails):
    if p.get("lost"):
        fails.append(f"{backend} {name}: {p.get('lost')} events lost")


def finish(fails, checked, probe):
    """Print the verdict; return the exit code (0, 1, or 77 if nothing ran)."""
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    if not checked:
        print(f"SKIP: no backend could run the {probe} probe in the testbed")
        return 77
    print(f"PASS ({checked} benchmark runs checked)")
    return 0

#!/usr/bin/env python3
"""Report for bench/npm/run.sh: times side by side, and a findings diff.

Reads run.sh's runs.jsonl (one record per timed row), each row's hyperfine
JSON and tool output; turns every output into a set of (package, version,
advisory id) and compares it with
  - the reference (refscan.py: OSV semantics over the same records and exactly
    the packages of the target), and
  - custody's own set on the same target (missed = the peer has it, custody
    not; added = custody has it, the peer not).
Writes summary.md and summary.json into --out and prints the markdown.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import refscan  # noqa: E402

TARGET_DESC = {"nm": "node_modules", "lock": "package-lock.json", "none": "DB import"}


def findings(path: Path, fmt: str, lock: Path) -> set[tuple[str, str, str]]:
    data = json.loads(path.read_text())
    out = set()
    if fmt in ("custody", "ref"):
        for v in (data.get("findings") or []) + (data.get("ignored") or []):
            if "id" in v:
                out.add((v.get("package") or v.get("name"), str(v.get("version", "")), v["id"]))
    elif fmt == "osv-scanner":
        for res in data.get("results") or []:
            for p in res.get("packages") or []:
                pk = p.get("package") or {}
                for vul in p.get("vulnerabilities") or []:
                    out.add((pk.get("name"), pk.get("version"), vul["id"]))
    elif fmt == "npm-audit":
        # npm audit names node paths, not versions: take them from the lockfile.
        pk = json.loads(lock.read_text()).get("packages", {})
        for name, v in (data.get("vulnerabilities") or {}).items():
            for via in v.get("via") or []:
                if not isinstance(via, dict):
                    continue
                gid = (via.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
                for node in v.get("nodes") or []:
                    out.add((name, pk.get(node, {}).get("version", ""), gid))
    return out


def timing(path: Path) -> dict:
    try:
        r = json.loads(path.read_text())["results"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return {}
    times = r.get("times") or []
    codes = sorted(set(r.get("exit_codes") or []))
    return dict(median=r.get("median") or (statistics.median(times) if times else None),
                mean=r.get("mean"), min=r.get("min"), max=r.get("max"), runs=len(times), exit_codes=codes)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=Path, required=True)
    ap.add_argument("--osv", type=Path, required=True)
    ap.add_argument("--project", type=Path, required=True)
    ap.add_argument("--versions", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    lock = a.project / "package-lock.json"
    paths = {"nm": a.project / "node_modules", "lock": lock}

    rows = [json.loads(line) for line in a.runs.read_text().splitlines() if line.strip()]
    idx = refscan.load_osv(a.osv)
    truth, npk = {}, {}
    for t, p in paths.items():
        pk = refscan.packages_of(p)
        npk[t] = len(pk)
        truth[t] = {(n, v, rid) for n, v in pk for rid, aff in idx.get(n, ()) if refscan.affected_by(v, aff)}

    for r in rows:
        r["time"] = timing(Path(r["timing"]))
        out = Path(r["output"]) if r.get("output") else None
        if out and out.is_file() and r["format"] and r["target"] in paths:
            try:
                r["set"] = findings(out, r["format"], lock)
            except (ValueError, KeyError) as e:
                r["error"] = f"unreadable output: {e}"
    custody = {r["target"]: r for r in rows if r["tool"] == "custody" and "set" in r}

    md = ["# npm scan benchmark", ""]
    if a.versions and a.versions.exists():
        md += ["```", a.versions.read_text().rstrip(), "```", ""]
    md += [f"Packages per target (refscan.py): node_modules {npk['nm']}, package-lock.json {npk['lock']} "
           f"distinct (name, version); OSV records: {sum(1 for _ in a.osv.glob('*.json'))}.", "",
           "## Time (seconds; ratio = row median / custody median, same target)", "",
           "| row | target | median | mean | min | max | runs | exit codes | ratio |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    summary = dict(packages=npk, rows=[])
    for r in rows:
        t = r["time"]
        base = custody.get(r["target"], {}).get("time", {}).get("median")
        ratio = f"{t['median'] / base:.1f}x" if base and t.get("median") else ""
        f3 = lambda x: f"{x:.3f}" if isinstance(x, (int, float)) else "-"  # noqa: E731
        md.append(f"| {r['name']} | {TARGET_DESC.get(r['target'], r['target'])} | {f3(t.get('median'))} | "
                  f"{f3(t.get('mean'))} | {f3(t.get('min'))} | {f3(t.get('max'))} | {t.get('runs', 0)} | "
                  f"{','.join(map(str, t.get('exit_codes', [])))} | {ratio} |")
    md += ["", "## Findings: (package, version, advisory id)", "",
           "| row | target | findings | reference | missed vs reference | added vs reference | "
           "missed vs custody | added by custody |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    details = []
    for r in rows:
        if r["target"] not in paths:
            continue
        rec = dict(name=r["name"], tool=r["tool"], target=r["target"], time=r["time"], command=r["command"])
        if "set" not in r:
            md.append(f"| {r['name']} | {TARGET_DESC[r['target']]} | {r.get('error', 'no output')} | | | | | |")
            summary["rows"].append(rec)
            continue
        s, ref = r["set"], truth[r["target"]]
        miss_ref, add_ref = sorted(ref - s), sorted(s - ref)
        cu = custody.get(r["target"], {}).get("set")
        if cu is not None and r["tool"] != "custody":
            miss_cu, add_cu = sorted(s - cu), sorted(cu - s)
            mc, ac = str(len(miss_cu)), str(len(add_cu))
        else:
            miss_cu = add_cu = []
            mc = ac = "-"
        md.append(f"| {r['name']} | {TARGET_DESC[r['target']]} | {len(s)} | {len(ref)} | {len(miss_ref)} | "
                  f"{len(add_ref)} | {mc} | {ac} |")
        if r["tool"] == "custody":
            try:
                d = json.loads(Path(r["output"]).read_text())
                rec["custody_summary"] = d.get("summary")
                rec["custody_sources"] = d.get("sources")
                details.append(f"- {r['name']}: custody's own summary {d.get('summary')}, sources "
                               + ", ".join(f"{x.get('kind')} {x.get('packages')} packages"
                                           for x in d.get("sources") or []))
            except (OSError, ValueError):
                pass
        rec.update(findings=len(s), reference=len(ref), missed_vs_reference=miss_ref,
                   added_vs_reference=add_ref, missed_vs_custody=miss_cu, added_by_custody=add_cu)
        summary["rows"].append(rec)
        for label, lst in (("missed vs reference", miss_ref), ("added vs reference", add_ref),
                           ("missed by custody (peer has it)", miss_cu), ("added by custody", add_cu)):
            if lst:
                details.append(f"- {r['name']}, {label} ({len(lst)}): " +
                               ", ".join(f"{n}@{v} {i}" for n, v, i in lst[:12]) +
                               (" ..." if len(lst) > 12 else ""))
    if details:
        md += ["", "### Notes and differences (first 12 each)", ""] + details
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "summary.md").write_text("\n".join(md) + "\n")
    (a.out / "summary.json").write_text(json.dumps(summary, indent=1, default=list))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())

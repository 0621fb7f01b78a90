#!/usr/bin/env python3
"""Report for bench/scan/run.sh: timings side by side, and a findings diff.

Reads run.sh's runs.jsonl (one record per timed row: tool, target, phase,
hyperfine JSON, tool output), parses each tool's JSON output into a set of
(package, version, advisory id), with ids normalised to the PyPA record id via
the database's aliases (so a tool reporting CVE-/GHSA- ids still matches), and
compares every tool with a reference computed here from the same database with
OSV semantics (osv_server.Database) over exactly the packages of each target.

Writes summary.md and summary.json into --out and prints the markdown.
Can also be used on its own:  compare.py --db DB --req REQ --finding-files tool=path[:format] ...
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

from packaging.utils import canonicalize_name

sys.dont_write_bytecode = True  # keep bench/scan free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
from osv_server import Database  # noqa: E402

TOOL_ORDER = ["custody", "custody-db-ready", "pip-audit", "pysentry", "pysentry-osv"]
TARGET_DESC = {
    "env": "installed env",
    "lock": "requirements.txt (hashed)",
    "uvlock": "uv.lock",
    "import": "DB import",
}


# --- package lists per target --------------------------------------------------------
def env_packages(env_dir: Path) -> set[tuple[str, str]]:
    import importlib.metadata as md
    sites = list(env_dir.glob("lib/python*/site-packages"))
    out = set()
    for d in md.distributions(path=[str(s) for s in sites]):
        name = d.metadata["Name"]
        if name:
            out.add((canonicalize_name(name), d.version))
    return out


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)")


def req_packages(req: Path) -> set[tuple[str, str]]:
    out = set()
    for line in req.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            out.add((canonicalize_name(m.group(1)), m.group(2)))
    return out


def uvlock_packages(lock: Path) -> set[tuple[str, str]]:
    data = tomllib.loads(lock.read_text())
    out = set()
    for p in data.get("package", []):
        src = p.get("source", {})
        if "virtual" in src or "editable" in src:
            continue
        out.add((canonicalize_name(p["name"]), p["version"]))
    return out


# --- tool outputs ------------------------------------------------------------------------
def parse_findings(path: Path, fmt: str) -> list[tuple[str, str, str, list[str]]]:
    data = json.loads(path.read_text())
    rows = []
    if fmt == "pip-audit":
        for dep in data.get("dependencies", []):
            for v in dep.get("vulns", []) or []:
                rows.append((dep["name"], dep.get("version", ""), v["id"], v.get("aliases", [])))
    elif fmt == "pysentry":
        for v in data.get("vulnerabilities", []):
            rows.append((v["package_name"], v.get("installed_version", ""), v["id"],
                         v.get("aliases", []) or []))
    elif fmt == "custody":
        # Advisory findings only: cooldown findings (custody::cooldown, no id)
        # are a policy of custody's that the peers do not have; counted apart.
        for v in data.get("findings", []) + data.get("ignored", []):
            if "id" not in v:
                continue
            rows.append((v.get("package") or v.get("name"), str(v.get("version", "")), v["id"],
                         v.get("aliases", []) or []))
    else:
        raise ValueError(f"unknown format {fmt}")
    return rows


class Normaliser:
    def __init__(self, db: Database):
        self.ids = set(db.records)
        self.by_pkg_alias: dict[tuple[str, str], str] = {}
        self.by_alias: dict[str, set[str]] = defaultdict(set)
        for rid, rec in db.records.items():
            pkgs = {canonicalize_name(a["package"]["name"]) for a in rec.get("affected", []) or []
                    if (a.get("package") or {}).get("ecosystem") == "PyPI"}
            for alias in rec.get("aliases", []) or []:
                self.by_alias[alias].add(rid)
                for p in pkgs:
                    self.by_pkg_alias.setdefault((p, alias), rid)

    def __call__(self, pkg: str, vid: str, aliases: list[str]) -> tuple[str, bool]:
        """-> (canonical id, known?)"""
        for cand in [vid, *aliases]:
            if cand in self.ids:
                return cand, True
        for cand in [vid, *aliases]:
            rid = self.by_pkg_alias.get((pkg, cand))
            if rid:
                return rid, True
        for cand in [vid, *aliases]:
            if len(self.by_alias.get(cand, ())) == 1:
                return next(iter(self.by_alias[cand])), True
        return vid, False


def finding_set(rows, norm: Normaliser) -> tuple[set[tuple[str, str, str]], list[str]]:
    out, unknown = set(), []
    for pkg, ver, vid, aliases in rows:
        p = canonicalize_name(pkg)
        rid, known = norm(p, vid, aliases)
        if not known:
            unknown.append(f"{p}=={ver} {vid}")
        out.add((p, ver, rid))
    return out, unknown


def same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def align_versions(found: set, ref: set) -> set:
    """Map a tool's version strings onto the reference's spelling (1.0 vs 1.0.0)."""
    ref_by = defaultdict(list)
    for p, v, i in ref:
        ref_by[(p, i)].append(v)
    out = set()
    for p, v, i in found:
        match = next((rv for rv in ref_by.get((p, i), []) if same_version(rv, v)), v)
        out.add((p, match, i))
    return out


# --- timing --------------------------------------------------------------------------------
def load_timing(path: Path) -> dict | None:
    try:
        r = json.loads(path.read_text())["results"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return None
    times = r.get("times") or []
    return {
        "median": r.get("median", statistics.median(times) if times else None),
        "mean": r.get("mean"), "min": r.get("min"), "max": r.get("max"),
        "stddev": r.get("stddev"), "user": r.get("user"), "system": r.get("system"),
        "n": len(times), "exit_codes": sorted(set(r.get("exit_codes") or [])),
    }


def fmt_s(x) -> str:
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(x, base) -> str:
    if x is None or base is None or base <= 0:
        return "—"
    return f"{x / base:.1f}×"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, help="runs.jsonl written by run.sh")
    ap.add_argument("--db", type=Path, default=Path("/work/shared/advisories/pypa-advisory-db"))
    ap.add_argument("--env", type=Path)
    ap.add_argument("--req", type=Path)
    ap.add_argument("--uvlock", type=Path)
    ap.add_argument("--versions", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--finding-files", nargs="*", default=[],
                    help="standalone mode: TOOL:TARGET:FORMAT=PATH")
    ap.add_argument("--max-diff-lines", type=int, default=60)
    a = ap.parse_args()

    runs = []
    if a.runs:
        runs = [json.loads(l) for l in a.runs.read_text().splitlines() if l.strip()]
    for spec in a.finding_files:
        lhs, path = spec.split("=", 1)
        tool, target, fmt = lhs.split(":")
        runs.append(dict(name=f"{tool}-{target}", tool=tool, target=target, phase="warm",
                         format=fmt, output=path, timing=""))

    db = Database(a.db)
    norm = Normaliser(db)

    targets_pkgs: dict[str, set] = {}
    if a.env and a.env.exists():
        targets_pkgs["env"] = env_packages(a.env)
    if a.req and a.req.exists():
        targets_pkgs["lock"] = req_packages(a.req)
    if a.uvlock and a.uvlock.exists():
        targets_pkgs["uvlock"] = uvlock_packages(a.uvlock)
    reference = {
        t: {(p, v, r["id"]) for p, v in pkgs for r in db.query(p, v)}
        for t, pkgs in targets_pkgs.items()
    }

    # rows[(target, tool)] = {...}
    rows: dict[tuple[str, str], dict] = defaultdict(dict)
    for r in runs:
        key = (r["target"], r["tool"])
        row = rows[key]
        t = load_timing(Path(r["timing"])) if r.get("timing") else None
        row[r["phase"]] = t
        inv = max(1, int(r.get("invocations") or 1))
        # counters are summed over all invocations of the row (warm-up included): per run
        row.setdefault("outside_network", {})[r["phase"]] = {
            k: v / inv for k, v in (r.get("outside_network") or {}).items()}
        row.setdefault("osv_requests", {})[r["phase"]] = {
            k: v / inv for k, v in (r.get("osv_requests") or {}).items()}
        row.setdefault("commands", {})[r["phase"]] = r.get("command")
        if r.get("format") in ("pip-audit", "pysentry", "custody"):
            out = Path(r["output"])
            try:
                found, unknown = finding_set(parse_findings(out, r["format"]), norm)
                ref = reference.get(r["target"])
                if ref is not None:
                    found = align_versions(found, ref)
                row["findings"] = found
                row["unknown_ids"] = unknown
                row["error"] = None
            except (OSError, ValueError, KeyError, TypeError) as exc:
                row["findings"] = None
                row["error"] = f"{type(exc).__name__}: {exc}"

    tools = sorted({k[1] for k in rows}, key=lambda x: TOOL_ORDER.index(x) if x in TOOL_ORDER else 99)
    targets = [t for t in ["import", "env", "lock", "uvlock"] if any(k[0] == t for k in rows)]
    md = []
    if a.versions and a.versions.exists():
        md += ["```", a.versions.read_text().rstrip(), "```", ""]
    md += ["## Time (seconds, median; ratio = tool time / custody time, same target and phase)", ""]
    md += ["| target | tool | cold | warm | cold ratio | warm ratio | n cold/warm | exit codes | local OSV requests per run (cold / warm) | refused outside-network attempts per run |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    summary = {"rows": [], "reference": {}}
    for t in targets:
        base = rows.get((t, "custody"), {})
        bc = (base.get("cold") or {}).get("median")
        bw = (base.get("warm") or {}).get("median")
        for tool in tools:
            row = rows.get((t, tool))
            if row is None:
                continue
            c, w = row.get("cold") or {}, row.get("warm") or {}
            codes = sorted(set(c.get("exit_codes", []) + w.get("exit_codes", [])))
            osv = row.get("osv_requests", {})
            osv_s = " / ".join(", ".join(f"{k.replace('POST ', '').replace('GET ', '')}: {v:g}"
                                         for k, v in (osv.get(ph) or {}).items()) or "0"
                               for ph in ("cold", "warm"))
            net = row.get("outside_network", {})
            refused = sum(v for ph in net.values() for k, v in ph.items() if "refused" in k or "failure" in k)
            served = sum(v for ph in net.values() for k, v in ph.items() if k.startswith("served"))
            outside = f"{refused:g}" + (f" (+ local zip served: {served:g})" if served else "")
            md.append(f"| {TARGET_DESC.get(t, t)} | {tool} | {fmt_s(c.get('median'))} | {fmt_s(w.get('median'))} | "
                      f"{fmt_ratio(c.get('median'), bc)} | {fmt_ratio(w.get('median'), bw)} | "
                      f"{c.get('n', 0)}/{w.get('n', 0)} | {codes} | {osv_s} | {outside} |")
            summary["rows"].append({
                "target": t, "tool": tool, "cold": row.get("cold"), "warm": row.get("warm"),
                "osv_requests": row.get("osv_requests"), "outside_network": row.get("outside_network"),
                "commands": row.get("commands"),
                "findings": sorted(map(list, row["findings"])) if row.get("findings") is not None else None,
                "unknown_ids": row.get("unknown_ids"), "error": row.get("error"),
            })
    bad = [(k, r) for k, r in rows.items() for ph in ("cold", "warm")
           if r.get(ph) and any(c not in (0, 1) for c in r[ph]["exit_codes"])]
    if bad:
        md += ["", "**Runs with exit codes other than 0/1 (errors):** " +
               ", ".join(sorted({f'{k[1]} on {k[0]}' for k, _ in bad}))]
    # the intercepted github zip download is the designed offline path, not a leak
    leaks = {}
    for k, r in rows.items():
        for ph, hosts in (r.get("outside_network") or {}).items():
            bad_hosts = {h: n for h, n in hosts.items() if "refused" in h or "failure" in h}
            if bad_hosts:
                leaks[f"{k[1]} on {k[0]} ({ph})"] = bad_hosts
    md += ["", "Outside-network attempts (all refused by offline_proxy.py): " +
           (json.dumps(leaks) if leaks else "none")]

    md += ["", "## Findings: (package, version, advisory) after alias normalisation", ""]
    md += ["| target | packages | reference | " + " | ".join(tools) + " |",
           "|---|---|---|" + "---|" * len(tools)]
    for t in [t for t in targets if t in reference]:
        cells = []
        for tool in tools:
            row = rows.get((t, tool))
            if row is None:
                cells.append("—")
            elif row.get("findings") is None:
                cells.append(f"error ({row.get('error')})")
            else:
                f, ref = row["findings"], reference[t]
                pk = len({(p, v) for p, v, _ in f})
                cells.append(f"{len(f)} in {pk} pkgs (−{len(ref - f)} missed, +{len(f - ref)} extra)")
        refpk = len({(p, v) for p, v, _ in reference[t]})
        md.append(f"| {TARGET_DESC.get(t, t)} | {len(targets_pkgs[t])} | {len(reference[t])} in {refpk} pkgs | " + " | ".join(cells) + " |")
        summary["reference"][t] = sorted(map(list, reference[t]))

    md += ["", "Reference = osv_server.Database (OSV ECOSYSTEM ranges + explicit versions, PEP 440 ordering, "
           "withdrawn excluded) over the exact package list of each target.", ""]
    for t in [t for t in targets if t in reference]:
        per_tool = {tool: rows[(t, tool)].get("findings") for tool in tools
                    if (t, tool) in rows and rows[(t, tool)].get("findings") is not None}
        universe = set(reference[t]).union(*per_tool.values()) if per_tool else set(reference[t])
        diffs = []
        for key in sorted(universe):
            have = {tool: key in s for tool, s in per_tool.items()}
            inref = key in reference[t]
            if all(v == inref for v in have.values()):
                continue
            marks = " ".join(f"{tool}:{'Y' if v else '-'}" for tool, v in have.items())
            diffs.append(f"  {key[0]}=={key[1]} {key[2]}  ref:{'Y' if inref else '-'}  {marks}")
        md.append(f"### Disagreements on {TARGET_DESC.get(t, t)}: {len(diffs)}")
        if diffs:
            md.append("```")
            md += diffs[: a.max_diff_lines]
            if len(diffs) > a.max_diff_lines:
                md.append(f"  ... {len(diffs) - a.max_diff_lines} more in summary.json")
            md.append("```")
        for tool in per_tool:
            unk = rows[(t, tool)].get("unknown_ids")
            if unk:
                md.append(f"{tool}: {len(unk)} ids not in the DB (kept as-is): {', '.join(unk[:10])}")
        md.append("")

    text = "\n".join(md)
    print(text)
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "summary.md").write_text(text + "\n")
        (a.out / "summary.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

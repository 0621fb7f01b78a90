#!/usr/bin/env python3
"""Report for bench/sbom/run.sh: timings side by side, and the Python packages
each SBOM lists, compared.

  compare.py --runs RUNS.jsonl --env ENV_DIR [--out DIR]
  compare.py --env ENV_DIR --sbom NAME=FILE ...        (no timings; any SBOMs)

RUNS.jsonl has one record per timed row: {"name", "tool", "timing" (hyperfine
--export-json file), "output" (the SBOM the last run wrote), "command"}.

Package sets: the (name, version) pairs of the Python packages an SBOM lists,
names normalised per PEP 503 (lower case, runs of -_. to one "-") and versions
per PEP 440 when `packaging` is importable. CycloneDX JSON (components, nested
ones too; metadata.component, the described root, is left out), SPDX 2.x JSON
(packages; the ones the document DESCRIBES are left out when they carry no
pypi purl) and SPDX 3 JSON-LD (software_Package elements). A package counts as
Python when its purl is pkg:pypi/..., or, lacking a purl, by name and version.
The reference is the environment itself: importlib.metadata over its
site-packages, as `pip list` sees it.

Prints markdown; with --out also writes summary.md and summary.json there.
Standard library only (packaging optional).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path
from urllib.parse import unquote

sys.dont_write_bytecode = True

try:  # PEP 440 normal form, when available
    from packaging.version import InvalidVersion, Version

    def norm_version(v: str) -> str:
        try:
            return str(Version(v))
        except InvalidVersion:
            return v.strip()
except ImportError:  # pragma: no cover
    def norm_version(v: str) -> str:
        return v.strip()


def norm_name(n: str) -> str:
    """PEP 503."""
    return re.sub(r"[-_.]+", "-", n).lower()


Pkg = tuple[str, str]


def parse_purl(p: str) -> tuple[str, str, str] | None:
    """(type, name, version) of a purl; None if it is not one."""
    m = re.match(r"^pkg:([a-zA-Z.+-]+)/([^@?#]+)(?:@([^?#]+))?", p or "")
    if not m:
        return None
    typ, path, ver = m.group(1).lower(), unquote(m.group(2)), unquote(m.group(3) or "")
    name = path.rsplit("/", 1)[-1]
    return typ, name, ver


class Listing:
    def __init__(self) -> None:
        self.pkgs: set[Pkg] = set()
        self.non_python = 0  # entries with a purl of another type
        self.no_purl = 0  # Python packages identified by name/version only
        self.entries = 0

    def add(self, name: str | None, version: str | None, purl: str | None) -> None:
        self.entries += 1
        if purl:
            p = parse_purl(purl)
            if p and p[0] != "pypi":
                self.non_python += 1
                return
            if p:
                name, version = p[1], p[2] or version
        else:
            self.no_purl += 1
        if name:
            self.pkgs.add((norm_name(name), norm_version(version or "")))


def read_sbom(path: Path) -> tuple[str, Listing]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = Listing()
    if doc.get("bomFormat") == "CycloneDX":

        def walk(items) -> None:
            for c in items or []:
                out.add(c.get("name"), c.get("version"), c.get("purl"))
                walk(c.get("components"))

        walk(doc.get("components"))
        return f"CycloneDX {doc.get('specVersion')}", out
    if "spdxVersion" in doc:
        described = set(doc.get("documentDescribes") or [])
        for r in doc.get("relationships") or []:
            if r.get("spdxElementId") == doc.get("SPDXID") and r.get("relationshipType") == "DESCRIBES":
                described.add(r.get("relatedSpdxElement"))
        for p in doc.get("packages") or []:
            purl = next(
                (
                    r.get("referenceLocator")
                    for r in p.get("externalRefs") or []
                    if r.get("referenceType") == "purl"
                ),
                None,
            )
            if p.get("SPDXID") in described and not (purl or "").startswith("pkg:pypi/"):
                continue  # the described root (an environment, a project)
            out.add(p.get("name"), p.get("versionInfo"), purl)
        return doc["spdxVersion"], out
    if "@graph" in doc:
        for o in doc["@graph"]:
            if isinstance(o, dict) and o.get("type") == "software_Package":
                out.add(o.get("name"), o.get("software_packageVersion"), o.get("software_packageUrl"))
        return "SPDX 3 JSON-LD", out
    raise ValueError(f"{path}: not CycloneDX, SPDX 2 or SPDX 3 JSON")


def env_packages(env: Path) -> set[Pkg]:
    import importlib.metadata as md

    sites = [str(s) for s in env.glob("lib/python*/site-packages")]
    sites += [str(s) for s in env.glob("lib64/python*/site-packages") if str(s) not in sites]
    out = set()
    for d in md.distributions(path=sites):
        name = d.metadata["Name"]
        if name:
            out.add((norm_name(name), norm_version(d.version)))
    return out


def fmt_pkgs(pkgs: set[Pkg], limit: int = 25) -> str:
    items = [f"{n}=={v}" if v else n for n, v in sorted(pkgs)]
    more = f" … (+{len(items) - limit})" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "—"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path)
    ap.add_argument("--env", type=Path, required=True)
    ap.add_argument("--sbom", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--versions", type=Path, help="a text file printed at the top")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()

    rows: list[dict] = []
    if a.runs:
        for line in a.runs.read_text().splitlines():
            if line.strip():
                rows.append(json.loads(line))
    for s in a.sbom:
        name, _, f = s.partition("=")
        rows.append({"name": name, "tool": name, "output": f, "timing": None, "command": ""})

    md: list[str] = ["# SBOM generation: custody and peers", ""]
    if a.versions and a.versions.exists():
        md += ["```", a.versions.read_text().rstrip(), "```", ""]

    # --- timings ---
    custody_median = None
    for r in rows:
        r["median"] = r["mean"] = r["min"] = r["max"] = None
        r["runs"] = 0
        t = r.get("timing")
        if t and Path(t).exists():
            res = json.loads(Path(t).read_text())["results"][0]
            times = res.get("times") or []
            codes = res.get("exit_codes") or []
            r["runs"] = len(times)
            r["failed_runs"] = sum(1 for c in codes if c)
            if times:
                r["median"] = statistics.median(times)
                r["min"], r["max"] = min(times), max(times)
        if r["tool"] == "custody" and r["median"] is not None:
            custody_median = r["median"]
    if any(r.get("timing") for r in rows):
        md += [
            "## Time (wall clock)",
            "",
            "| row | runs | median s | min s | max s | ratio (row / custody) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in rows:
            if not r.get("timing"):
                continue
            med = r["median"]
            ratio = f"{med / custody_median:.1f}x" if med is not None and custody_median else "—"
            fail = f" ({r['failed_runs']} failed)" if r.get("failed_runs") else ""
            cell = lambda x: f"{x:.3f}" if x is not None else "—"  # noqa: E731
            md.append(
                f"| {r['name']} | {r['runs']}{fail} | {cell(med)} | {cell(r['min'])} | {cell(r['max'])} | {ratio} |"
            )
        if custody_median is None:
            md += ["", "custody was not timed (no `sbom` subcommand in CUSTODY_BIN, or it failed): no ratios."]
        md.append("")

    # --- package sets ---
    env = env_packages(a.env)
    listings: dict[str, tuple[str, Listing]] = {}
    errors: dict[str, str] = {}
    seen_outputs: set[str] = set()
    for r in rows:
        f = r.get("output")
        if not f or f in seen_outputs:
            continue
        seen_outputs.add(f)
        try:
            listings[r["name"]] = read_sbom(Path(f))
        except (OSError, ValueError) as e:
            errors[r["name"]] = str(e)

    md += [
        "## Python packages listed",
        "",
        f"Reference: the environment, {len(env)} distributions (importlib.metadata over {a.env}).",
        "",
        "| SBOM | format | entries | Python (name, version) | non-pypi purls | no purl | = env | missing from env | not in env |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, (fmt, L) in listings.items():
        md.append(
            f"| {name} | {fmt} | {L.entries} | {len(L.pkgs)} | {L.non_python} | {L.no_purl} "
            f"| {'yes' if L.pkgs == env else 'no'} | {len(env - L.pkgs)} | {len(L.pkgs - env)} |"
        )
    for name, err in errors.items():
        md.append(f"| {name} | unreadable: {err} | | | | | | | |")
    md.append("")

    base_name = next((n for n in listings if n.startswith("custody")), None)
    base = listings[base_name][1].pkgs if base_name else None
    summary: dict = {"env": sorted(map(list, env)), "tools": {}}
    for name, (fmt, L) in listings.items():
        summary["tools"][name] = {
            "format": fmt,
            "packages": len(L.pkgs),
            "missing_from_env": sorted(map(list, env - L.pkgs)),
            "not_in_env": sorted(map(list, L.pkgs - env)),
        }
    md += ["## Differences", ""]
    if base is None:
        md += ["custody produced no SBOM: each tool against the environment.", ""]
    for name, (fmt, L) in listings.items():
        if name == base_name:
            continue
        md.append(f"### {name}")
        md.append("")
        if base is not None:
            md.append(f"- lists, custody does not ({len(L.pkgs - base)}): {fmt_pkgs(L.pkgs - base)}")
            md.append(f"- custody lists, {name} does not ({len(base - L.pkgs)}): {fmt_pkgs(base - L.pkgs)}")
            summary["tools"][name]["not_in_custody"] = sorted(map(list, L.pkgs - base))
            summary["tools"][name]["custody_only"] = sorted(map(list, base - L.pkgs))
        md.append(f"- lists, not installed in the env ({len(L.pkgs - env)}): {fmt_pkgs(L.pkgs - env)}")
        md.append(f"- installed, not listed ({len(env - L.pkgs)}): {fmt_pkgs(env - L.pkgs)}")
        md.append("")
    if base_name:
        L = listings[base_name][1]
        md.append(f"### {base_name}")
        md.append("")
        md.append(f"- lists, not installed in the env ({len(L.pkgs - env)}): {fmt_pkgs(L.pkgs - env)}")
        md.append(f"- installed, not listed ({len(env - L.pkgs)}): {fmt_pkgs(env - L.pkgs)}")
        md.append("")

    text = "\n".join(md)
    print(text)
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "summary.md").write_text(text + "\n")
        summary["timings"] = [
            {k: r.get(k) for k in ("name", "tool", "command", "runs", "median", "min", "max")} for r in rows
        ]
        (a.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reference matcher for the npm benchmark: OSV semantics, written for clarity.

    python3 bench/npm/refscan.py --osv DIR TARGET [--json OUT]

TARGET is a package-lock.json / npm-shrinkwrap.json (every entry under
`packages`, or `dependencies` for lockfileVersion 1, links and the root left
out) or a node_modules folder / project folder (every package folder's
package.json: node_modules/<name>, node_modules/@scope/<name>, nested
node_modules, pnpm's .pnpm store; symbolic links not followed). Each
(name, version) is matched against every OSV record whose `affected[]` names
the npm package: `versions` lists, and SEMVER / ECOSYSTEM ranges evaluated with
the OSV algorithm (events sorted by SemVer 2.0 precedence; introduced opens,
fixed closes before, last_affected closes after). Withdrawn records are skipped.

It is the ground truth the benchmark compares every tool with (same records,
same packages), and a naive timing row: it is not a product.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

_SV = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def sv_key(v: str):
    """SemVer 2.0 precedence key; versions that do not parse sort by text after."""
    m = _SV.match(v.strip())
    if not m:
        return (1, v)
    pre = m[4]
    if pre is None:
        pk = (1,)
    else:
        pk = (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return (0, int(m[1]), int(m[2]), int(m[3]), pk)


def affected_by(version: str, aff: dict) -> bool:
    if version in (aff.get("versions") or []):
        return True
    vk = sv_key(version)
    if vk[0]:
        return False
    for r in aff.get("ranges") or []:
        if r.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue
        evs = []
        for e in r.get("events") or []:
            for kind in ("introduced", "fixed", "last_affected", "limit"):
                if kind in e:
                    val = e[kind]
                    k = (0, -1) if (kind == "introduced" and val == "0") else sv_key(val)
                    evs.append((k, kind))
        evs.sort(key=lambda x: x[0])
        inside = False
        for k, kind in evs:
            if kind == "introduced":
                if k <= vk:
                    inside = True
            elif kind == "fixed":
                if k <= vk:
                    inside = False
            elif kind == "last_affected":
                if k < vk:
                    inside = False
            elif kind == "limit":
                if k <= vk:
                    inside = False
        if inside:
            return True
    return False


def load_osv(folder: Path) -> dict[str, list[tuple[str, dict]]]:
    """npm package name -> [(record id, affected entry)]."""
    idx: dict[str, list[tuple[str, dict]]] = {}
    for f in folder.rglob("*.json"):
        rec = json.loads(f.read_text())
        if rec.get("withdrawn"):
            continue
        for aff in rec.get("affected") or []:
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") == "npm" and pkg.get("name"):
                idx.setdefault(pkg["name"], []).append((rec["id"], aff))
    return idx


def lock_packages(lock: Path) -> set[tuple[str, str]]:
    d = json.loads(lock.read_text())
    out = set()
    if d.get("packages"):
        for key, meta in d["packages"].items():
            if not key or "node_modules/" not in key or meta.get("link"):
                continue
            name = meta.get("name") or key.rsplit("node_modules/", 1)[1]
            if meta.get("version"):
                out.add((name, meta["version"]))
    else:
        def walk(deps):
            for name, meta in (deps or {}).items():
                v = meta.get("version", "")
                if v and not v.startswith(("file:", "git", "http", "link:")):
                    out.add((name, v))
                walk(meta.get("dependencies"))
        walk(d.get("dependencies"))
    return out


def tree_packages(path: Path) -> set[tuple[str, str]]:
    nm = path if path.name == "node_modules" else path / "node_modules"
    out = set()

    def package(folder: Path):
        pj = folder / "package.json"
        try:
            meta = json.loads(pj.read_text())
        except (OSError, ValueError):
            return
        if isinstance(meta, dict) and meta.get("name") and meta.get("version"):
            out.add((meta["name"], meta["version"]))
        sub = folder / "node_modules"
        if sub.is_dir() and not sub.is_symlink():
            walk(sub)

    def walk(d: Path):
        with os.scandir(d) as it:
            for e in it:
                if not e.is_dir(follow_symlinks=False):
                    continue
                if e.name == ".pnpm":
                    with os.scandir(e.path) as st:
                        for s in st:
                            inner = Path(s.path) / "node_modules"
                            if s.is_dir(follow_symlinks=False) and inner.is_dir():
                                walk(inner)
                elif e.name.startswith("."):
                    continue
                elif e.name.startswith("@"):
                    with os.scandir(e.path) as st:
                        for s in st:
                            if s.is_dir(follow_symlinks=False):
                                package(Path(s.path))
                else:
                    package(Path(e.path))

    walk(nm)
    return out


def packages_of(target: Path) -> set[tuple[str, str]]:
    return tree_packages(target) if target.is_dir() else lock_packages(target)


def scan(osv: Path, target: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    idx = load_osv(osv)
    pkgs = packages_of(target)
    found = set()
    for name, version in pkgs:
        for rid, aff in idx.get(name, ()):
            if affected_by(version, aff):
                found.add((name, version, rid))
    return pkgs, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osv", type=Path, required=True)
    ap.add_argument("target", type=Path)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    pkgs, found = scan(a.osv, a.target)
    doc = dict(packages=len(pkgs), findings=[dict(package=n, version=v, id=i) for n, v, i in sorted(found)])
    text = json.dumps(doc, indent=1)
    if a.json:
        a.json.write_text(text)
    else:
        print(text)
    print(f"[refscan] {len(pkgs)} packages, {len(found)} findings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

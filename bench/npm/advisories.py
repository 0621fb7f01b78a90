#!/usr/bin/env python3
"""Advisory data for the npm benchmark: OSV records (ecosystem npm) in one folder.

    python3 bench/npm/advisories.py fetch   [--lock L] [--out /tmp/bench-npm]
    python3 bench/npm/advisories.py synth   [--lock L] [--out /tmp/bench-npm] [--noise 4000]
    python3 bench/npm/advisories.py convert [--out /tmp/bench-npm]

fetch   POSTs every package name of the lockfile, with the versions the lockfile
        has of it, to npm's bulk advisory endpoint
        (registry.npmjs.org/-/npm/v1/security/advisories/bulk, what `npm audit`
        uses), 100 names a request, and caches each raw answer in OUT/raw/;
        reruns reuse the cache and do not touch the network. Then `convert`.
        On this workplace the registry answers that endpoint with
        "405 Method Not Allowed" (GET/HEAD only): fetch records the answer in
        OUT/raw/ERROR.json and exits 2.
synth   The fallback: writes SYNTHETIC answers in the same shape into
        OUT/raw/synthetic.json (ids CUSTODY-BENCH-*, not real advisories):
        for about a quarter of the lockfile's names one to three advisories
        whose ranges sit on, just inside and just outside the installed
        versions (hits, boundary misses, exact versions, unions, `<=`), plus
        NOISE advisories on names the project does not use, so the database has
        a realistic size. Then `convert`.
convert Turns every cached answer in OUT/raw/*.json into OSV JSON, one file per
        advisory in OUT/osv/ (emptied first): ranges convert to SEMVER events
        only where npm's `vulnerable_versions` is a union (`||`) of
        `>=a <b`, `>=a <=b`, `<b`, `<=b`, `>=a`, `=v` / `v` or `*`; anything
        else (`>a`, `^`, `~`, hyphen or x-ranges) is skipped and counted. Each
        interval becomes its own `affected` entry, as GitHub's own OSV export
        does. Note: npm's semver excludes prereleases from `<b` unless the
        comparator names the same major.minor.patch; OSV SEMVER does not;
        GitHub's export has the same difference.

Standard library only.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

BULK = "https://registry.npmjs.org/-/npm/v1/security/advisories/bulk"
HERE = Path(__file__).resolve().parent
SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
COMP = re.compile(r"^(>=|<=|<|>|=)?\s*(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


def lock_packages(lock: Path) -> dict[str, list[str]]:
    d = json.loads(lock.read_text())
    out: dict[str, set[str]] = {}
    pk = d.get("packages")
    if pk:
        for key, meta in pk.items():
            if not key or "node_modules/" not in key or meta.get("link"):
                continue
            name = meta.get("name") or key.rsplit("node_modules/", 1)[1]
            if meta.get("version"):
                out.setdefault(name, set()).add(meta["version"])
    else:  # lockfileVersion 1
        def walk(deps):
            for name, meta in (deps or {}).items():
                if meta.get("version") and not meta["version"].startswith(("file:", "git")):
                    out.setdefault(name, set()).add(meta["version"])
                walk(meta.get("dependencies"))
        walk(d.get("dependencies"))
    return {n: sorted(v) for n, v in sorted(out.items())}


# --- fetch ---------------------------------------------------------------------
def fetch(args) -> int:
    raw = args.out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    pkgs = lock_packages(args.lock)
    names = list(pkgs)
    print(f"[advisories] {len(names)} names, {sum(map(len, pkgs.values()))} versions from {args.lock}",
          file=sys.stderr)
    for i in range(0, len(names), 100):
        body = {n: pkgs[n] for n in names[i:i + 100]}
        blob = json.dumps(body, sort_keys=True).encode()
        f = raw / f"bulk-{hashlib.sha256(blob).hexdigest()[:16]}.json"
        if f.exists():
            continue
        req = urllib.request.Request(BULK, data=blob, method="POST",
                                     headers={"content-type": "application/json",
                                              "user-agent": "custody-bench"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                f.write_bytes(r.read())
        except urllib.error.HTTPError as e:
            err = dict(url=BULK, status=e.code, reason=str(e.reason),
                       allow=e.headers.get("allow"), body=e.read()[:2000].decode("utf-8", "replace"))
            (raw / "ERROR.json").write_text(json.dumps(err, indent=2))
            print(f"[advisories] {BULK}: HTTP {e.code} {e.reason} (allow: {err['allow']}); "
                  f"recorded in {raw/'ERROR.json'}. Use `synth` for synthetic records.", file=sys.stderr)
            return 2
        except OSError as e:
            print(f"[advisories] {BULK}: {e}", file=sys.stderr)
            return 2
    (raw / "ERROR.json").unlink(missing_ok=True)
    return convert(args)


# --- synth ---------------------------------------------------------------------
def parse(v: str):
    m = SEMVER.match(v)
    return (int(m[1]), int(m[2]), int(m[3]), m[4]) if m else None


def fmt(t) -> str:
    return f"{t[0]}.{t[1]}.{t[2]}"


def synth(args) -> int:
    raw = args.out / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir(parents=True)
    pkgs = lock_packages(args.lock)
    answer: dict[str, list[dict]] = {}
    n = 0

    def add(name, rng, title):
        nonlocal n
        n += 1
        answer.setdefault(name, []).append(dict(
            id=900000 + n, url=f"https://example.invalid/CUSTODY-BENCH-{n:05d}",
            title=f"SYNTHETIC benchmark advisory ({title}), not a real vulnerability",
            severity=["low", "moderate", "high", "critical"][n % 4],
            vulnerable_versions=rng, cwe=[], cvss={"score": 0, "vectorString": None}))

    for name, versions in pkgs.items():
        h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
        if h % 4:
            continue
        vs = [t for t in map(parse, versions) if t and not t[3]]
        if not vs:
            continue
        lo, hi = min(vs), max(vs)
        shape = (h >> 8) % 8
        nxt = (hi[0], hi[1], hi[2] + 1)
        if shape == 0:
            add(name, f"<{fmt(nxt)}", "hit: below the next patch")
        elif shape == 1:
            add(name, f"<{fmt(lo)}", "miss: fixed in the installed version")
        elif shape == 2:
            add(name, f"<={fmt(hi)}", "hit: last_affected is the installed version")
        elif shape == 3:
            add(name, f">={fmt((hi[0], hi[1] + 1, 0))}", "miss: introduced after")
        elif shape == 4:
            add(name, f"{fmt(hi)}", "hit: exact version")
        elif shape == 5:
            add(name, f">=0.0.1 <{fmt((lo[0], lo[1], 0)) if lo[1] or lo[2] else '0.0.1'} || "
                      f">={fmt(hi)} <{fmt((hi[0] + 1, 0, 0))}", "union, second interval hits")
        elif shape == 6:
            add(name, f">{fmt(lo)} <{fmt((hi[0] + 1, 0, 0))}", "not convertible (>)")
            add(name, f">={fmt(lo)} <={fmt(hi)}", "hit: closed interval")
        else:
            add(name, f"^{fmt(hi)}", "not convertible (^)")
            add(name, "*", "hit: every version")
    for i in range(args.noise):
        add(f"bench-noise-{i:05d}", f"<{1 + i % 7}.{i % 13}.{i % 5}", "noise")
    (raw / "synthetic.json").write_text(json.dumps(answer, indent=1, sort_keys=True))
    print(f"[advisories] SYNTHETIC: {n} advisories on {len(answer)} names "
          f"({args.noise} noise) -> {raw/'synthetic.json'}", file=sys.stderr)
    return convert(args)


# --- convert -------------------------------------------------------------------
def intervals(rng: str):
    """npm range -> list of (introduced, fixed, last_affected) or None."""
    out = []
    for part in rng.split("||"):
        part = part.strip()
        if part in ("*", "", ">=0", ">=0.0.0"):
            out.append(("0", None, None))
            continue
        comps = []
        for tok in re.sub(r"(>=|<=|<|>|=)\s+", r"\1", part).split():
            m = COMP.match(tok)
            if not m:
                return None
            comps.append((m[1] or "=", m[2].lstrip("v")))
        ops = [c[0] for c in comps]
        if ops == ["="]:
            out.append((comps[0][1], None, comps[0][1]))
        elif ops == ["<"]:
            out.append(("0", comps[0][1], None))
        elif ops == ["<="]:
            out.append(("0", None, comps[0][1]))
        elif ops == [">="]:
            out.append((comps[0][1], None, None))
        elif ops == [">=", "<"]:
            out.append((comps[0][1], comps[1][1], None))
        elif ops == [">=", "<="]:
            out.append((comps[0][1], None, comps[1][1]))
        else:
            return None
    return out


def convert(args) -> int:
    raw, osv = args.out / "raw", args.out / "osv"
    if osv.exists():
        shutil.rmtree(osv)
    osv.mkdir(parents=True)
    recs: dict[str, dict] = {}
    skipped: list[dict] = []
    seen = 0
    for f in sorted(raw.glob("*.json")):
        if f.name == "ERROR.json":
            continue
        # npm's answers carry no dates: `modified` is when the answer was cached
        modified = datetime.fromtimestamp(f.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name, advs in json.loads(f.read_text()).items():
            for a in advs:
                seen += 1
                gid = a.get("url", "").rstrip("/").rsplit("/", 1)[-1] or f"NPM-{a['id']}"
                iv = intervals(a.get("vulnerable_versions", ""))
                if iv is None:
                    skipped.append(dict(id=gid, name=name, range=a.get("vulnerable_versions")))
                    continue
                rec = recs.setdefault(gid, dict(
                    schema_version="1.6.0", id=gid, modified=modified,
                    summary=a.get("title", ""), aliases=[], affected=[],
                    references=[dict(type="ADVISORY", url=a["url"])] if a.get("url") else [],
                    database_specific=dict(severity=(a.get("severity") or "").upper(),
                                           cwe_ids=a.get("cwe") or [], npm_source=a.get("id"))))
                for intro, fixed, last in iv:
                    ev = [dict(introduced=intro)]
                    if fixed:
                        ev.append(dict(fixed=fixed))
                    if last:
                        ev.append(dict(last_affected=last))
                    aff = dict(package=dict(ecosystem="npm", name=name, purl=purl(name)),
                               ranges=[dict(type="SEMVER", events=ev)],
                               database_specific=dict(source_vulnerable_versions=a["vulnerable_versions"]))
                    if aff not in rec["affected"]:
                        rec["affected"].append(aff)
    for gid, rec in recs.items():
        (osv / f"{gid}.json").write_text(json.dumps(rec, indent=1))
    (args.out / "skipped.json").write_text(json.dumps(skipped, indent=1))
    print(f"[advisories] {seen} advisories read, {len(recs)} OSV records written to {osv}, "
          f"{len(skipped)} skipped (range not convertible exactly; see {args.out/'skipped.json'})",
          file=sys.stderr)
    return 0


def purl(name: str) -> str:
    return "pkg:npm/" + name.replace("@", "%40", 1) if name.startswith("@") else "pkg:npm/" + name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["fetch", "synth", "convert"])
    ap.add_argument("--lock", type=Path, default=HERE / "project" / "package-lock.json")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-npm"))
    ap.add_argument("--noise", type=int, default=4000)
    args = ap.parse_args()
    return dict(fetch=fetch, synth=synth, convert=convert)[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Did a change to custody-inspect move any verdict, score or finding?

  snapshot BIN OUT   run `BIN inspect --format json` over every archive of
                     the development corpus (read as archives, never run),
                     the top-1000 set, ranks 3,001-4,000 and fixtures/wheels,
                     and write OUT/<set>.jsonl: one line per archive with
                     verdict, score, reasons and findings (code, level,
                     phase, path, line, message), sorted
  compare OLD NEW    count differences per set and print the first ones;
                     exit 1 when a verdict, score or finding (code, level,
                     phase, path, line) differs; message and reason wording
                     is counted and shown but does not fail

Sets come from the cache of bench/inspect/fetch-top.sh
($CUSTODY_BENCH_CACHE, default ~/.cache/custody-bench); a missing set is
skipped with a note. Two processes of 50 archives each.

  python3 bench/inspect/rules_before_after.py snapshot /tmp/custody-old /tmp/rules-old
  python3 bench/inspect/rules_before_after.py snapshot target/release/custody /tmp/rules-new
  python3 bench/inspect/rules_before_after.py compare /tmp/rules-old /tmp/rules-new
"""
import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("CUSTODY_BENCH_CACHE", Path.home() / ".cache/custody-bench"))
CORPUS = ROOT.parent / "shared/corpus/pypi-malicious-dev"
CHUNK = 50


def sets() -> dict:
    out = {}
    if CORPUS.is_dir():
        out["corpus"] = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file())
    for name in ("top1000", "ranks3001-4000"):
        m = CACHE / name / "manifest.tsv"
        if not m.is_file():
            print(f"note: {m} missing (bench/inspect/fetch-top.sh): set {name} skipped", file=sys.stderr)
            continue
        paths = []
        for row in m.read_text().splitlines()[1:]:
            f = row.split("\t")
            if len(f) > 8 and f[8].startswith("ok"):
                paths.append(str(CACHE / name / f[1] / f[3]))
        out[name] = sorted(paths)
    wheels = ROOT / "fixtures/wheels"
    if wheels.is_dir():
        out["fixtures-wheels"] = sorted(str(p) for p in wheels.iterdir() if p.is_file())
    return out


def run_chunk(bin_: str, paths: list) -> list:
    p = subprocess.run([bin_, "inspect", "--format", "json", "--", *paths],
                       capture_output=True, text=True, check=False)
    if p.returncode > 2:
        raise SystemExit(f"{bin_} exited {p.returncode}: {p.stderr[-2000:]}")
    doc = json.loads(p.stdout)
    rows = []
    for r in doc["reports"]:
        rows.append({
            "path": r["path"],
            "verdict": r["verdict"],
            "score": r["score"],
            "reasons": r.get("reasons", []),
            "findings": sorted(
                [[f["code"], f["level"], f.get("phase"), f.get("path"), f.get("line"), f.get("message")]
                 for f in r.get("findings", [])],
                key=lambda x: json.dumps(x)),
        })
    for e in doc.get("errors", []):
        rows.append({"path": e.get("path"), "error": e.get("message", e)})
    return rows


def snapshot(bin_: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, paths in sets().items():
        chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            rows = [r for part in pool.map(lambda c: run_chunk(bin_, c), chunks) for r in part]
        rows.sort(key=lambda r: r["path"] or "")
        with open(out / f"{name}.jsonl", "w") as fh:
            for r in rows:
                fh.write(json.dumps(r, sort_keys=True) + "\n")
        print(f"{name}: {len(rows)} archives", file=sys.stderr)


def load(p: Path) -> dict:
    return {r["path"]: r for r in map(json.loads, p.read_text().splitlines())}


def compare(old: Path, new: Path) -> int:
    failed = False
    for f in sorted(old.glob("*.jsonl")):
        g = new / f.name
        if not g.is_file():
            print(f"{f.stem}: missing in {new}")
            failed = True
            continue
        a, b = load(f), load(g)
        counts = {"archives": len(a), "only-old": 0, "only-new": 0, "error": 0, "verdict": 0,
                  "score": 0, "findings": 0, "wording": 0}
        shown = []
        for path in sorted(set(a) | set(b)):
            if path not in b:
                counts["only-old"] += 1
                continue
            if path not in a:
                counts["only-new"] += 1
                continue
            x, y = a[path], b[path]
            if x.get("error") != y.get("error"):
                counts["error"] += 1
                shown.append((path, "error", x.get("error"), y.get("error")))
                continue
            if "error" in x:
                continue
            strict = lambda r: [fd[:5] for fd in r["findings"]]
            for key in ("verdict", "score"):
                if x[key] != y[key]:
                    counts[key] += 1
                    shown.append((path, key, x[key], y[key]))
            if strict(x) != strict(y):
                counts["findings"] += 1
                shown.append((path, "findings", [s for s in strict(x) if s not in strict(y)],
                              [s for s in strict(y) if s not in strict(x)]))
            elif x["findings"] != y["findings"] or x["reasons"] != y["reasons"]:
                counts["wording"] += 1
                if len([s for s in shown if s[1] == "wording"]) < 5:
                    shown.append((path, "wording", x["reasons"], y["reasons"]))
        hard = sum(counts[k] for k in ("only-old", "only-new", "error", "verdict", "score", "findings"))
        failed |= hard > 0
        print(f"{f.stem}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              + ("  IDENTICAL" if hard == 0 and counts["wording"] == 0 else ""))
        for s in shown[:20]:
            print(f"  {s[0]}: {s[1]}: {json.dumps(s[2])[:300]} -> {json.dumps(s[3])[:300]}")
    return 1 if failed else 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], Path(sys.argv[3]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

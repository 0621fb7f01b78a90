#!/usr/bin/env python3
"""Run GuardDog 3.2 (`guarddog pypi scan <archive> --output-format json`) over many
local archives, offline, and record one JSON line per archive.

    python3 run.py --list paths.txt --out results.jsonl [--workers 2] [--timeout 120]
    find DIR -name '*.whl' | python3 run.py --out results.jsonl

Each archive gets its own `guarddog` process (as a user would run it), its own TMPDIR
(GuardDog extracts there; removed afterwards) and a per-package timeout (process group
killed). Offline by construction:
  * HTTP(S)_PROXY / ALL_PROXY point at a refusing port (127.0.0.1:9);
  * GUARDDOG_TOP_PACKAGES_CACHE_LOCATION points at a copy of GuardDog's bundled
    top-package lists re-stamped "downloaded now", so the typosquatting detectors do
    not try their 30-day refresh (github.com, hugovk.github.io, packages.ecosyste.ms)
    at start-up. The lists themselves are GuardDog's bundled ones, unchanged.
  * no --metadata is passed, so only the YARA source-code rules run (no PyPI JSON,
    whois/DNS, or git clone).

Verdicts recorded per archive:
  flagged_any     GuardDog's `--exit-non-zero-on-finding` notion: issues > 0 (any rule,
                  including the informational capability-* rules)
  flagged_threat  at least one threat-* rule matched
  flagged_risk    GuardDog 3.x risk label is "suspicious" or "high_risk"
  risk_score / risk_label as printed by GuardDog.
Only the standard library is used, so any python3 can run this file.
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

DEFAULT_GUARDDOG = os.path.join(
    os.environ.get("BENCH_TOOLS", "/tmp/bench-tools"), "guarddog", "bin", "guarddog"
)
REFUSING_PROXY = "http://127.0.0.1:9"
FLAG_LABELS = {"suspicious", "high_risk"}


def prepare_top_packages_cache(guarddog_bin: str, dest: str) -> None:
    """Copy GuardDog's bundled top_*_packages.json into dest, stamped as fresh."""
    py = os.path.join(os.path.dirname(guarddog_bin), "python")
    # find_spec locates the package without executing it: `import guarddog` would build
    # the typosquatting detectors and try their network refresh.
    code = (
        "import importlib.util, os; s = importlib.util.find_spec('guarddog');"
        " print(os.path.join(s.submodule_search_locations[0], 'analyzer', 'metadata', 'resources'))"
    )
    src = subprocess.run([py, "-c", code], check=True, capture_output=True, text=True,
                         env=child_env(dest, tempfile.gettempdir())).stdout.strip()
    os.makedirs(dest, exist_ok=True)
    now = int(time.time())
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if name.startswith("top_") and name.endswith(".json"):
            with open(path) as f:
                data = json.load(f)
            if isinstance(data, list):
                data = {"packages": data}
            data["downloaded_timestamp"] = now
            with open(os.path.join(dest, name), "w") as f:
                json.dump(data, f)
        elif os.path.isfile(path):
            shutil.copyfile(path, os.path.join(dest, name))


def child_env(cache_dir: str, tmpdir: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[k] = REFUSING_PROXY
    env["GUARDDOG_TOP_PACKAGES_CACHE_LOCATION"] = cache_dir
    env["TMPDIR"] = tmpdir
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scan_one(path: str, args, cache_dir: str, work_root: str) -> dict:
    rec = {"path": path, "size": None, "sha256": None, "wall_ms": None, "exit_code": None,
           "timed_out": False, "error": None, "issues": None, "rules": {},
           "threat_rules": [], "capability_rules": [], "rule_errors": {},
           "risk_score": None, "risk_label": None,
           "flagged_any": None, "flagged_threat": None, "flagged_risk": None}
    try:
        rec["size"] = os.path.getsize(path)
        rec["sha256"] = sha256(path)
    except OSError as e:
        rec["error"] = f"unreadable: {e}"
        return rec
    tmpdir = tempfile.mkdtemp(prefix="gd-", dir=work_root)
    cmd = [args.guarddog, "pypi", "scan", os.path.abspath(path), "--output-format", "json"]
    if args.no_sandbox:
        cmd.append("--no-sandbox")
    for r in args.exclude_rule or []:
        cmd += ["-x", r]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=child_env(cache_dir, tmpdir),
                            cwd=tmpdir, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        rec["timed_out"] = True
    rec["wall_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    rec["exit_code"] = proc.returncode
    shutil.rmtree(tmpdir, ignore_errors=True)
    stderr = err.decode("utf-8", "replace").strip()
    if rec["timed_out"]:
        rec["error"] = f"timeout after {args.timeout}s"
        return rec
    try:
        report = json.loads(out.decode("utf-8", "replace"))
    except ValueError:
        rec["error"] = ("no JSON on stdout; stderr: " + stderr[-800:]) if stderr else "no JSON on stdout"
        return rec
    if stderr:
        rec["stderr_tail"] = stderr[-400:]
    results = report.get("results") or {}
    rules = {name: len(hits) for name, hits in results.items() if hits}
    rec["rules"] = dict(sorted(rules.items()))
    rec["threat_rules"] = sorted(r for r in rules if not r.startswith("capability-"))
    rec["capability_rules"] = sorted(r for r in rules if r.startswith("capability-"))
    rec["rule_errors"] = report.get("errors") or {}
    rec["issues"] = report.get("issues", 0)
    rs = report.get("risk_score") or {}
    rec["risk_score"] = rs.get("score")
    rec["risk_label"] = rs.get("label")
    rec["flagged_any"] = bool(rec["issues"])
    rec["flagged_threat"] = bool(rec["threat_rules"])
    rec["flagged_risk"] = rec["risk_label"] in FLAG_LABELS
    if rec["exit_code"] != 0:
        rec["error"] = f"exit {rec['exit_code']}: " + stderr[-400:]
    return rec


def summarize(recs: list, elapsed: float, workers: int) -> str:
    n = len(recs)
    ok = [r for r in recs if r["error"] is None]
    walls = [r["wall_ms"] for r in recs if r["wall_ms"] is not None]
    lines = [f"packages: {n}  ok: {len(ok)}  errors: {sum(1 for r in recs if r['error'] and not r['timed_out'])}"
             f"  timeouts: {sum(1 for r in recs if r['timed_out'])}  workers: {workers}"]
    if walls:
        q = statistics.quantiles(walls, n=20, method="inclusive") if len(walls) >= 2 else [walls[0]] * 19
        lines.append(f"elapsed: {elapsed:.1f} s  throughput: {n / elapsed:.2f} packages/s  "
                     f"per package ms: median {statistics.median(walls):.0f}  p95 {q[18]:.0f}  "
                     f"max {max(walls):.0f}  sum {sum(walls) / 1000:.1f} s")
    if ok:
        for key in ("flagged_any", "flagged_threat", "flagged_risk"):
            k = sum(1 for r in ok if r[key])
            lines.append(f"{key:15s} {k}/{len(ok)} = {k / len(ok):.0%}")
        labels = Counter(r["risk_label"] for r in ok)
        lines.append("risk labels: " + ", ".join(f"{l}={c}" for l, c in labels.most_common()))
        pk = Counter(r for rec in ok for r in rec["rules"])
        lines.append("rules (packages matched): " + ", ".join(f"{r}={c}" for r, c in pk.most_common()))
        rerr = Counter(r for rec in ok for r in rec["rule_errors"])
        if rerr:
            lines.append("rule errors: " + ", ".join(f"{r}={c}" for r, c in rerr.most_common()))
    for r in recs:
        if r["error"]:
            lines.append(f"ERROR {r['path']}: {r['error'][:200]}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", help="file with one archive path per line (default: stdin)")
    ap.add_argument("--out", required=True, help="JSONL output (overwritten)")
    ap.add_argument("--workers", type=int, default=2, help="parallel guarddog processes (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="per-package timeout, s (default 120)")
    ap.add_argument("--guarddog", default=DEFAULT_GUARDDOG, help=f"CLI path (default {DEFAULT_GUARDDOG})")
    ap.add_argument("--no-sandbox", action="store_true",
                    help="pass --no-sandbox (needed where nono/Landlock is unavailable)")
    ap.add_argument("-x", "--exclude-rule", action="append", help="pass -x RULE to guarddog (repeatable)")
    ap.add_argument("--summary", help="also write the summary to this file")
    args = ap.parse_args()

    src = open(args.list) if args.list else sys.stdin
    paths = [ln.strip() for ln in src if ln.strip() and not ln.startswith("#")]
    if not paths:
        print("run.py: no paths given", file=sys.stderr)
        return 2
    if not os.access(args.guarddog, os.X_OK):
        print(f"run.py: {args.guarddog} not found; run setup.sh", file=sys.stderr)
        return 2

    work_root = tempfile.mkdtemp(prefix="guarddog-run-")
    cache_dir = os.path.join(work_root, "top-packages")
    prepare_top_packages_cache(args.guarddog, cache_dir)
    version = subprocess.run([args.guarddog, "--version"], capture_output=True, text=True,
                             env=child_env(cache_dir, work_root)).stdout.strip()

    recs = [None] * len(paths)
    t0 = time.perf_counter()
    try:
        with cf.ThreadPoolExecutor(max_workers=max(1, args.workers)) as ex, open(args.out, "w") as out:
            futs = {ex.submit(scan_one, p, args, cache_dir, work_root): i for i, p in enumerate(paths)}
            for done, fut in enumerate(cf.as_completed(futs), 1):
                i = futs[fut]
                recs[i] = fut.result()
                recs[i]["guarddog_version"] = version
                out.write(json.dumps(recs[i], sort_keys=True) + "\n")
                out.flush()
                if done % 10 == 0 or done == len(paths):
                    print(f"[{done}/{len(paths)}] {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    elapsed = time.perf_counter() - t0
    text = f"guarddog {version}\n" + summarize(recs, elapsed, args.workers)
    print(text)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Minimal stand-in for hyperfine, used by run.sh when hyperfine is not installed.

  timer.py --runs N [--warmup W] [--prepare CMD] --export-json OUT CMD

Runs CMD through `sh -c` (like hyperfine's default shell), W unmeasured warm-up
runs first, then N measured runs, each preceded by PREPARE (not timed). Writes
the subset of hyperfine's --export-json format that compare.py reads. Non-zero
exit codes are recorded, not fatal (like hyperfine -i).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def _child_cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime, r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--prepare")
    ap.add_argument("--export-json", required=True)
    ap.add_argument("command")
    a = ap.parse_args()

    def run(cmd: str) -> int:
        return subprocess.run(["sh", "-c", cmd], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode

    for _ in range(a.warmup):
        if a.prepare:
            run(a.prepare)
        run(a.command)
    times, users, systems, codes = [], [], [], []
    for _ in range(a.runs):
        if a.prepare:
            run(a.prepare)
        u0, s0 = _child_cpu()
        t0 = time.perf_counter()
        codes.append(run(a.command))
        times.append(time.perf_counter() - t0)
        u1, s1 = _child_cpu()
        users.append(u1 - u0)
        systems.append(s1 - s0)
    res = {
        "command": a.command,
        "mean": statistics.mean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else None,
        "median": statistics.median(times),
        "user": statistics.mean(users),
        "system": statistics.mean(systems),
        "min": min(times),
        "max": max(times),
        "times": times,
        "exit_codes": codes,
    }
    with open(a.export_json, "w") as fh:
        json.dump({"results": [res], "timer": "bench/scan/timer.py"}, fh, indent=1)
    print(f"  median {res['median']:.3f} s  (min {res['min']:.3f}, max {res['max']:.3f}, "
          f"n={a.runs}, exit codes {sorted(set(codes))})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

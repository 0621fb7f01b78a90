#!/usr/bin/env python3
"""custody run overhead, side by side with the same step run plainly.

Usage: python3 bench/run/run.py [--custody target/release/custody] [--n 40] [--data-gib 1]

1. Start-up: `python3 -c pass` plainly, under `custody run` (the default:
   the supervisor records every open, execution and network attempt) and
   under `custody run --no-observe`, interleaved, N times each; median and
   p90 wall time and the overhead in ms.
2. A data step: Python hashes a file of DATA GiB (SHA-256, 1 MiB reads),
   plainly and under `custody run --input FILE`, 3 times each (warm cache);
   median wall time and the overhead in %.
3. An open-heavy step: Python reads 10,000 files of 1 byte, plainly, under
   `custody run` and under `custody run --no-observe`, 5 times each: what
   the supervisor's round trip per open costs.
Prints a markdown report with a run header.
"""
import argparse, hashlib, os, platform, statistics, subprocess, sys, tempfile, time

def header(custody):
    load = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    sha = hashlib.sha256(open(custody, "rb").read()).hexdigest()[:12]
    return (f"Run of {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: {os.cpu_count()} cores ({cpu}), "
            f"Linux {platform.release()}, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
            f"custody binary sha256 {sha}, Python {platform.python_version()} ({sys.executable})")

def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}")
    return dt

def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--custody", default="target/release/custody")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--data-gib", type=float, default=1.0)
    a = ap.parse_args()
    custody = os.path.abspath(a.custody)
    py = sys.executable  # the real interpreter, not a shim
    print(header(custody) + "\n")
    plain, boxed, quiet = [], [], []
    for _ in range(3):  # warm-up
        timed([py, "-c", "pass"]); timed([custody, "run", "--", py, "-c", "pass"])
    for _ in range(a.n):
        plain.append(timed([py, "-c", "pass"]))
        boxed.append(timed([custody, "run", "--", py, "-c", "pass"]))
        quiet.append(timed([custody, "run", "--no-observe", "--", py, "-c", "pass"]))
    print("#### Start-up: `python3 -c pass`\n")
    print("| mode | runs | median ms | p90 ms |\n|---|---|---|---|")
    for name, xs in (("plain", plain), ("custody run", boxed), ("custody run --no-observe", quiet)):
        print(f"| {name} | {len(xs)} | {statistics.median(xs)*1000:.1f} | {pct(xs, 0.9)*1000:.1f} |")
    over = (statistics.median(boxed) - statistics.median(plain)) * 1000
    over_q = (statistics.median(quiet) - statistics.median(plain)) * 1000
    print(f"\nOverhead of custody run (median): {over:.1f} ms, {over_q:.1f} ms with --no-observe (target: under 15 ms)\n")
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data.bin")
        size = int(a.data_gib * (1 << 30))
        with open(data, "wb") as f:
            block = hashlib.shake_128(b"custody-bench-run").digest(1 << 20)
            for _ in range(size >> 20):
                f.write(block)
        step = ("import hashlib,sys\nh=hashlib.sha256()\nf=open(sys.argv[1],'rb')\n"
                "while True:\n    b=f.read(1<<20)\n    if not b: break\n    h.update(b)\nprint(h.hexdigest())\n")
        script = os.path.join(d, "step.py")
        open(script, "w").write(step)
        timed([py, script, data])  # warm the cache
        p, b = [], []
        for _ in range(3):
            p.append(timed([py, script, data]))
            b.append(timed([custody, "run", "--input", data, "--input", script, "--", py, script, data]))
        print(f"#### Data step: SHA-256 of {a.data_gib:g} GiB in Python (warm cache)\n")
        print("| mode | runs | median s |\n|---|---|---|")
        print(f"| plain | 3 | {statistics.median(p):.3f} |\n| custody run | 3 | {statistics.median(b):.3f} |")
        over = (statistics.median(b) / statistics.median(p) - 1) * 100
        print(f"\nOverhead of custody run (median): {over:+.1f} % (target: under 3 %)")
        files = os.path.join(d, "files")
        os.makedirs(files)
        for i in range(10000):
            with open(os.path.join(files, f"f{i}"), "w") as f:
                f.write("x")
        opener = os.path.join(d, "opener.py")
        open(opener, "w").write("import os,sys\nd=sys.argv[1]\nprint(sum(len(open(os.path.join(d,f)).read()) for f in os.listdir(d)))\n")
        modes = {
            "plain": [py, opener, files],
            "custody run": [custody, "run", "--input", files, "--input", opener, "--", py, opener, files],
            "custody run --no-observe": [custody, "run", "--no-observe", "--input", files, "--input", opener, "--", py, opener, files],
        }
        times = {k: [] for k in modes}
        for _ in range(5):
            for k, cmd in modes.items():
                times[k].append(timed(cmd))
        print("\n#### Open-heavy step: read 10,000 files of 1 byte in Python\n")
        print("| mode | runs | median ms |\n|---|---|---|")
        for k, xs in times.items():
            print(f"| {k} | {len(xs)} | {statistics.median(xs)*1000:.0f} |")
        per_open = (statistics.median(times["custody run"]) - statistics.median(times["custody run --no-observe"])) / 10000 * 1e6
        print(f"\nThe supervisor's cost per open (median difference / 10,000): {per_open:.1f} µs")

main()

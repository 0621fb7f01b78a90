#!/usr/bin/env python3
"""custody run overhead, side by side with the same step run plainly.

Usage: python3 bench/run/run.py [--custody target/release/custody]
                                [--baseline OTHER/custody] [--n 40] [--data-gib 1]

1. Start-up: `python3 -c pass` plainly, under `custody run` (the default:
   the supervisor records every open, execution and refused call) and under
   `custody run --no-observe`, interleaved, N times each; median and p90
   wall time and the overhead in ms.
2. A data step: Python hashes a file of DATA GiB (SHA-256, 1 MiB reads),
   plainly and under `custody run --input FILE`, 3 times each (warm cache);
   median wall time and the overhead in %.
3. An open-heavy step: Python reads 10,000 files of 1 byte, plainly, under
   `custody run` and under `custody run --no-observe`, 5 times each: what
   the supervisor's round trip per open costs.

With --baseline, another custody build (an earlier commit, built the same
way) runs in every section too, interleaved with the others, so that a
difference between the two builds is not the machine's.
Prints a markdown report with a run header.
"""
import argparse, hashlib, os, platform, statistics, subprocess, sys, tempfile, time


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]


def header(custody, baseline):
    load = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    base = f"; baseline binary sha256 {sha(baseline)}" if baseline else ""
    return (f"Run of {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: {os.cpu_count()} cores ({cpu}), "
            f"Linux {platform.release()}, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
            f"custody binary sha256 {sha(custody)}{base}, Python {platform.python_version()} ({sys.executable})")


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


def interleaved(modes, rounds):
    times = {k: [] for k in modes}
    for _ in range(rounds):
        for k, cmd in modes.items():
            times[k].append(timed(cmd))
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--custody", default="target/release/custody")
    ap.add_argument("--baseline", help="another custody build to run side by side")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--data-gib", type=float, default=1.0)
    a = ap.parse_args()
    custody = os.path.abspath(a.custody)
    base = os.path.abspath(a.baseline) if a.baseline else None
    builds = [("custody run", custody)] + ([("baseline run", base)] if base else [])
    py = sys.executable  # the real interpreter, not a shim
    print(header(custody, base) + "\n")

    modes = {"plain": [py, "-c", "pass"]}
    for name, binary in builds:
        modes[name] = [binary, "run", "--", py, "-c", "pass"]
        modes[f"{name} --no-observe"] = [binary, "run", "--no-observe", "--", py, "-c", "pass"]
    interleaved(modes, 3)  # warm-up
    times = interleaved(modes, a.n)
    print("#### Start-up: `python3 -c pass`\n")
    print("| mode | runs | median ms | p90 ms |\n|---|---|---|---|")
    for name, xs in times.items():
        print(f"| {name} | {len(xs)} | {statistics.median(xs)*1000:.1f} | {pct(xs, 0.9)*1000:.1f} |")
    plain = statistics.median(times["plain"])
    for name, _ in builds:
        over = (statistics.median(times[name]) - plain) * 1000
        quiet = (statistics.median(times[f"{name} --no-observe"]) - plain) * 1000
        print(f"\nOverhead of {name} (median): {over:.1f} ms, {quiet:.1f} ms with --no-observe (target: under 15 ms)")
    print()

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
        modes = {"plain": [py, script, data]}
        for name, binary in builds:
            modes[name] = [binary, "run", "--input", data, "--input", script, "--", py, script, data]
        times = interleaved(modes, 3)
        print(f"#### Data step: SHA-256 of {a.data_gib:g} GiB in Python (warm cache)\n")
        print("| mode | runs | median s |\n|---|---|---|")
        for name, xs in times.items():
            print(f"| {name} | {len(xs)} | {statistics.median(xs):.3f} |")
        for name, _ in builds:
            over = (statistics.median(times[name]) / statistics.median(times["plain"]) - 1) * 100
            print(f"\nOverhead of {name} (median): {over:+.1f} % (target: under 3 %)")

        files = os.path.join(d, "files")
        os.makedirs(files)
        for i in range(10000):
            with open(os.path.join(files, f"f{i}"), "w") as f:
                f.write("x")
        opener = os.path.join(d, "opener.py")
        open(opener, "w").write("import os,sys\nd=sys.argv[1]\nprint(sum(len(open(os.path.join(d,f)).read()) for f in os.listdir(d)))\n")
        modes = {"plain": [py, opener, files]}
        for name, binary in builds:
            modes[name] = [binary, "run", "--input", files, "--input", opener, "--", py, opener, files]
            modes[f"{name} --no-observe"] = [binary, "run", "--no-observe", "--input", files, "--input", opener, "--", py, opener, files]
        times = interleaved(modes, 5)
        print("\n#### Open-heavy step: read 10,000 files of 1 byte in Python\n")
        print("| mode | runs | median ms |\n|---|---|---|")
        for k, xs in times.items():
            print(f"| {k} | {len(xs)} | {statistics.median(xs)*1000:.0f} |")
        for name, _ in builds:
            per_open = (statistics.median(times[name]) - statistics.median(times[f"{name} --no-observe"])) / 10000 * 1e6
            print(f"\nThe supervisor's cost per open for {name} (median difference / 10,000): {per_open:.1f} µs")


main()

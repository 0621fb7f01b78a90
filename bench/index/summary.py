#!/usr/bin/env python3
"""Summary of one bench/index/run.sh run: times, overheads, checks.

  summary.py --out OUT --pins N --runs R --warmup W

Reads OUT/time/ROW.json (hyperfine's or timer.py's JSON), OUT/time/log-ROW.jsonl
(the index's decision logs), OUT/counts.tsv (distributions installed per run),
OUT/server-cpu.tsv (the index's CPU snapshots), OUT/inspect.json and
OUT/versions.txt. Writes OUT/summary.md and OUT/summary.json; prints the
Markdown. Exits 1 when a check failed (a run that did not install every pin,
a through-index row whose log does not show every file allowed).
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import statistics
import sys

CLIENTS = ("pip", "uv")
INDEX_ROWS = ("cold", "warm", "dir-cold", "dir-warm")


def timing(out: str, row: str) -> dict | None:
    """The timed runs of ROW over every round (time/ROW.rK.json, or time/ROW.json)."""
    paths = sorted(glob.glob(os.path.join(out, "time", f"{glob.escape(row)}.r*.json")))
    if not paths and os.path.exists(os.path.join(out, "time", f"{row}.json")):
        paths = [os.path.join(out, "time", f"{row}.json")]
    if not paths:
        return None
    rs = [json.load(open(p))["results"][0] for p in paths]
    t = [x for r in rs for x in r["times"]]
    r = {
        "mean": statistics.mean(t),
        "stddev": statistics.stdev(t) if len(t) > 1 else None,
        "user": statistics.mean(r["user"] for r in rs) if all(r.get("user") is not None for r in rs) else None,
        "system": statistics.mean(r["system"] for r in rs) if all(r.get("system") is not None for r in rs) else None,
        "exit_codes": [c for r in rs for c in (r.get("exit_codes") or [])],
    }
    return {
        "mean": r["mean"],
        "median": statistics.median(t),
        "min": min(t),
        "max": max(t),
        "stddev": r.get("stddev"),
        "n": len(t),
        "user": r.get("user"),
        "system": r.get("system"),
        "exit_codes": sorted(set(r.get("exit_codes") or [])),
    }


def decisions(out: str, row: str) -> list[dict] | None:
    p = os.path.join(out, "time", f"log-{row}.jsonl")
    if not os.path.exists(p):
        return None
    return [json.loads(line) for line in open(p) if line.strip()]


def server_cpu(out: str) -> dict[str, list[float]]:
    """Index CPU seconds per run, oldest first (warm-up runs included)."""
    p = os.path.join(out, "server-cpu.tsv")
    by_pid: dict[tuple[str, str], list[int]] = collections.OrderedDict()
    if os.path.exists(p):
        for line in open(p):
            row, pid, ticks = line.rstrip("\n").split("\t")
            by_pid.setdefault((row, pid), []).append(int(ticks))
    hz = os.sysconf("SC_CLK_TCK")
    runs: dict[str, list[float]] = collections.defaultdict(list)
    for (row, _), snaps in by_pid.items():
        if len(snaps) == 1:          # a cold row: one server per run (warm-ups are cold too)
            runs[row].append(snaps[0] / hz)
        else:                        # a warm row: one server a round, snapshots between runs;
            # the first difference is the warm-up that filled the cache
            runs[row] += [(b - a) / hz for a, b in zip(snaps[1:], snaps[2:])]
    return runs


def fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pins", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    out, pins = a.out, a.pins
    lines: list[str] = []
    p = lines.append
    failures: list[str] = []

    p("# bench/index: installing a %d-distribution lock through `custody index serve`" % pins)
    p("")
    p("```")
    p(open(os.path.join(out, "versions.txt")).read().rstrip())
    p("```")
    p("")

    rows = [r for c in CLIENTS for r in [f"{c}-straight"] + [f"{c}-{k}" for k in INDEX_ROWS]]
    rows += ["inspect", "inspect-1thread"]
    t = {r: timing(out, r) for r in rows}
    counts: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    if os.path.exists(os.path.join(out, "counts.tsv")):
        for line in open(os.path.join(out, "counts.tsv")):
            row, n, missing = (line.rstrip("\n").split("\t") + [""])[:3]
            counts[row].append((int(n), missing.strip()))
    cpu = server_cpu(out)
    drops: dict[str, str] = {}
    if os.path.exists(os.path.join(out, "listen-overflows.tsv")):
        for line in open(os.path.join(out, "listen-overflows.tsv")):
            row, n = line.split()
            drops[row] = n
    summary: dict = {"pins": pins, "rows": {}}

    p("## Time (seconds; every run installs the whole lock into a fresh venv)")
    p("")
    p("| row | mean | median | min | max | n | exit codes | installed per run | index log | index CPU per run (s) | listen drops |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        tr = t[r]
        if tr is None:
            continue
        inst = "—"
        if r.startswith(CLIENTS):
            got = counts.get(r, [])
            inst = ", ".join(str(n) for n, _ in got) or "none counted"
            if len(got) != (a.runs + a.warmup) * a.rounds:
                failures.append(f"{r}: {len(got)} runs counted, {(a.runs + a.warmup) * a.rounds} expected")
            for n, missing in got:
                if n != pins:
                    failures.append(f"{r}: a run installed {n} of {pins} distributions (missing: {missing or '?'})")
        if tr["exit_codes"] != [0]:
            failures.append(f"{r}: exit codes {tr['exit_codes']}")
        logtxt = "—"
        d = decisions(out, r)
        if d is not None:
            files = [x for x in d if x.get("filename") and x.get("status") is not None]
            c = collections.Counter(
                (x["action"], x["code"], x.get("inspected")) for x in files)
            logtxt = "; ".join(f"{act}/{code}{'' if ins is None else (' inspected' if ins else ' cached')}: {n}"
                               for (act, code, ins), n in sorted(c.items()))
            runs_total = (a.runs + a.warmup) * a.rounds
            allowed = sum(n for (act, _, _), n in c.items() if act == "allowed")
            if allowed < pins * runs_total:
                failures.append(f"{r}: {allowed} files allowed in the log, {pins * runs_total} expected "
                                f"({pins} × {runs_total} runs)")
            if r.endswith("warm"):
                fresh = sum(n for (act, _, ins), n in c.items() if act == "allowed" and ins)
                if fresh > pins * a.rounds:
                    failures.append(f"{r}: {fresh} files inspected in a warm row (only the warm-up should)")
            summary["rows"].setdefault(r, {})["log"] = {f"{k[0]}/{k[1]}/{k[2]}": v for k, v in c.items()}
        cpu_runs = cpu.get(r, [])
        cpu_txt = fmt(statistics.mean(cpu_runs)) if cpu_runs else "—"
        p(f"| {r} | {fmt(tr['mean'], 3)} | {fmt(tr['median'], 3)} | {fmt(tr['min'], 3)} | {fmt(tr['max'], 3)} "
          f"| {tr['n']} | {tr['exit_codes']} | {inst} | {logtxt} | {cpu_txt} | {drops.get(r, '—')} |")
        summary["rows"].setdefault(r, {}).update(time=tr, installed=[n for n, _ in counts.get(r, [])],
                                                 index_cpu=cpu_runs)
    p("")

    insp = t.get("inspect")
    insp1 = t.get("inspect-1thread")
    p("Listen drops: the kernel's ListenOverflows during the row (whole machine): connections a "
      "full listen backlog dropped, each costing its client a 1 s (then 3 s) SYN retry.")
    p("")
    p("## Overhead of the index (mean through the index / mean straight, same client)")
    p("")
    p("| client | row | ratio | overhead (s) | overhead / inspection (all cores) | overhead / inspection (1 thread) |")
    p("|---|---|---|---|---|---|")
    verdicts = []
    for c in CLIENTS:
        base = t.get(f"{c}-straight")
        if base is None:
            continue
        for k in INDEX_ROWS:
            tr = t.get(f"{c}-{k}")
            if tr is None:
                continue
            ratio = tr["mean"] / base["mean"]
            over = tr["mean"] - base["mean"]
            oi = over / insp["mean"] if insp and "cold" in k else None
            oi1 = over / insp1["mean"] if insp1 and "cold" in k else None
            p(f"| {c} | {k} | {ratio:.2f}× | {over:+.2f} | {fmt(oi)} | {fmt(oi1)} |")
            summary["rows"][f"{c}-{k}"]["ratio"] = ratio
            if k.endswith("warm"):
                verdicts.append((f"{c} {k}: warm overhead under 20 %", f"{(ratio - 1) * 100:+.0f} %", ratio < 1.2))
            elif insp1:
                verdicts.append((f"{c} {k}: cold overhead ≤ inspection time of the files",
                                 f"{over:.2f} s vs {insp['mean']:.2f} s (all cores), {insp1['mean']:.2f} s (1 thread)"
                                 if insp else f"{over:.2f} s vs {insp1['mean']:.2f} s (1 thread)",
                                 over <= insp1["mean"]))
    p("")
    if insp or insp1:
        p("Inspection of the same files with `custody inspect` (no index): "
          + (f"all cores {insp['mean']:.2f} s (CPU {insp['user'] + insp['system']:.2f} s)" if insp else "")
          + (f"; one thread {insp1['mean']:.2f} s" if insp1 else "") + ".")
        p("")
    if verdicts:
        p("## Against the targets of issue 18")
        p("")
        p("| target | measured | met |")
        p("|---|---|---|")
        for name, measured, ok in verdicts:
            p(f"| {name} | {measured} | {'yes' if ok else 'no'} |")
        p("")

    probe = os.path.join(out, "probe.txt")
    if os.path.exists(probe):
        p("## Per request (probe.py: one request at a time, every page then every file)")
        p("")
        p("```")
        p(open(probe).read().rstrip())
        p("```")
        p("")

    # Anything the index did not simply allow, and inspection's own verdicts.
    odd = []
    for r in rows + ["probe-http", "probe-dir"]:
        for x in decisions(out, r) or []:
            if x.get("code") != "allowed":
                odd.append((r, x))
    ij = os.path.join(out, "inspect.json")
    flagged = []
    if os.path.exists(ij):
        try:
            batch = json.load(open(ij))
            for rep in batch.get("reports", []):
                if rep.get("verdict") != "clean":
                    flagged.append((os.path.basename(rep["path"]), rep["verdict"],
                                    sorted({f["code"] for f in rep.get("findings", [])
                                            if f.get("level") in ("high", "critical")})
                                    or rep.get("reasons", [])))
            for e in batch.get("errors", []):
                flagged.append((os.path.basename(e["path"]), "error", [e["error"]]))
        except (ValueError, KeyError) as e:
            flagged.append(("inspect.json", "unreadable", [str(e)]))
    p("## Files not simply allowed")
    p("")
    if not odd and not flagged:
        p("None: every file of the lock was allowed by the index and judged clean by `custody inspect`.")
    seen = set()
    for r, x in odd:
        key = (x.get("code"), x.get("filename"), x.get("reason"))
        if key in seen:
            continue
        seen.add(key)
        p(f"- index ({r}): `{json.dumps(x, sort_keys=True)}`")
    for name, verdict, why in flagged:
        p(f"- custody inspect: {name}: {verdict} ({', '.join(why)})")
    p("")

    p("## Checks")
    p("")
    if failures:
        for f in failures:
            p(f"- FAILED: {f}")
    else:
        p(f"All runs installed all {pins} distributions; every through-index row's log shows every file "
          "allowed (cold: inspected, warm: from the cache after the warm-up).")
    summary["failures"] = failures
    text = "\n".join(lines) + "\n"
    open(os.path.join(out, "summary.md"), "w").write(text)
    json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
    sys.stdout.write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

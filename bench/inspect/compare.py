#!/usr/bin/env python3
"""Summarise a bench/inspect/run.sh output directory: print Markdown tables (for
bench/RESULTS.md) and write OUT_DIR/summary.json.

    python3 bench/inspect/compare.py /tmp/bench-inspect

Rates use every archive of the input as denominator: an archive a tool could not
read counts as not flagged (a miss on the malicious set). Only the standard library.
"""

import glob
import json
import os
import re
import statistics
import sys

SETS = ("mal", "benign")
SET_NAME = {"mal": "malicious", "benign": "benign"}


def read_lines(path):
    with open(path) as f:
        return [ln.rstrip("\n") for ln in f if ln.strip()]


def read_tsv(path, header=True):
    rows = [ln.split("\t") for ln in read_lines(path)]
    return rows[1:] if header else rows


def custody_verdicts(directory):
    """path -> verdict ('malicious'/'suspicious'/'clean'/'error') and path -> report."""
    verdicts, reports = {}, {}
    for f in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(f) as fh:
            doc = json.load(fh)
        for r in doc.get("reports", []):
            verdicts[r["path"]], reports[r["path"]] = r["verdict"], r
        for e in doc.get("errors", []):
            verdicts[e["path"]] = "error"
    return verdicts, reports


def guarddog_records(path):
    if not os.path.exists(path):
        return {}
    return {r["path"]: r for r in map(json.loads, read_lines(path))}


def pct(k, n):
    return f"{100 * k / n:.1f} %" if n else "—"


def quantiles(values):
    if not values:
        return None, None
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    return statistics.median(values), p90


def rate_row(tool, verdict, scope, paths, flagged, errors, names=None):
    """One row of the recall/false-positive tables; flagged(path) -> bool."""
    hit = [p for p in paths if flagged(p)]
    row = {"tool": tool, "verdict": verdict, "input": scope, "archives": len(paths),
           "errors": sum(1 for p in paths if errors(p)), "flagged": len(hit),
           "rate": len(hit) / len(paths) if paths else None}
    if names is not None:
        pkgs = {names[p] for p in paths}
        bad = {names[p] for p in hit}
        row.update(packages=len(pkgs), flagged_packages=len(bad),
                   package_rate=len(bad) / len(pkgs) if pkgs else None)
    return row


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    L = os.path.join(out, "lists")
    machine = dict(read_tsv(os.path.join(out, "machine.tsv"), header=False))
    timings = {(t, m, s): (int(n), float(w))
               for t, m, s, n, w in read_tsv(os.path.join(out, "timings.tsv"))}
    names = dict(read_tsv(os.path.join(L, "benign-names.tsv"), header=False))
    lists = {(scope, s): read_lines(os.path.join(L, f"{s}{'' if scope == 'full' else '-sub'}.txt"))
             for scope in ("full", "sub") for s in SETS}

    cv, creports = {}, {}
    for scope, s in lists:
        cv[scope, s], creports[scope, s] = custody_verdicts(os.path.join(out, "custody", f"batch-{scope}-{s}"))
    gd = {s: guarddog_records(os.path.join(out, "guarddog", f"{s}.jsonl")) for s in SETS}
    gd_version = next((r.get("guarddog_version") for s in SETS for r in gd[s].values()), "?")

    # --- detection rates -----------------------------------------------------------------
    rates = {s: [] for s in SETS}
    for s in SETS:
        nm = names if s == "benign" else None
        for scope in ("full", "sub"):
            paths, v = lists[scope, s], cv[scope, s]
            err = lambda p, v=v: v.get(p, "error") == "error"
            label = "full" if scope == "full" else "subset"
            rates[s].append(rate_row("custody", "malicious", label, paths,
                                     lambda p, v=v: v.get(p) == "malicious", err, nm))
            rates[s].append(rate_row("custody", "malicious or suspicious", label, paths,
                                     lambda p, v=v: v.get(p) in ("malicious", "suspicious"), err, nm))
        paths, g = lists["sub", s], gd[s]
        for key in ("flagged_threat", "flagged_risk", "flagged_any"):
            rates[s].append(rate_row("GuardDog", key, "subset", paths,
                                     lambda p, key=key: bool(g.get(p, {}).get(key)),
                                     lambda p: p not in g or g[p].get("error") is not None, nm))

    # --- throughput ----------------------------------------------------------------------
    def wall(tool, mode, scope):
        parts = [timings.get((tool, mode, f"{scope}-{s}")) for s in SETS]
        per = {s: p for s, p in zip(SETS, parts) if p}
        if len(per) == 2:
            per["both"] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        return per

    def gd_scan_wall():
        """run.py's own scan-loop time (excludes its ~1 s start-up); falls back to run.sh's."""
        per = wall("guarddog", "run.py-2workers", "sub")
        for s in SETS:
            try:
                with open(os.path.join(out, "guarddog", f"{s}.summary")) as f:
                    m = re.search(r"elapsed: ([0-9.]+) s", f.read())
                if m and s in per:
                    per[s] = (per[s][0], float(m.group(1)))
            except OSError:
                pass
        if all(s in per for s in SETS):
            per["both"] = (per["mal"][0] + per["benign"][0], per["mal"][1] + per["benign"][1])
        return per

    thr = {"custody batch (2 processes), subset": wall("custody", "batch-2proc", "sub"),
           "GuardDog run.py --workers 2, subset": gd_scan_wall(),
           "custody batch (2 processes), full set": wall("custody", "batch-2proc", "full")}
    thr_rows = []
    gd_thr = thr["GuardDog run.py --workers 2, subset"]
    for mode, per in thr.items():
        for s, (n, w) in per.items():
            ps = n / w if w else None
            ref = gd_thr.get(s)
            ratio = (ps / (ref[0] / ref[1]) if ps and ref and ref[1] and mode.startswith("custody")
                     and "subset" in mode else None)
            thr_rows.append({"mode": mode, "set": s, "archives": n, "wall_s": w,
                             "packages_per_s": ps, "ratio_vs_guarddog": ratio})

    # --- ms per package ------------------------------------------------------------------
    lat_rows = []
    cms = {s: [int(r[0]) / 1000 for r in read_tsv(os.path.join(out, "custody", f"per-archive-{s}.tsv"))]
           for s in SETS}
    cexit = {s: [r[1] for r in read_tsv(os.path.join(out, "custody", f"per-archive-{s}.tsv"))] for s in SETS}
    gms = {s: [r["wall_ms"] for r in gd[s].values() if r.get("wall_ms") is not None] for s in SETS}
    cms["both"], gms["both"] = cms["mal"] + cms["benign"], gms["mal"] + gms["benign"]
    for s in (*SETS, "both"):
        cmed, cp90 = quantiles(cms[s])
        gmed, gp90 = quantiles(gms[s])
        lat_rows.append({"set": s, "custody_n": len(cms[s]), "custody_median_ms": cmed, "custody_p90_ms": cp90,
                         "guarddog_n": len(gms[s]), "guarddog_median_ms": gmed, "guarddog_p90_ms": gp90,
                         "median_ratio": gmed / cmed if cmed and gmed else None,
                         "p90_ratio": gp90 / cp90 if cp90 and gp90 else None})

    # --- custody's malicious verdicts on the benign set ------------------------------------
    fps = []
    for p, r in sorted(creports["full", "benign"].items()):
        if r["verdict"] == "malicious":
            fps.append({"archive": os.path.basename(p), "package": names.get(p, "?"), "score": r["score"],
                        "first_reason": (r.get("reasons") or [""])[0]})
    errors = {
        "custody": sorted({p for k, v in cv.items() for p, x in v.items() if x == "error"}
                          | {p for (scope, s), paths in lists.items() for p in paths if p not in cv[scope, s]}),
        "custody_per_archive_exit_gt2": sum(1 for s in SETS for c in cexit[s] if int(c) > 2),
        "guarddog": sorted(p for s in SETS for p in lists["sub", s]
                           if p not in gd[s] or gd[s][p].get("error") is not None),
    }

    summary = {"machine": machine, "guarddog_version": gd_version,
               "inputs": {f"{scope}-{s}": len(v) for (scope, s), v in lists.items()},
               "recall": rates["mal"], "false_positives": rates["benign"],
               "throughput": thr_rows, "ms_per_package": lat_rows,
               "custody_malicious_on_benign": fps, "errors": errors}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print_markdown(summary, lists, names)


def fmt(x, nd=1):
    return "—" if x is None else f"{x:,.{nd}f}"


def print_markdown(S, lists, names):
    m = S["machine"]
    sub_pkgs = len({names[p] for p in lists["sub", "benign"]})
    print(f"Run of {m.get('date')}: {m.get('nproc')} cores ({m.get('cpu')}), {m.get('mem')}, {m.get('kernel')}, "
          f"load {m.get('loadavg_start')} → {m.get('loadavg_end', '?')}.  ")
    print(f"{m.get('custody_version')} (sha256 {m.get('custody_sha256', '')[:12]}), "
          f"guarddog {S['guarddog_version']}. Subset = every {m.get('stride')}th archive of each sorted set: "
          f"{len(lists['sub', 'mal'])} of {len(lists['full', 'mal'])} malicious, "
          f"{len(lists['sub', 'benign'])} of {len(lists['full', 'benign'])} benign archives "
          f"({sub_pkgs} of {len(set(names.values()))} packages).\n")

    print("### Recall (malicious set)\n")
    print("| tool | verdict counted | input | archives | errors | flagged | recall |")
    print("|---|---|---|---|---|---|---|")
    for r in S["recall"]:
        print(f"| {r['tool']} | {r['verdict']} | {r['input']} | {r['archives']} | {r['errors']} "
              f"| {r['flagged']} | {pct(r['flagged'], r['archives'])} |")

    print("\n### False positives (benign set; a package counts if its wheel or its sdist is flagged)\n")
    print("| tool | verdict counted | input | archives | errors | flagged archives | FP rate "
          "| packages | flagged packages | FP rate (packages) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in S["false_positives"]:
        print(f"| {r['tool']} | {r['verdict']} | {r['input']} | {r['archives']} | {r['errors']} | {r['flagged']} "
              f"| {pct(r['flagged'], r['archives'])} | {r['packages']} | {r['flagged_packages']} "
              f"| {pct(r['flagged_packages'], r['packages'])} |")

    print("\n### Throughput (2 parallel processes each; ratio = custody packages/s ÷ GuardDog's, same inputs)\n")
    print("| tool and mode | set | archives | wall s | packages/s | ratio vs GuardDog |")
    print("|---|---|---|---|---|---|")
    for r in S["throughput"]:
        ratio = f"{r['ratio_vs_guarddog']:.0f}×" if r["ratio_vs_guarddog"] else "—"
        print(f"| {r['mode']} | {SET_NAME.get(r['set'], r['set'])} | {r['archives']} | {fmt(r['wall_s'])} "
              f"| {fmt(r['packages_per_s'])} | {ratio} |")

    print("\n### Time per package, subset (custody: one process per archive, sequential; "
          "GuardDog: run.py's per-process wall_ms, 2 workers)\n")
    print("| set | custody median ms | custody p90 ms | GuardDog median ms | GuardDog p90 ms "
          "| median ratio | p90 ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in S["ms_per_package"]:
        mr = f"{r['median_ratio']:.0f}×" if r["median_ratio"] else "—"
        pr = f"{r['p90_ratio']:.0f}×" if r["p90_ratio"] else "—"
        print(f"| {SET_NAME.get(r['set'], r['set'])} (n={r['custody_n']}/{r['guarddog_n']}) "
              f"| {fmt(r['custody_median_ms'])} | {fmt(r['custody_p90_ms'])} | {fmt(r['guarddog_median_ms'], 0)} "
              f"| {fmt(r['guarddog_p90_ms'], 0)} | {mr} | {pr} |")

    print(f"\n### custody `malicious` verdicts on the full benign set ({len(S['custody_malicious_on_benign'])})\n")
    if S["custody_malicious_on_benign"]:
        print("| archive | score | first reason |")
        print("|---|---|---|")
        for r in S["custody_malicious_on_benign"]:
            reason = r["first_reason"].replace("|", "\\|")
            print(f"| {r['archive']} | {r['score']} | {reason} |")
    else:
        print("None.")
    e = S["errors"]
    print(f"\nErrors: custody {len(e['custody'])} archives unreadable"
          f"{' (' + ', '.join(map(os.path.basename, e['custody'][:5])) + ')' if e['custody'] else ''}, "
          f"{e['custody_per_archive_exit_gt2']} per-archive runs exited > 2; "
          f"GuardDog {len(e['guarddog'])} archives with errors or timeouts"
          f"{' (' + ', '.join(map(os.path.basename, e['guarddog'][:5])) + ')' if e['guarddog'] else ''}.")


if __name__ == "__main__":
    main()

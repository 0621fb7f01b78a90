#!/usr/bin/env python3
"""Turn a bench/seal/run.sh output directory into OUT_DIR/report.md and print it.

    python3 bench/seal/report.py /tmp/bench-seal

Reads machine.tsv, datasets.tsv and runs.tsv. Seconds are the median of the
measured passes (the warm-up pass, rep 0, is left out); peak RSS is the largest
of all passes, warm-up included. Ratios are throughput ratios, peer time / row
time: above 1 the row is faster than the peer. "x model-signing" compares a
verify row with `model_signing verify key` and every other row with
`model_signing sign key`. Only the standard library.
"""

import csv
import os
import statistics
import sys

MiB = 1 << 20
DATASET_TITLE = {
    "a": "(a) large files",
    "b": "(b) many small files",
    "c": "(c) one JSONL with the record index",
}
B3SUM = ("b3sum", "b3sum FILE... (defaults)")


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            out[k] = v
    return out


class Stats:
    def __init__(self, rows):
        ok = [r for r in rows if r["exit"] == "0"]
        self.failed = [r for r in rows if r["exit"] != "0"]
        measured = [float(r["seconds"]) for r in ok if r["rep"] != "0"]
        self.n = len(measured)
        self.median = statistics.median(measured) if measured else None
        self.lo = min(measured) if measured else None
        self.hi = max(measured) if measured else None
        cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in ok if r["rep"] != "0"]
        self.cpu = statistics.median(cpu) if cpu else None
        rss = [int(r["maxrss_kib"]) for r in rows if r["maxrss_kib"].isdigit()]
        self.rss_mib = max(rss) / 1024 if rss else None


def fmt(x, spec, none="—"):
    return none if x is None else format(x, spec)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    m = read_kv(os.path.join(out, "machine.tsv"))
    datasets = {d["dataset"]: d for d in read_tsv(os.path.join(out, "datasets.tsv"))}
    runs = read_tsv(os.path.join(out, "runs.tsv"))

    # (dataset, cache, tool, mode) -> Stats; order of first appearance kept
    keys, groups, ops = [], {}, {}
    for r in runs:
        k = (r["dataset"], r["cache"], r["tool"], r["mode"])
        if k not in groups:
            groups[k] = []
            keys.append(k)
        groups[k].append(r)
        ops[(r["tool"], r["mode"])] = r["op"]
    st = {k: Stats(v) for k, v in groups.items()}

    def sec(ds, cache, tool, mode):
        s = st.get((ds, cache, tool, mode))
        return s.median if s else None

    def ms_peer(op):
        return ("model-signing", "verify key (P-256)" if op == "verify" else "sign key (P-256)")

    def ratio(peer_s, s):
        return peer_s / s if peer_s and s else None

    caches = ["warm"] + (["cold"] if m.get("cold") == "1" else [])
    L = []
    L.append("# custody seal / verify benchmark (issue 4)\n")
    args = m.get("args", "")
    L.append(f"Command: `bash bench/seal/run.sh{' ' + args if args else ''}` (it runs "
             "`bash bench/seal/setup.sh` for the peers first)\n")
    L.append("```")
    L.append(f"date:        {m['date']}")
    L.append(f"machine:     {m['nproc']} cores, {m['cpu']} ({m['cpu_flags'].strip()}), {m['mem']}, {m['kernel']}")
    L.append(f"disk:        {m['disk']}, data in {m['data_dir']}")
    L.append(f"load:        {m['loadavg_start']} at start, {m.get('loadavg_end', '?')} at end (1/5/15 min)")
    L.append(f"custody:     {m['custody_version']}, binary sha256 {m['custody_sha256']}…, {m['custody_source']}")
    L.append(f"b3sum:       {m['b3sum']} (cargo install --locked)")
    L.append(f"sha256sum:   {m['sha256sum']}")
    L.append(f"model-sign.: {m['model_signing']}")
    L.append(f"timer:       bash EPOCHREALTIME (wall); peak RSS from {m['gnu_time']} %M")
    L.append(f"warm:        median of {m['repeats']} after 1 warm-up pass, tools interleaved")
    cold_txt = (f"median of {m['cold_repeats']}; {m['cold_note']}" if m.get("cold") == "1"
                else f"not measured: {m['cold_note']}")
    L.append(f"cold:        {cold_txt}")
    L.append(f"total time:  {m.get('total_minutes', '?')} min")
    L.append("```\n")
    L.append("Defaults kept for every peer. b3sum 1.x: memory-maps files of 16 KiB and more and hashes "
             "each such file with all cores (`--num-threads` = logical cores), files one after another; "
             "smaller files are read and hashed on one thread. sha256sum: one thread. model_signing "
             "`sign key`/`verify key`: SHA-256 per file, a thread pool over files (Python's default "
             "size), P-256 key made by `custody key generate --scheme ecdsa-p256`. custody: Ed25519 "
             "key, default chunk size 8 MiB. Peers get the sorted file list "
             "(`cd DIR && xargs -0 -a LIST b3sum > SUMS`), custody and model_signing get the folder.\n")
    L.append("Seconds: median (min–max). MiB/s: dataset bytes / median seconds. "
             "× b3sum = b3sum's time / this row's time (above 1: faster than b3sum). "
             "× model-signing = model_signing's time for the same operation (verify rows: "
             "`verify key`; other rows: `sign key`) / this row's time. Peak RSS: largest of all "
             "passes, in MiB (a pipeline counts its largest process; b3sum's includes the file pages it "
             "memory-maps, which are page cache, not allocated memory). Warm CPU s: median user + sys "
             "CPU seconds of the warm passes (CPU s / wall s = cores kept busy).\n")

    for ds in ["a", "b", "c"]:
        if ds not in datasets:
            continue
        d = datasets[ds]
        mib = int(d["bytes"]) / MiB
        files, folders, records = int(d["files"]), int(d["folders"]), int(d["records"])
        if ds == "c":
            desc = f"one JSONL, {records:,} records of ~{int(d['bytes']) // max(records, 1):,} B with an \"id\""
        else:
            size = int(d["bytes"]) // files
            each = f"{size // MiB} MiB" if size >= MiB else f"{size:,} B"
            desc = (f"{files:,} files of {each}" + (f" in {folders:,} folders" if folders else "")
                    + " (pseudo-random bytes)")
        L.append(f"## {DATASET_TITLE[ds]}: {desc}, {mib:,.0f} MiB\n")
        head = "| tool | mode |"
        sep = "|---|---|"
        for c in caches:
            head += f" {c} s | {c} MiB/s | {c} × b3sum | {c} × model-signing |"
            sep += "---:|---:|---:|---:|"
        head += " warm CPU s | peak RSS MiB |"
        sep += "---:|---:|"
        L += [head, sep]
        seen = []
        for (kds, _, tool, mode) in keys:
            if kds == ds and (tool, mode) not in seen:
                seen.append((tool, mode))
        for tool, mode in seen:
            row = f"| {tool} | {mode} |"
            rss = []
            failed = []
            for c in caches:
                s = st.get((ds, c, tool, mode))
                if s is None:
                    row += " — | — | — | — |"
                    continue
                if s.rss_mib is not None:
                    rss.append(s.rss_mib)
                failed += s.failed
                t = s.median
                b3 = sec(ds, c, *B3SUM)
                ms = sec(ds, c, *ms_peer(ops[(tool, mode)]))
                rng = f" ({s.lo:.2f}–{s.hi:.2f})" if t is not None and s.n > 1 else ""
                row += (f" {fmt(t, '.2f', 'failed')}{rng} | {fmt(mib / t if t else None, ',.0f')} |"
                        f" {fmt(ratio(b3, t), '.2f')} | {fmt(ratio(ms, t), '.1f')} |")
            w = st.get((ds, "warm", tool, mode))
            row += f" {fmt(w.cpu if w else None, '.2f')} | {fmt(max(rss) if rss else None, '.0f')} |"
            if failed:
                row += f" failed runs: {len(failed)} (exit {', '.join(sorted({r['exit'] for r in failed}))})"
            L.append(row)
        L.append("")

    # --- targets -------------------------------------------------------------------
    T = []

    def target(name, ds, cells):
        """cells: cache -> (figure text, ok) or None when there is no figure."""
        row = f"| {name} | {ds} |"
        for c in caches:
            cell = cells.get(c)
            row += " no figure |" if cell is None else f" {cell[0]}: {'met' if cell[1] else '**not met**'} |"
        T.append(row)

    for ds in ["a", "b"]:
        if ds not in datasets:
            continue
        for mode, label in (("seal --no-records", "custody seal (BLAKE3) ≥ 0.9 × b3sum throughput"),
                            ("verify (BLAKE3 manifest)", "custody verify (BLAKE3) ≥ 0.9 × b3sum throughput")):
            cells = {}
            for c in caches:
                r = ratio(sec(ds, c, *B3SUM), sec(ds, c, "custody", mode))
                cells[c] = None if r is None else (f"{r:.2f} ×", r >= 0.9)
            target(label, ds, cells)
    for ds in ["a", "b", "c"]:
        if ds not in datasets:
            continue
        modes = []
        for (kds, _, tool, mode) in keys:
            if kds == ds and tool == "custody" and mode not in modes:
                modes.append(mode)
        for mode in modes:
            op = ops[("custody", mode)]
            cells = {}
            for c in caches:
                r = ratio(sec(ds, c, *ms_peer(op)), sec(ds, c, "custody", mode))
                cells[c] = None if r is None else (f"{r:.1f} ×", r >= 3)
            peer = "verify key" if op == "verify" else "sign key"
            target(f"custody {mode} ≥ 3 × model_signing {peer}", ds, cells)
    if "c" in datasets:
        for mode in ("seal (record index)", "seal --record-key id"):
            cells = {}
            for c in caches:
                base, t = sec("c", c, "custody", "seal --no-records"), sec("c", c, "custody", mode)
                cost = (t / base - 1) if t and base else None
                cells[c] = None if cost is None else (f"{cost * 100:+.0f} %", cost <= 0.30)
            target(f"record index cost: custody {mode} ≤ 1.3 × custody seal --no-records time", "c", cells)
    for ds in ["a", "b", "c"]:
        if ds not in datasets:
            continue
        cells = {}
        for c in caches:
            worst = max(((s.rss_mib, mode) for (kds, kc, tool, mode), s in st.items()
                         if (kds, kc, tool) == (ds, c, "custody") and s.rss_mib is not None), default=None)
            cells[c] = None if worst is None else (f"{worst[0]:.0f} MiB ({worst[1]})", worst[0] < 200)
        target("custody peak RSS < 200 MiB (largest of all custody runs)", ds, cells)

    L.append("## Targets\n")
    L.append("Computed from the medians above (peak RSS: the largest); \"met\" only says the number is on "
             "the right side of the threshold. Throughput ratios: peer time / custody time.\n")
    L.append("| target | dataset |" + "".join(f" {c} |" for c in caches))
    L.append("|---|---|" + "---|" * len(caches))
    L += T
    failures = [r for r in runs if r["exit"] != "0"]
    if failures:
        L.append(f"\n{len(failures)} command(s) exited non-zero; their stderr is in {out}/logs/.")
    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Summarise heldout.sh's output: verdicts per set, per archive and per package.

usage: heldout_report.py OUT [--show-heldout]
A package counts as flagged when its wheel or its sdist is. Malicious
verdicts are listed with their first reason for the top-1000 and the tuning
half; the held-out half is listed only with --show-heldout (so rules are not
tuned on it by accident).
"""
import collections
import glob
import json
import os
import sys


def main():
    out = sys.argv[1]
    show = "--show-heldout" in sys.argv[2:]
    meta = {}
    with open(os.path.join(out, "archives.tsv")) as f:
        for line in f:
            path, rank, name, half = line.rstrip("\n").split("\t")
            meta[path] = (int(rank), name, half)
    verdict = {}
    for chunk in glob.glob(os.path.join(out, "json", "*.json")):
        with open(chunk) as f:
            doc = json.load(f)
        for r in doc.get("reports", []):
            verdict[r["path"]] = (r["verdict"], (r.get("reasons") or [""])[0])
        for e in doc.get("errors", []):
            verdict[e.get("path", "?")] = ("error", e.get("error", ""))
    order = ["top-1000", "tuning", "held-out"]
    arch = collections.Counter()
    pkgs = collections.defaultdict(lambda: collections.defaultdict(set))
    listed = collections.defaultdict(list)
    for path, (rank, name, half) in meta.items():
        v, why = verdict.get(path, ("missing", ""))
        arch[(half, "all")] += 1
        arch[(half, v)] += 1
        pkgs[half]["all"].add(name)
        pkgs[half][v].add(name)
        if v == "malicious":
            listed[half].append((rank, name, os.path.basename(path), why))
    print("| set | archives | packages | malicious (archives / packages) "
          "| suspicious (archives / packages) | unread |")
    print("|---|---|---|---|---|---|")
    for h in order:
        na, np_ = arch[(h, "all")], len(pkgs[h]["all"])
        if not na:
            continue
        mp = len(pkgs[h]["malicious"])
        sp = len(pkgs[h]["suspicious"] - pkgs[h]["malicious"])
        print(f"| {h} | {na} | {np_} | {arch[(h, 'malicious')]} / {mp} ({100 * mp / np_:.1f} %) "
              f"| {arch[(h, 'suspicious')]} / {sp} ({100 * sp / np_:.1f} %) "
              f"| {arch[(h, 'error')] + arch[(h, 'missing')]} |")
    for h in order:
        if h == "held-out" and not show:
            continue
        for rank, name, base, why in sorted(listed[h]):
            print(f"- malicious, {h}, #{rank} {name} `{base}`: {why}")


if __name__ == "__main__":
    main()

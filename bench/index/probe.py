#!/usr/bin/env python3
"""Per-request latency of a simple index: every project page of the lock,
then every file, one request at a time, over loopback.

  probe.py --pins PINS.txt --label NAME URL [URL...]   (each URL ends in /simple/)

For each URL: the page of every project in PINS.txt (one name a line, PEP
503 normalised), with pip's Accept header (HTML), then every file the
page links to. Prints the median and total per kind, as one JSON line per
URL too (--json FILE, appended). A file that does not answer 200 is
counted as an error. Pages and files are requested in the lock's order;
run it against a warm index (verdicts cached) to see the cost of serving.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

ACCEPT = "text/html"


def get(url: str) -> tuple[int, bytes, float]:
    req = urllib.request.Request(url, headers={"Accept": ACCEPT})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return status, body, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pins", required=True)
    ap.add_argument("--label", action="append", required=True)
    ap.add_argument("--json")
    ap.add_argument("urls", nargs="+")
    a = ap.parse_args()
    names = [n.strip() for n in open(a.pins) if n.strip()]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    urllib.request.install_opener(opener)
    print(f"{'index':<24} {'pages':>6} {'page median ms':>15} {'pages total s':>14} "
          f"{'files':>6} {'file median ms':>15} {'files total s':>14} {'MB/s':>7} errors")
    for label, base in zip(a.label, a.urls):
        pages, files, errors, size = [], [], 0, 0
        links = []
        for n in names:
            status, body, dt = get(f"{base}{n}/")
            pages.append(dt)
            if status != 200:
                errors += 1
                continue
            for href in re.findall(r'href="([^"]+)"', body.decode("utf-8", "replace")):
                links.append(urllib.parse.urljoin(f"{base}{n}/", href.replace("&amp;", "&").split("#")[0]))
        for url in links:
            status, body, dt = get(url)
            files.append(dt)
            size += len(body)
            if status != 200:
                errors += 1
        row = {
            "label": label, "url": base, "pages": len(pages),
            "page_median_ms": statistics.median(pages) * 1000, "pages_total_s": sum(pages),
            "files": len(files), "file_median_ms": statistics.median(files) * 1000 if files else None,
            "files_total_s": sum(files), "bytes": size, "errors": errors,
        }
        mbps = size / 1e6 / row["files_total_s"] if row["files_total_s"] else 0
        print(f"{label:<24} {len(pages):>6} {row['page_median_ms']:>15.1f} {row['pages_total_s']:>14.2f} "
              f"{len(files):>6} {row['file_median_ms'] or 0:>15.1f} {row['files_total_s']:>14.2f} {mbps:>7.0f} {errors}")
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

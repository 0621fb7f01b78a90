#!/usr/bin/env python3
"""Download the latest wheel + sdist of the top-N PyPI packages, index-only.

No pip, no build backends, nothing from the downloaded archives is ever
executed or even opened: the project JSON API (https://pypi.org/pypi/<name>/json)
lists the files of the latest release, we pick one sdist and the best wheel
for CPython 3.11 / Linux x86_64, stream them to disk and verify the sha256
published by the index.

Usage: fetch_top.py [--list top1000.txt] [--cache DIR] [--jobs 8] [--limit N]
Standard library only (Python >= 3.8).
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

MAX_BYTES = 300 * 1024 * 1024
UA = "custody-bench-fetch/1 (false-positive corpus; index-only, no installs)"
SDIST_EXT = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")
FIELDS = ["rank", "name", "version", "filename", "kind", "size", "sha256", "url", "status"]


# ---------------------------------------------------------------- wheel tags
def supported_tags():
    """Ordered (most preferred first) tags for CPython 3.11 on manylinux x86_64,
    mirroring packaging.tags.cpython_tags + compatible_tags."""
    plats = [f"manylinux_2_{m}_x86_64" for m in range(40, 16, -1)]
    plats += ["manylinux2014_x86_64", "manylinux_2_12_x86_64", "manylinux2010_x86_64",
              "manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64"]
    tags = []
    for abi in ("cp311", "abi3", "none"):
        tags += [("cp311", abi, p) for p in plats]
    for minor in range(10, 1, -1):
        tags += [(f"cp3{minor}", "abi3", p) for p in plats]
    pys = ["py311", "py3"] + [f"py3{m}" for m in range(10, -1, -1)]
    for py in pys:
        tags += [(py, "none", p) for p in plats]
    tags.append(("cp311", "none", "any"))
    tags += [(py, "none", "any") for py in pys]
    return {t: i for i, t in enumerate(tags)}


TAGS = supported_tags()


def wheel_tags(filename):
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return set()
    py, abi, plat = parts[-3:]
    return {(p, a, pl) for p in py.split(".") for a in abi.split(".") for pl in plat.split(".")}


def wheel_score(filename):
    ranks = [TAGS[t] for t in wheel_tags(filename) if t in TAGS]
    return min(ranks) if ranks else None


def fallback_key(filename):
    """Deterministic preference among wheels that do not fit cp311-linux-x86_64."""
    tags = wheel_tags(filename)
    plat = " ".join(sorted(t[2] for t in tags))
    py = " ".join(sorted(t[0] for t in tags))
    return (
        0 if "x86_64" in plat and "linux" in plat and "musl" not in plat else
        1 if "linux" in plat else 2 if "any" in plat else 3,
        0 if "cp311" in py else 1 if "cp3" in py or "py3" in py else 2,
        filename,
    )


# ---------------------------------------------------------------- helpers
def http_get(url, timeout=60, tries=4):
    last = None
    for attempt in range(tries):
        try:
            req = urllib.request.Request(url, headers={"User-Agent": UA})
            return urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise
            last = e
        except ValueError:  # malformed URL: retrying will not help
            raise
        except Exception as e:  # noqa: BLE001 - network errors of all kinds
            last = e
        time.sleep(2 ** attempt)
    raise last


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url, dest, sha256, size):
    """Stream url to dest, verify sha256; resumable (skips a verified file)."""
    if os.path.exists(dest) and os.path.getsize(dest) == size and sha256_file(dest) == sha256:
        return "cached"
    tmp = dest + ".part"
    for attempt in range(3):
        h = hashlib.sha256()
        try:
            with http_get(url, timeout=120) as r, open(tmp, "wb") as out:
                for chunk in iter(lambda: r.read(1 << 20), b""):
                    h.update(chunk)
                    out.write(chunk)
            if h.hexdigest() != sha256:
                raise ValueError(f"sha256 mismatch {h.hexdigest()}")
            os.replace(tmp, dest)
            return "downloaded"
        except Exception as e:  # noqa: BLE001
            err = e
            time.sleep(2 ** attempt)
    if os.path.exists(tmp):
        os.remove(tmp)
    raise err


def version_key(v):
    """Rough PEP 440 ordering, used only when the JSON 'latest' has no files."""
    nums = [int(x) for x in re.findall(r"\d+", v.split("+")[0])[:6]]
    pre = bool(re.search(r"(a|b|rc|dev|alpha|beta|pre)\d*", v.lower()))
    return (not pre, nums)


def clean(s):
    return str(s).replace("\t", " ").replace("\n", " ")


# ---------------------------------------------------------------- per package
def process(rank, name, root):
    pdir = os.path.join(root, name)
    os.makedirs(pdir, exist_ok=True)
    rows = []

    def row(version="", fn="", kind="", size="", sha="", url="", status=""):
        rows.append([rank, name, version, fn, kind, size, sha, url, status])

    try:
        with http_get(f"https://pypi.org/pypi/{name}/json") as r:
            base = r.geturl()
            meta = json.load(r)
    except Exception as e:  # noqa: BLE001
        row(status=clean(f"error: index: {e}"))
        return finish(pdir, rows, keep=None)

    version = meta["info"]["version"]
    files = [f for f in meta.get("urls", []) if not f.get("yanked")]
    if not files:  # latest has no usable files: newest release that has some
        rel = {v: [f for f in fs if not f.get("yanked")] for v, fs in meta.get("releases", {}).items()}
        rel = {v: fs for v, fs in rel.items() if fs}
        if rel:
            version = max(rel, key=version_key)
            files = rel[version]

    sdists = [f for f in files if f["packagetype"] == "sdist" and f["filename"].lower().endswith(SDIST_EXT)]
    wheels = [f for f in files if f["packagetype"] == "bdist_wheel" and f["filename"].endswith(".whl")]
    picks = []
    if sdists:
        sdists.sort(key=lambda f: (not f["filename"].endswith(".tar.gz"), f["filename"]))
        picks.append(("sdist", sdists[0], "ok"))
    else:
        row(version, kind="sdist", status="no-sdist")
    if wheels:
        scored = [(wheel_score(f["filename"]), f["filename"], f) for f in wheels]
        fit = sorted(s for s in scored if s[0] is not None)
        if fit:
            picks.append(("wheel", fit[0][2], "ok"))
        else:
            best = min(wheels, key=lambda f: fallback_key(f["filename"]))
            picks.append(("wheel", best, "ok-fallback: no cp311 manylinux x86_64 wheel"))
    else:
        row(version, kind="wheel", status="no-wheel")

    keep = set()
    for kind, f, status in picks:
        fn, size, sha = f["filename"], f["size"], f["digests"]["sha256"]
        url = urljoin(base, f["url"])  # some index answers carry relative URLs
        if "/" in fn or fn.startswith("."):
            row(version, clean(fn), kind, size, sha, url, "error: unsafe filename")
            continue
        if size > MAX_BYTES:
            row(version, fn, kind, size, sha, url, "skipped-too-large")
            continue
        keep.add(fn)
        try:
            download(url, os.path.join(pdir, fn), sha, size)
            row(version, fn, kind, size, sha, url, status)
        except Exception as e:  # noqa: BLE001
            row(version, fn, kind, size, sha, url, clean(f"error: {e}"))
    return finish(pdir, rows, keep)


def finish(pdir, rows, keep):
    if keep is not None:  # prune archives of older versions left by earlier runs
        for fn in os.listdir(pdir):
            if not fn.startswith(".") and fn not in keep:
                os.remove(os.path.join(pdir, fn))
    with open(os.path.join(pdir, ".result.tsv"), "w") as f:
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    return rows


# ---------------------------------------------------------------- main
def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", default=os.path.join(here, "top1000.txt"))
    ap.add_argument("--cache", default=os.environ.get(
        "CUSTODY_BENCH_CACHE", os.path.expanduser("~/.cache/custody-bench")))
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--set", default="top1000",
                    help="folder under the cache for this list (top1000, ranks3001-4000)")
    a = ap.parse_args()

    root = os.path.join(a.cache, a.set)
    os.makedirs(root, exist_ok=True)
    todo = []
    with open(a.list) as f:
        for line in f:
            if line.strip():
                rank, name = line.rstrip("\n").split("\t")
                if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
                    sys.exit(f"refusing odd package name {name!r}")
                todo.append((int(rank), name))
    if a.limit:
        todo = todo[: a.limit]

    t0 = time.time()
    lock = threading.Lock()
    done = [0]
    results = []
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        futs = {ex.submit(process, r, n, root): (r, n) for r, n in todo}
        for fut in cf.as_completed(futs):
            r, n = futs[fut]
            try:
                rows = fut.result()
            except Exception as e:  # noqa: BLE001 - never lose the whole run
                rows = [[r, n, "", "", "", "", "", "", clean(f"error: {e}")]]
            with lock:
                done[0] += 1
                results += rows
                st = ",".join(f"{x[4] or '?'}={x[8].split(':')[0]}" for x in rows)
                print(f"[{done[0]}/{len(todo)} {time.time()-t0:6.0f}s] #{r} {n}: {st}", flush=True)

    results.sort(key=lambda x: (int(x[0]), x[4]))
    with open(os.path.join(root, "manifest.tsv"), "w") as f:
        f.write("\t".join(FIELDS) + "\n")
        for x in results:
            f.write("\t".join(map(str, x)) + "\n")

    def pk(kind):
        return {x[1] for x in results if x[4] == kind and x[8].startswith("ok")}
    w, s = pk("wheel"), pk("sdist")
    big = [f"{x[1]}:{x[3]}({int(x[5])>>20}MB)" for x in results if x[8] == "skipped-too-large"]
    errs = [x for x in results if x[8].startswith("error")]
    total = sum(int(x[5]) for x in results if x[8].startswith("ok"))
    print(f"\nSUMMARY packages={len(todo)} wheel={len(w)} sdist={len(s)} both={len(w & s)} "
          f"fallback-wheels={sum(1 for x in results if x[8].startswith('ok-fallback'))} "
          f"no-wheel={sum(1 for x in results if x[8]=='no-wheel')} "
          f"no-sdist={sum(1 for x in results if x[8]=='no-sdist')} "
          f"bytes={total} ({total/2**30:.2f} GiB) skipped-too-large={len(big)} errors={len(errs)} "
          f"elapsed={time.time()-t0:.0f}s")
    for b in big:
        print("  too-large:", b)
    for x in errs:
        print("  error:", x[1], x[3], x[8])


if __name__ == "__main__":
    main()

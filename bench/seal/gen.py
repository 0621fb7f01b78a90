#!/usr/bin/env python3
"""Deterministic inputs for bench/seal/run.sh. Only the standard library.

    python3 bench/seal/gen.py DIR [--scale full|small]

Writes DIR/{a,b,c} and DIR/{a,b,c}.files (NUL-separated relative paths, sorted):

  a  large files:  full 16 x 128 MiB = 2 GiB      small 16 x 1 MiB
  b  small files:  full 200,000 x 4 KiB (200 folders of 1,000 files)
                   small 2,000 x 4 KiB (2 folders of 1,000)
  c  one JSONL:    full 1 GiB (~1,000,000 records of ~1 KiB, each with an "id")
                   small 8 MiB

Bytes of a and b come from a seeded pseudo-random stream: SHAKE-128 of
("custody-bench-seal", dataset, file index), so every file is
incompressible and the same on every machine. The JSONL of c is made with
random.Random(20261124): ids, timestamps, user names, numbers and English-like
text from a fixed word list. Each dataset has a stamp file (DIR/X/.. as X.stamp)
with its parameters; a dataset whose stamp matches is not written again.
"""

import hashlib
import json
import os
import random
import shutil
import sys

MiB = 1 << 20
SCALES = {
    "full": {"a": (16, 128 * MiB), "b": (200_000, 4096), "c": 1024 * MiB},
    "small": {"a": (16, 1 * MiB), "b": (2_000, 4096), "c": 8 * MiB},
}
VERSION = "1"
WORDS = (
    "the of and to in is was for on that with as by at from this it be are an or "
    "model data weights tensor layer training batch epoch loss accuracy gradient "
    "record sample label token vocabulary embedding attention checkpoint shard "
    "dataset split validation test user request response latency region cluster "
    "node storage bucket object version release signature digest manifest verify "
    "quick brown fox jumps over lazy dog alpha beta gamma delta epsilon zeta theta "
    "north south east west river mountain forest city harbour bridge market street"
).split()


def pseudo_random(tag, n):
    return hashlib.shake_128(f"custody-bench-seal/{tag}".encode()).digest(n)


def stamp_ok(path, want):
    try:
        with open(path) as f:
            return f.read() == want
    except OSError:
        return False


def write_list(root, name, rel):
    with open(os.path.join(root, f"{name}.files"), "wb") as f:
        for p in sorted(rel):
            f.write(p.encode() + b"\0")


def gen_a(root, count, size):
    d = os.path.join(root, "a")
    os.makedirs(d)
    rel = []
    for i in range(count):
        name = f"model-{i:05d}-of-{count:05d}.bin"
        with open(os.path.join(d, name), "wb") as f:
            left, j = size, 0
            while left:
                n = min(left, 16 * MiB)
                f.write(pseudo_random(f"a/{i}/{j}", n))
                left -= n
                j += 1
        rel.append(name)
    return rel


def gen_b(root, count, size):
    d = os.path.join(root, "b")
    os.makedirs(d)
    rel = []
    per_dir = 1000
    for i in range(count):
        sub = f"d{i // per_dir:04d}"
        if i % per_dir == 0:
            os.makedirs(os.path.join(d, sub))
        name = f"{sub}/f{i:06d}.bin"
        with open(os.path.join(d, name), "wb") as f:
            f.write(pseudo_random(f"b/{i}", size))
        rel.append(name)
    return rel


def gen_c(root, size):
    d = os.path.join(root, "c")
    os.makedirs(d)
    rng = random.Random(20261124)
    users = [f"user{n:05d}" for n in range(5000)]
    regions = ["eu-west-1", "us-east-1", "us-west-2", "ap-south-1", "sa-east-1"]
    written, i = 0, 0
    with open(os.path.join(d, "records.jsonl"), "w", newline="\n") as f:
        buf = []
        while written < size:
            rec = {
                "id": f"rec-{i:09d}",
                "ts": 1_700_000_000 + i * 7 + rng.randrange(7),
                "user": rng.choice(users),
                "region": rng.choice(regions),
                "score": round(rng.random() * 100, 4),
                "tags": rng.sample(WORDS, 3),
                "text": " ".join(rng.choices(WORDS, k=rng.randrange(130, 170))),
            }
            line = json.dumps(rec, separators=(",", ":")) + "\n"
            if written + len(line) > size and buf:
                break
            buf.append(line)
            written += len(line)
            i += 1
            if len(buf) >= 10_000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    return ["records.jsonl"], i


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        sys.exit(__doc__)
    root, scale = args[0], "full"
    if len(args) == 3 and args[1] == "--scale" and args[2] in SCALES:
        scale = args[2]
    elif len(args) != 1:
        sys.exit(__doc__)
    p = SCALES[scale]
    os.makedirs(root, exist_ok=True)
    for name in ("a", "b", "c"):
        want = json.dumps({"version": VERSION, "scale": scale, "params": p[name]})
        stamp = os.path.join(root, f"{name}.stamp")
        if stamp_ok(stamp, want) and os.path.isdir(os.path.join(root, name)):
            print(f"gen: {name} up to date", file=sys.stderr)
            continue
        for leftover in (stamp, os.path.join(root, f"{name}.files")):
            if os.path.exists(leftover):
                os.remove(leftover)
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        print(f"gen: writing {name} ({scale})", file=sys.stderr)
        if name == "a":
            rel = gen_a(root, *p["a"])
        elif name == "b":
            rel = gen_b(root, *p["b"])
        else:
            rel, n = gen_c(root, p["c"])
            print(f"gen: c has {n} records", file=sys.stderr)
        write_list(root, name, rel)
        with open(stamp, "w") as f:
            f.write(want)


if __name__ == "__main__":
    main()

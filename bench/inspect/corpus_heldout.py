#!/usr/bin/env python3
"""Write fixtures/corpus-heldout.txt: the slice of the malicious corpus kept
out of rule work from issue 13 on.

A corpus package (a folder of ../shared/corpus/pypi-malicious-dev) is in the
slice when sha256("custody-heldout-v1/" + folder name) starts with hex 0 or 1
(about one in eight), and its name appears nowhere in the repository or its
commit messages (those packages were read when rules were written). Rules
must not be written or tuned from packages in this list; the recall floor
is checked on it (crates/custody-cli/tests/inspect.rs).

usage: corpus_heldout.py [CORPUS] > fixtures/corpus-heldout.txt  (run at the repo root)
"""
import hashlib
import os
import re
import subprocess
import sys

corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/pypi-malicious-dev"
files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
text = subprocess.run(["git", "log", "--format=%B"], capture_output=True, text=True, check=True).stdout
for f in files:
    if f.endswith((".whl", ".db", ".zip", ".gz")) or f == "fixtures/corpus-heldout.txt":
        continue
    try:
        with open(f, errors="replace") as fh:
            text += fh.read()
    except (IsADirectoryError, FileNotFoundError):
        pass
words = set(re.findall(r"[a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9]", text.lower()))
print("# Malicious corpus packages held out of rule work (issue 13); see bench/inspect/corpus_heldout.py")
for name in sorted(os.listdir(corpus)):
    digest = hashlib.sha256(("custody-heldout-v1/" + name).encode()).hexdigest()
    if digest[0] in "01" and name.lower() not in words:
        print(name)

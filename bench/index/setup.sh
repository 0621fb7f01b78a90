#!/usr/bin/env bash
# Prepare everything bench/index/run.sh needs, outside the repo. Idempotent:
# each step is skipped when its output is there and matches its input.
#
#   $TOOLS (/tmp/bench-tools/index-tools)  venv with uv ($UV_VERSION) and pip ($PIP_VERSION):
#                                           the two clients timed by run.sh
#   $DATA/wheels/  (/tmp/bench-index)       exactly one wheel per pin of requirements.txt,
#                                           for CPython 3.11 manylinux x86_64, hash-checked;
#                                           also run.sh's folder upstream (--upstream DIR)
#   $DATA/simple/NAME/index.html            a static PEP 503 tree of them (#sha256=
#                                           fragments), served by python3 -m http.server:
#                                           the "straight upstream" baseline
#
#   bash bench/index/setup.sh
#   RESOLVE=1 bash bench/index/setup.sh     # re-resolve requirements.in into requirements.txt
#
# requirements.txt is committed: resolving again (RESOLVE=1) picks releases
# up to EXCLUDE_NEWER and changes the benchmark's input. Needs PyPI (the
# packages) and, optionally, Debian apt (hyperfine).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="${BENCH_INDEX_TOOLS:-/tmp/bench-tools/index-tools}"
DATA="${BENCH_INDEX_DATA:-/tmp/bench-index}"
UV_VERSION="${UV_VERSION:-0.13.10}"      # the uv of crates/custody-cli/tests/index.rs
PIP_VERSION="${PIP_VERSION:-26.0.1}"
EXCLUDE_NEWER="${EXCLUDE_NEWER:-2026-11-01T00:00:00Z}"
PY311="${PY311:-$(command -v python3.11 || true)}"
[ -n "$PY311" ] || { echo "setup.sh: python3.11 not found (set PY311)" >&2; exit 1; }
LOCK="$HERE/requirements.txt"

log() { printf '[index-setup] %s\n' "$*" >&2; }
# This machine's pip configuration may add --find-links (PIP_FIND_LINKS):
# nothing here may come from anywhere but the index asked for.
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL UV_INDEX_URL UV_DEFAULT_INDEX UV_EXTRA_INDEX_URL
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 UV_NO_CONFIG=1

# --- hyperfine (optional; run.sh falls back to bench/scan/timer.py) -----------
if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing hyperfine from apt"
    (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null 2>&1 \
      || log "hyperfine install failed; run.sh will use bench/scan/timer.py"
  fi
fi

# --- the clients ---------------------------------------------------------------
stamp="uv==$UV_VERSION pip==$PIP_VERSION"
if [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "creating $TOOLS ($stamp)"
  rm -rf "$TOOLS"
  "$PY311" -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q "pip==$PIP_VERSION" "uv==$UV_VERSION"
  echo "$stamp" > "$TOOLS/.stamp"
fi

# --- the lock --------------------------------------------------------------------
if [ "${RESOLVE:-0}" = 1 ] || [ ! -f "$LOCK" ]; then
  log "resolving requirements.in (exclude-newer $EXCLUDE_NEWER)"
  (cd "$HERE" && "$TOOLS/bin/uv" pip compile -q --no-config --generate-hashes \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --exclude-newer "$EXCLUDE_NEWER" --custom-compile-command "RESOLVE=1 bash bench/index/setup.sh" \
    requirements.in -o requirements.txt)
fi
pins=$(grep -cE '^[A-Za-z0-9]' "$LOCK")
LOCK_SUM="$(sha256sum "$LOCK" | cut -d' ' -f1)"

# --- the files -------------------------------------------------------------------
if [ "$(cat "$DATA/.stamp" 2>/dev/null)" = "$LOCK_SUM" ]; then
  log "$DATA up to date ($pins pins)"
else
  log "downloading the $pins pinned wheels into $DATA/wheels (hash-checked)"
  rm -rf "$DATA"
  mkdir -p "$DATA/wheels"
  "$TOOLS/bin/python" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
    --python-version 3.11 --implementation cp --abi cp311 \
    --platform manylinux_2_36_x86_64 --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
    -r "$LOCK" -d "$DATA/wheels"
  n=$(find "$DATA/wheels" -maxdepth 1 -type f | wc -l)
  [ "$n" = "$pins" ] || { echo "setup.sh: $n files downloaded for $pins pins" >&2; exit 1; }

  log "writing the PEP 503 tree $DATA/simple"
  "$TOOLS/bin/python" - "$DATA" <<'EOF'
import hashlib, html, os, re, sys
from collections import defaultdict

data = sys.argv[1]
wheels = os.path.join(data, "wheels")
projects = defaultdict(list)
for f in sorted(os.listdir(wheels)):
    name = re.sub(r"[-_.]+", "-", f.split("-")[0]).lower()   # PEP 503
    digest = hashlib.sha256(open(os.path.join(wheels, f), "rb").read()).hexdigest()
    projects[name].append((f, digest))
root = os.path.join(data, "simple")
os.makedirs(root)
with open(os.path.join(root, "index.html"), "w") as out:
    out.write("<!DOCTYPE html>\n<html><body>\n")
    for name in sorted(projects):
        out.write(f'<a href="{name}/">{name}</a><br/>\n')
    out.write("</body></html>\n")
for name, files in projects.items():
    os.makedirs(os.path.join(root, name))
    with open(os.path.join(root, name, "index.html"), "w") as out:
        out.write(f"<!DOCTYPE html>\n<html><head><title>Links for {name}</title></head><body>\n")
        for f, digest in files:
            href = html.escape(f"../../wheels/{f}#sha256={digest}")
            out.write(f'<a href="{href}">{html.escape(f)}</a><br/>\n')
        out.write("</body></html>\n")
print(f"{len(projects)} projects", file=sys.stderr)
EOF
  echo "$LOCK_SUM" > "$DATA/.stamp"
fi
log "done: $pins pins, $(du -sh "$DATA/wheels" | cut -f1) of wheels in $DATA/wheels; tools in $TOOLS"

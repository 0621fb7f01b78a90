#!/usr/bin/env bash
# Install GuardDog 3.2.0 (pinned, with every dependency pinned in requirements.txt)
# into a venv, and fetch the benign comparison wheels. Idempotent: a step is
# skipped when its result is already there.
#
#   $BENCH_TOOLS/guarddog              venv, `guarddog` CLI at bin/guarddog
#   $BENCH_DATA/guarddog-benign/*.whl  10 pinned benign wheels (downloaded, never installed)
#
# Needs: PyPI, python3.11 (or set PY311). No semgrep: GuardDog 3.x is YARA-only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="${BENCH_TOOLS:-/tmp/bench-tools}"
DATA="${BENCH_DATA:-/tmp/bench-data}"
GUARDDOG_VERSION="3.2.0"
VENV="$TOOLS/guarddog"
PY311="${PY311:-$(command -v python3.11 || command -v python3 || true)}"
[ -n "$PY311" ] || { echo "setup.sh: python3.11 not found (set PY311)" >&2; exit 1; }

log() { printf '[guarddog-setup] %s\n' "$*" >&2; }
mkdir -p "$TOOLS" "$DATA"

# --- GuardDog venv ---------------------------------------------------------------
have="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("guarddog"))' 2>/dev/null || true)"
stamp="$VENV/.requirements.sha256"
want_sum="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ "$have" = "$GUARDDOG_VERSION" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_sum" ]; then
  log "guarddog $have already in $VENV"
else
  log "creating $VENV with guarddog==$GUARDDOG_VERSION"
  [ -x "$VENV/bin/python" ] || "$PY311" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  "$VENV/bin/pip" check >/dev/null || log "warning: pip check reports problems"
  echo "$want_sum" > "$stamp"
fi
"$VENV/bin/guarddog" --version >/dev/null 2>&1 || { log "guarddog CLI does not start"; exit 1; }

# GuardDog's default sandbox is Landlock via nono-py; without it every scan exits 1
# unless --no-sandbox is given (run.py --no-sandbox).
if "$VENV/bin/python" -c 'import nono_py, sys; sys.exit(0 if nono_py.is_supported() else 1)'; then
  log "kernel sandbox (nono/Landlock): available"
else
  log "kernel sandbox (nono/Landlock): NOT available here; use run.py --no-sandbox"
fi

# --- benign wheels (data only: downloaded, never installed) -------------------------
BENIGN="$DATA/guarddog-benign"
BENIGN_PINS=(requests==2.34.2 six==1.17.0 urllib3==2.8.0 numpy==2.2.6 click==8.5.1
             attrs==26.1.0 idna==3.20 certifi==2026.10.18 packaging==26.3 pyyaml==6.0.3)
if [ "$(ls "$BENIGN"/*.whl 2>/dev/null | wc -l)" -ge "${#BENIGN_PINS[@]}" ]; then
  log "benign wheels already in $BENIGN"
else
  mkdir -p "$BENIGN"
  log "downloading ${#BENIGN_PINS[@]} benign wheels to $BENIGN"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary :all: \
    --python-version 3.11 --platform manylinux2014_x86_64 --platform any \
    -d "$BENIGN" "${BENIGN_PINS[@]}"
fi
log "done: $VENV/bin/guarddog ($("$VENV/bin/guarddog" --version 2>/dev/null))"

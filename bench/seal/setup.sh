#!/usr/bin/env bash
# Install the peers bench/seal/run.sh compares custody with. Idempotent: a step
# whose stamp matches is skipped.
#
#   $TOOLS/bin/b3sum        cargo install b3sum (crates.io), version $B3SUM_VERSION, --locked
#   $TOOLS/model-signing/   Python venv: model-signing==1.1.1 + pyOpenSSL, every
#                           dependency pinned by bench/seal/constraints.txt
#   /usr/bin/time           GNU time (Debian package "time"), for peak RSS
#
# TOOLS defaults to ${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}/tools.
# Needs: cargo, python3 (3.11), crates.io, PyPI; apt for GNU time if missing.
# sha256sum is GNU coreutils' (already on the machine).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
TOOLS="${TOOLS:-$CACHE/tools}"
B3SUM_VERSION="${B3SUM_VERSION:-1.8.2}"
PYTHON="${PYTHON:-python3}"
log() { printf '[setup] %s\n' "$*" >&2; }
mkdir -p "$TOOLS"

# --- GNU time -------------------------------------------------------------------
if ! /usr/bin/time -f '%e %M' true >/dev/null 2>&1; then
  log "installing GNU time from apt"
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# --- b3sum ------------------------------------------------------------------------
if [ -x "$TOOLS/bin/b3sum" ] && [ "$("$TOOLS/bin/b3sum" --version)" = "b3sum $B3SUM_VERSION" ]; then
  log "b3sum $B3SUM_VERSION present"
else
  log "cargo install b3sum $B3SUM_VERSION --locked --root $TOOLS"
  cargo install b3sum --version "$B3SUM_VERSION" --locked --root "$TOOLS"
fi

# --- model-signing venv -------------------------------------------------------------
VENV="$TOOLS/model-signing"
STAMP="$(cat "$HERE/constraints.txt" | sha256sum | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [ -f "$VENV/.stamp" ] && [ "$(cat "$VENV/.stamp")" = "$STAMP" ]; then
  log "model-signing venv present"
else
  log "creating $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  # pyOpenSSL is needed beside model-signing 1.1.1: its verifier imports OpenSSL at
  # import time but model-signing does not declare it.
  "$VENV/bin/pip" install -q --disable-pip-version-check -c "$HERE/constraints.txt" \
    "model-signing==1.1.1" pyOpenSSL
  "$VENV/bin/model_signing" --help >/dev/null
  echo "$STAMP" > "$VENV/.stamp"
fi
log "tools ready in $TOOLS"

#!/usr/bin/env bash
# Creates a Python virtual environment with the pinned packages of a
# requirements file (once; later calls only check it) and prints its path
# on stdout. Everything else goes to stderr.
#
# Usage: scripts/interop/venv.sh REQUIREMENTS VENV_DIR
#
# Packages come from PyPI by name, constrained by constraints.txt beside
# this script (exact versions of every transitive dependency), so the
# environment is the same on every machine. The venv is stamped with a hash
# of the requirements, the constraints and the Python version; a changed
# file or interpreter rebuilds it. Concurrent callers (parallel test
# binaries) are serialised by a lock file next to the venv; a build that
# was interrupted leaves no stamp and is redone.
#
# Environment: PYTHON (default python3).
# Exit status: 0 ready; 1 the build failed; 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "interop/venv.sh: $*" >&2; exit "${2:-1}"; }

[[ $# == 2 ]] || die "usage: venv.sh REQUIREMENTS VENV_DIR" 2
req=$1
venv=$2
[[ $req == /* ]] || req=$PWD/$req
[[ $venv == /* ]] || venv=$PWD/$venv
constraints=$here/constraints.txt
[[ -f $req ]] || die "$req: no such requirements file" 2
python=${PYTHON:-python3}
command -v "$python" >/dev/null || die "$python not found (set PYTHON to a Python 3.10+ interpreter)"

stamp=$({
  cat "$req" "$constraints"
  "$python" -c 'import sys; print(sys.version)'
} | sha256sum | cut -d' ' -f1)

ready() {
  [[ -x $venv/bin/python && -f $venv/.custody-stamp && $(<"$venv/.custody-stamp") == "$stamp" ]]
}

if ready; then
  echo "$venv"
  exit 0
fi

mkdir -p "$(dirname "$venv")"
lock=$venv.lock
if command -v flock >/dev/null; then
  exec 9>"$lock"
  flock 9
else
  # No flock (macOS): a lock directory, taken over when its owner is gone.
  until mkdir "$lock.d" 2>/dev/null; do
    owner=$(cat "$lock.d/pid" 2>/dev/null || true)
    if [[ -n $owner ]] && ! kill -0 "$owner" 2>/dev/null; then rm -rf "$lock.d"; fi
    sleep 1
  done
  echo $$ >"$lock.d/pid"
  trap 'rm -rf "$lock.d"' EXIT
fi

# Another caller may have built it while we waited.
if ready; then
  echo "$venv"
  exit 0
fi

echo "interop/venv.sh: building $venv from $(basename "$req") (once)" >&2
rm -rf "$venv"
log=$(mktemp)
if ! "$python" -m venv "$venv" >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; rm -rf "$venv"
  die "'$python -m venv' failed (on Debian: apt-get install python3-venv)"
fi
if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --no-input -q \
    -r "$req" -c "$constraints" >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; rm -rf "$venv"
  die "pip install -r $req failed (needs access to PyPI)"
fi
rm -f "$log"
echo "$stamp" >"$venv/.custody-stamp"
echo "$venv"

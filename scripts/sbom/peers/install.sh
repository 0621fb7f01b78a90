#!/usr/bin/env bash
# Installs the peer SBOM generators that fixtures/sbom/make.sh and
# bench/sbom/run.sh run, at the versions pinned beside this script, and
# prints DIR. Idempotent: each tool is rebuilt only when its pins change.
#
# Usage: scripts/sbom/peers/install.sh DIR
#
#   DIR/cyclonedx-py/bin/cyclonedx-py   cyclonedx-bom (PyPI), cyclonedx-bom.txt
#   DIR/sbom4python/bin/sbom4python     sbom4python (PyPI),   sbom4python.txt
#   DIR/cdxgen/node_modules/.bin/cdxgen @cyclonedx/cdxgen (npm), package.json +
#                                       package-lock.json, optional plugins
#                                       (binary helpers, not needed for Python) omitted
#
# Needs PyPI, the npm registry, python3.11 (PY311) and npm. Exit 1 on failure.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# == 1 ]] || { echo "usage: install.sh DIR" >&2; exit 2; }
DIR=$1
PY311=${PY311:-$(command -v python3.11 || true)}
[[ -n $PY311 ]] || { echo "peers/install.sh: python3.11 not found (set PY311)" >&2; exit 1; }
mkdir -p "$DIR"
log() { echo "[peers] $*" >&2; }

pyvenv() { # NAME REQUIREMENTS
  local dir=$DIR/$1 req=$HERE/$2 stamp
  stamp=$({ cat "$req"; "$PY311" -VV; } | sha256sum | cut -d' ' -f1)
  [[ -f $dir/.stamp && $(<"$dir/.stamp") == "$stamp" ]] && return 0
  log "building $dir from $2"
  rm -rf "$dir"
  "$PY311" -m venv "$dir"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$dir/bin/pip" install -q --no-input --no-deps -r "$req"
  "$dir/bin/pip" check >/dev/null
  echo "$stamp" >"$dir/.stamp"
}
pyvenv cyclonedx-py cyclonedx-bom.txt
pyvenv sbom4python sbom4python.txt

dir=$DIR/cdxgen
stamp=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if ! [[ -f $dir/.stamp && $(<"$dir/.stamp") == "$stamp" ]]; then
  command -v npm >/dev/null || { echo "peers/install.sh: npm is needed for cdxgen" >&2; exit 1; }
  log "installing cdxgen into $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$dir/"
  # `npm ci` refuses this lock (cdxgen names platform packages that do not
  # exist for every platform); `npm install` with the lock present installs
  # the locked versions.
  (cd "$dir" && npm install --omit=optional --no-audit --no-fund --silent)
  cmp -s "$HERE/package-lock.json" "$dir/package-lock.json" ||
    log "note: npm rewrote the lock in $dir (versions installed: see $dir/package-lock.json)"
  echo "$stamp" >"$dir/.stamp"
fi
echo "$DIR"

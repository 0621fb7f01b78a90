#!/usr/bin/env bash
# Validate SBOM files with the reference validators (for CI and by hand).
#
# Usage: scripts/sbom/validate.sh FILE...        validate (installs once if needed)
#        scripts/sbom/validate.sh --install      install only (a CI setup step)
#        scripts/sbom/validate.sh --controls     run the built-in controls only
#
# Each FILE's format is detected from its content, and one line is printed:
#   FILE: valid (FORMAT VERSION, validator)
#   FILE: INVALID (N problems)            followed by the problems, indented
#   FILE: NOT VALIDATED: reason           (not a supported SBOM)
#
#   CycloneDX JSON 1.2-1.7  cyclonedx-python-lib JsonStrictValidator for the
#                           document's specVersion + a bom-ref check
#   SPDX 2.2/2.3 JSON       spdx-tools (what `pyspdxtools -i FILE` runs) + the
#                           SPDX 2.x JSON schema
#   SPDX 3.0.1 JSON-LD      the SPDX 3.0.1 JSON schema + the spdx-python-model
#                           bindings of the 3.0.1 model
# See scripts/sbom/README.md for what each checks and where the schemas come from.
#
# Every run first validates built-in controls: a minimal valid document per
# format must pass and single-fault mutations of it (a CycloneDX licence id
# off the SPDX list, an SPDX 2.3 package without downloadLocation, ...) must
# fail; otherwise the script stops with "the validator accepted a broken document".
#
# The validators live in a venv at <repo>/target/sbom-tools, built once from
# the exact pins in requirements.txt (PyPI) plus two schema files taken from
# the lib4sbom wheel (sha256-checked). A changed requirements.txt, schema pin
# or Python rebuilds it; later runs only compare a stamp, then run offline.
#
# Environment: PYTHON (default python3, 3.10+), SBOM_TOOLS_DIR (default
# <repo>/target/sbom-tools).
# Exit status: 0 all valid; 1 a file invalid or unsupported; 2 usage or install
# error, or a control behaved wrongly.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VENV=${SBOM_TOOLS_DIR:-$REPO/target/sbom-tools}
PYTHON=${PYTHON:-python3}

# ---- schema source: data files of this wheel (its code is not installed) -----
SCHEMA_PKG=lib4sbom
SCHEMA_PKG_VERSION=0.10.4
SCHEMA_WHL_SHA256=ba6652ac2d0ba767d48f912c762f41ab3843cf5817303082aaa2ee8a1952de04
# member -> file name in the venv, sha256 (also pinned in validate.py)
SCHEMA_FILES=(
  "lib4sbom/schemas/spdx/2.2-schema.json spdx-2.2-schema.json 02fe1a05a97c51af9e491e8499ac02223338f856f909c5db9cd7069c54949990"
  "lib4sbom/schemas/spdx/2.3-schema.json spdx-2.3-schema.json 239208b7ac287b3cf5d9a9af23f9d69863971102a5e1587a27a398b43490b89b"
  "lib4sbom/schemas/spdx/3.0-schema.json spdx-3.0.1-schema.json 582c64e809d5b3ef9bd0c4de13a32391b47b0284a3e8d199569fb96f649234b1"
)
# ------------------------------------------------------------------------------

die() { echo "sbom/validate.sh: $*" >&2; exit 2; }

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

mode=files
case ${1:-} in
  --install) mode=install; shift ;;
  --controls) mode=controls; shift ;;
  -h|--help|"") usage ;;
  -*) [[ $1 == -- ]] && shift || die "unknown option $1 (see --help)" ;;
esac
[[ $mode != files || $# -gt 0 ]] || usage

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON to a Python 3.10+ interpreter)"

stamp=$({
  cat "$HERE/requirements.txt"
  echo "$SCHEMA_PKG==$SCHEMA_PKG_VERSION $SCHEMA_WHL_SHA256 ${SCHEMA_FILES[*]}"
  "$PYTHON" -c 'import sys; print(sys.version)'
} | sha256sum | cut -d' ' -f1)

ready() { [[ -x $VENV/bin/python && -f $VENV/.stamp && $(<"$VENV/.stamp") == "$stamp" ]]; }

build() {
  echo "sbom/validate.sh: building $VENV from requirements.txt (once)" >&2
  rm -rf "$VENV"
  local log; log=$(mktemp)
  if ! "$PYTHON" -m venv "$VENV" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; rm -rf "$VENV"
    die "'$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)"
  fi
  # --no-deps: requirements.txt pins the complete closure; pip check proves it.
  if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --no-input -q --no-deps \
      -r "$HERE/requirements.txt" >"$log" 2>&1 ||
     ! "$VENV/bin/python" -m pip check >>"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; rm -rf "$VENV"
    die "pip install -r scripts/sbom/requirements.txt failed (needs PyPI)"
  fi
  local dl="$VENV/.schema-download" whl got
  mkdir -p "$dl" "$VENV/share/sbom-schemas"
  if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip download -q --no-deps \
      --only-binary=:all: -d "$dl" "$SCHEMA_PKG==$SCHEMA_PKG_VERSION" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; rm -rf "$VENV"
    die "pip download $SCHEMA_PKG==$SCHEMA_PKG_VERSION failed (needs PyPI)"
  fi
  rm -f "$log"
  whl=$(ls "$dl"/*.whl)
  got=$(sha256sum "$whl" | cut -d' ' -f1)
  [[ $got == "$SCHEMA_WHL_SHA256" ]] || { rm -rf "$VENV"; die "$whl: sha256 $got != pinned $SCHEMA_WHL_SHA256"; }
  local entry member name want
  for entry in "${SCHEMA_FILES[@]}"; do
    read -r member name want <<<"$entry"
    "$VENV/bin/python" -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
      "$whl" "$member" "$VENV/share/sbom-schemas/$name"
    got=$(sha256sum "$VENV/share/sbom-schemas/$name" | cut -d' ' -f1)
    [[ $got == "$want" ]] || { rm -rf "$VENV"; die "$member: sha256 $got != pinned $want"; }
  done
  rm -rf "$dl"
  echo "$stamp" >"$VENV/.stamp"
}

if ! ready; then
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  if command -v flock >/dev/null; then flock 9; fi
  ready || build   # another caller may have built it while we waited
fi

[[ $mode == install ]] && exit 0

args=(--schemas "$VENV/share/sbom-schemas")
[[ $mode == controls ]] && args+=(--controls-only)
exec "$VENV/bin/python" -s "$HERE/validate.py" "${args[@]}" "$@"

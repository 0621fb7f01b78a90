#!/usr/bin/env bash
# Provisions in-toto and securesystemslib (pinned in in-toto.txt), an
# independent DSSE implementation, for crates/custody-seal/tests/intoto.rs,
# and prints the venv path. Idempotent: later calls only check the venv.
#
# Usage: scripts/interop/in-toto-venv.sh [VENV_DIR]
#   VENV_DIR defaults to ${CARGO_TARGET_DIR:-<repo>/target}/interop/in-toto-venv.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=${CARGO_TARGET_DIR:-$here/../../target}
exec bash "$here/venv.sh" "$here/in-toto.txt" "${1:-$target/interop/in-toto-venv}"

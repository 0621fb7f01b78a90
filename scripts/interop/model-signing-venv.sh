#!/usr/bin/env bash
# Provisions the reference implementation of OpenSSF model-signing (the
# `model_signing` CLI, pinned in model-signing.txt) for the interoperability
# tests in crates/custody-seal/tests/modelsign.rs, and prints the venv path.
# Idempotent: later calls only check the venv.
#
# Usage: scripts/interop/model-signing-venv.sh [VENV_DIR]
#   VENV_DIR defaults to ${CARGO_TARGET_DIR:-<repo>/target}/interop/model-signing-venv.
# The CLI is then VENV_DIR/bin/model_signing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=${CARGO_TARGET_DIR:-$here/../../target}
exec bash "$here/venv.sh" "$here/model-signing.txt" "${1:-$target/interop/model-signing-venv}"

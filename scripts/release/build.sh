#!/usr/bin/env bash
# The release build of custody: `cargo build --release --locked --bin
# custody`, with the build's own folders written out of the binary so that
# the same commit and toolchain give the same bytes wherever it is built.
#
# A release binary keeps line tables (`debug = "line-tables-only"` in the
# workspace's release profile) and panic locations; without this script they
# name the checkout (the compile directory of every unit), CARGO_HOME (the
# crates' sources) and the target folder (build scripts' OUT_DIR). Each is
# mapped to a fixed name, for Rust (rustc --remap-path-prefix) and for the C
# that build scripts compile (SQLite, tree-sitter, BLAKE3's assembly:
# -ffile-prefix-map through CFLAGS):
#   <checkout>    -> /custody
#   <CARGO_HOME>  -> /cargo
#   <target>      -> /target
# A debugger then needs `set substitute-path /custody <checkout>` (gdb) to
# show sources; backtraces name the mapped paths. Cargo's `[profile]
# trim-paths` would do this from Cargo.toml for every build, but it is
# unstable in cargo 1.95, and a `.cargo/config.toml` cannot name the
# checkout's path (rustflags there are not expanded); see docs/security.md.
#
# Usage: scripts/release/build.sh [CARGO BUILD ARGS...]
#   prints the binary's path on stdout (<target>/release/custody).
# Environment: CARGO_TARGET_DIR, CARGO_HOME, CFLAGS (kept, the maps
# appended). RUSTFLAGS must be unset: this script sets the flags rustc gets.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
die() { echo "release/build.sh: $*" >&2; exit 2; }
[[ -z ${RUSTFLAGS:-} && -z ${CARGO_ENCODED_RUSTFLAGS:-} ]] ||
  die "RUSTFLAGS is set: the release build sets its own flags (unset it)"

target=${CARGO_TARGET_DIR:-$root/target}
[[ $target == /* ]] || target=$root/$target
cargo_home=${CARGO_HOME:-$HOME/.cargo}
cargo_home=$(cd "$cargo_home" && pwd)
for p in "$root" "$target" "$cargo_home"; do
  [[ $p != *[[:space:]]* ]] || die "'$p' has white space: CFLAGS cannot carry it"
done

# rustc applies the last matching map, so the more specific folders (a
# target or CARGO_HOME inside the checkout) come after the checkout.
maps=("$root=/custody" "$cargo_home=/cargo" "$target=/target")
rustflags=() cflags=${CFLAGS:-}
for m in "${maps[@]}"; do
  rustflags+=("--remap-path-prefix=$m")
  cflags+=" -ffile-prefix-map=$m"
done
# CARGO_ENCODED_RUSTFLAGS: flags separated by 0x1f, so nothing is re-split.
CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${rustflags[*]}")
export CARGO_ENCODED_RUSTFLAGS CFLAGS=$cflags
cd "$root"
cargo build --release --locked --bin custody "$@" >&2
echo "$target/release/custody"

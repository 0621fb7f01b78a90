#!/usr/bin/env bash
# The reproducible-build check: builds the release `custody` binary twice
# from the same commit in two different places, and compares the two
# binaries byte for byte. The builds differ in everything a user's machine
# may differ in without changing the source or the toolchain:
#   - the checkout's folder (two clones, paths of different lengths),
#   - CARGO_TARGET_DIR (each clone's own),
#   - CARGO_HOME's path (build B uses a hard-linked copy of the registry
#     under its own folder, so no crate is downloaded again),
#   - the time of the build (minutes apart).
# Each build is `scripts/release/build.sh` of its clone, the documented
# release build (it sets no flag of its own with --plain: then it is plain
# `cargo build --release --locked`). When the binaries differ,
# scripts/release/compare.sh explains how.
#
# Usage: scripts/release/reproducible.sh [--keep] [--plain] [REV]
#   REV      the commit to build (default HEAD; uncommitted changes are not
#            built: clones see commits only)
#   --keep   keep the clones, target folders and binaries (else removed)
#   --plain  build with `cargo build --release --locked` alone, without
#            build.sh's path remapping (to see what it fixes)
#
# Environment: REPRO_DIR, where the work folder is made (default
# <repo>/target/reproducible; it needs about 2 x 3 GiB), CARGO_BUILD_JOBS.
# Exit status: 0 identical; 1 different (explained); 2 usage or build error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "release/reproducible.sh: $*" >&2; exit 2; }

keep=0 plain=0 rev=HEAD
while [[ $# -gt 0 ]]; do
  case $1 in
    --keep) keep=1 ;;
    --plain) plain=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    -*) die "unknown option $1" ;;
    *) rev=$1 ;;
  esac
  shift
done
commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "$rev: not a commit"
cargo_home=${CARGO_HOME:-$HOME/.cargo}
[[ -d $cargo_home/registry ]] || die "$cargo_home/registry: no such folder (fetch the crates once: cargo fetch --locked)"

mkdir -p "${REPRO_DIR:-$repo/target/reproducible}"
work=$(mktemp -d "${REPRO_DIR:-$repo/target/reproducible}/run.XXXXXX")
cleanup() {
  if [[ $keep == 1 ]]; then
    echo "kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Two places whose paths share no suffix and differ in length.
src_a=$work/a/custody
src_b=$work/build-b/elsewhere/src
home_b=$work/build-b/cargo-home
for src in "$src_a" "$src_b"; do
  git clone -q --no-checkout "$repo" "$src"
  git -C "$src" checkout -q --detach "$commit"
done
# Build B's cargo home: the same registry files under another path.
mkdir -p "$home_b"
cp -al "$cargo_home/registry" "$home_b/registry"

build() { # NAME SRC TARGET CARGO_HOME
  local name=$1 src=$2 target=$3 home=$4 log=$work/$1.log status
  echo "== build $name: $src (target $target, CARGO_HOME $home)" >&2
  local cmd=(bash scripts/release/build.sh)
  [[ $plain == 1 ]] && cmd=(cargo build --release --locked --bin custody)
  local TIMEFORMAT='%R %U %S'
  set +e
  { time (cd "$src" && CARGO_TARGET_DIR=$target CARGO_HOME=$home "${cmd[@]}" >"$log" 2>&1); } 2>"$work/$name.time"
  status=$?
  set -e
  if [[ $status != 0 ]]; then
    tail -n 30 "$log" >&2
    die "build $name failed (log above)"
  fi
  read -r real user sys <"$work/$name.time"
  times+=("build $name: ${real%.*} s wall, $(( ${user%.*} + ${sys%.*} )) s CPU")
  echo "   ${times[-1]}" >&2
  cp "$target/release/custody" "$work/custody-$name"
}
times=()
build A "$src_a" "$work/a/target" "$cargo_home"
build B "$src_b" "$work/build-b/t" "$home_b"

echo "commit $commit, $(rustc --version), $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)$([[ $plain == 1 ]] && echo ', --plain')"
printf '%s\n' "${times[@]}"
set +e
bash "$here/compare.sh" "$work/custody-A" "$work/custody-B" \
  "checkout-A=$src_a" "checkout-B=$src_b" \
  "target-A=$work/a/target" "target-B=$work/build-b/t" \
  "cargo-home-A=$cargo_home" "cargo-home-B=$home_b"
status=$?
set -e
exit "$status"

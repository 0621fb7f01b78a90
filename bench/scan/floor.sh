#!/usr/bin/env bash
# How close is custody's warm scan to the cost of merely looking at the files?
#
# Runs, interleaved on the same environment: custody's warm scan (inspection
# on, every distribution from the cache), `find -printf '%s %i %C@'` (one
# thread), and walk_floor.c (a C walker on every core: getdents64 + statx of
# size, inode and ctime, nothing else; also with the statx left out). Prints
# medians and custody's ratio to each.
#
#   bash bench/scan/floor.sh [ENV_DIR] [RUNS]
#
# ENV_DIR defaults to bench/scan's environment (/tmp/bench-env, made by
# setup.sh). Needs gcc and a release build of custody.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ENV_DIR="${1:-${BENCH_ENV:-/tmp/bench-env}}"
RUNS="${2:-15}"
CUSTODY_BIN="${CUSTODY_BIN:-$REPO/target/release/custody}"
ADVISORY_DB="${ADVISORY_DB:-/work/shared/advisories/pypa-advisory-db}"
THREADS="$(nproc)"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT

gcc -O2 -pthread -o "$W/walk_floor" "$HERE/walk_floor.c"
export CUSTODY_HOME="$W/home"
"$CUSTODY_BIN" db import "$ADVISORY_DB" >/dev/null 2>&1
"$CUSTODY_BIN" scan "$ENV_DIR" >/dev/null 2>&1 || true   # fills the inspection cache

ms() { # command... -> wall milliseconds
  local a b
  a=$(date +%s%N); "$@" >/dev/null 2>&1 || true; b=$(date +%s%N)
  echo $(( (b - a) / 1000000 ))
}
declare -A T
for _ in $(seq 1 "$RUNS"); do
  T[custody]+=" $(ms "$CUSTODY_BIN" scan "$ENV_DIR")"
  T[custody-no-inspect]+=" $(ms "$CUSTODY_BIN" scan --no-inspect "$ENV_DIR")"
  T[find-stat]+=" $(ms find "$ENV_DIR" -printf '%s %i %C@\n')"
  T[walk-stat]+=" $(ms "$W/walk_floor" "$ENV_DIR" "$THREADS" 1)"
  T[walk-list]+=" $(ms "$W/walk_floor" "$ENV_DIR" "$THREADS" 0)"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
files=$(find "$ENV_DIR" -not -type d | wc -l)
c=$(echo "${T[custody]}" | median)
echo "environment: $ENV_DIR ($files files), $RUNS runs each, interleaved, $THREADS threads for walk_floor"
printf '%-20s %8s %12s  %s\n' row median_ms custody/row runs
for k in custody custody-no-inspect find-stat walk-stat walk-list; do
  m=$(echo "${T[$k]}" | median)
  printf '%-20s %8s %12s  %s\n' "$k" "$m" "$(awk -v c="$c" -v m="$m" 'BEGIN{ if (m > 0) printf "%.2fx", c/m; else print "-" }')" "${T[$k]# }"
done

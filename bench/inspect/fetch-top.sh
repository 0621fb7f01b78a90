#!/usr/bin/env bash
# Fetch the latest wheel + sdist of the 1,000 most-downloaded PyPI packages
# for custody's false-positive evaluation. Index-only: nothing is installed,
# built or executed (see README.md).
#
#   bench/inspect/fetch-top.sh list     # regenerate top1000.txt from the ranking
#   bench/inspect/fetch-top.sh [--jobs 8] [--limit N]    # download (resumable)
#
# Files go to ${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}/top1000/<name>/,
# the manifest to .../top1000/manifest.tsv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ranking="${PYPI_RANKING:-/work/.library/env/packages/pypi.tsv}"

if [[ "${1:-}" == "list-heldout" ]]; then
  # rank<TAB>name for download ranks 3,001-4,000: packages no rule was tuned on.
  # Even ranks are the tuning half, odd ranks the held-out half (see README.md).
  awk -F'\t' 'NR > 1 && $4 ~ /^[0-9]+$/ && $4 >= 3001 && $4 <= 4000 { print $4 "\t" $1 }' "$ranking" \
    | sort -t$'\t' -k1,1n -k2,2 > "$here/ranks3001-4000.txt"
  echo "wrote $here/ranks3001-4000.txt ($(wc -l < "$here/ranks3001-4000.txt") names)"
  exit 0
fi
if [[ "${1:-}" == "heldout" ]]; then
  shift
  cache="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
  mkdir -p "$cache/ranks3001-4000"
  exec python3 -u "$here/fetch_top.py" --cache "$cache" --set ranks3001-4000 \
    --list "$here/ranks3001-4000.txt" "$@"
fi
if [[ "${1:-}" == "list" ]]; then
  # rank<TAB>name for the 1,000 rows with the lowest non-empty rank.
  awk -F'\t' 'NR > 1 && $4 ~ /^[0-9]+$/ { print $4 "\t" $1 }' "$ranking" \
    | sort -t$'\t' -k1,1n -k2,2 | head -n 1000 > "$here/top1000.txt"
  echo "wrote $here/top1000.txt ($(wc -l < "$here/top1000.txt") names)"
  exit 0
fi

cache="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
mkdir -p "$cache/top1000"
exec python3 -u "$here/fetch_top.py" --cache "$cache" --list "$here/top1000.txt" "$@"

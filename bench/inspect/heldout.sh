#!/usr/bin/env bash
# False alarms of `custody inspect` on benign packages, on a set the rules
# were tuned on and a set they never were, in one run:
#
#   top-1000      PyPI download ranks 1-1,000 (bench/inspect/top1000.txt)
#   tuning half   ranks 3,001-4,000 with an even rank  (rules may be fixed on these)
#   held-out half ranks 3,001-4,000 with an odd rank   (never looked at for rule work:
#                 only counts are printed unless --show-heldout is given)
#
#   bash bench/inspect/fetch-top.sh; bash bench/inspect/fetch-top.sh list-heldout
#   bash bench/inspect/fetch-top.sh heldout            # downloads, index-only
#   cargo build --release --locked --bin custody
#   bash bench/inspect/heldout.sh [--out /tmp/bench-heldout] [--show-heldout]
#
# Nothing is installed or executed: custody reads the archives as data.
set -euo pipefail
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CUSTODY="${CUSTODY:-$ROOT/target/release/custody}"
CACHE="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
OUT=/tmp/bench-heldout
SHOW=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --show-heldout) SHOW=--show-heldout; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "heldout.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$CUSTODY" ] || { echo "heldout.sh: build custody first ($CUSTODY)" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT/json"
for set in top1000 ranks3001-4000; do
  m="$CACHE/$set/manifest.tsv"
  [ -f "$m" ] || { echo "heldout.sh: $m missing; run fetch-top.sh" >&2; exit 1; }
  awk -F'\t' -v dir="$CACHE/$set" -v set="$set" 'NR > 1 && $9 ~ /^ok/ {
      half = set == "top1000" ? "top-1000" : ($1 % 2 == 0 ? "tuning" : "held-out")
      print dir "/" $2 "/" $4 "\t" $1 "\t" $2 "\t" half }' "$m"
done > "$OUT/archives.tsv"
cut -f1 "$OUT/archives.tsv" > "$OUT/paths.txt"
echo "[heldout] $(wc -l < "$OUT/paths.txt") archives; custody $("$CUSTODY" --version)" >&2
t0=$EPOCHREALTIME
# shellcheck disable=SC2016
xargs -r -d '\n' -P 2 -n 50 -a "$OUT/paths.txt" bash -c '
  f=$(mktemp "'"$OUT"'/json/chunk-XXXXXX"); rc=0
  "'"$CUSTODY"'" inspect --format json -- "$@" > "$f.json" || rc=$?
  rm -f "$f"; [ "$rc" -le 2 ] || { echo "custody exited $rc" >&2; exit 255; }' chunk
echo "[heldout] custody took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}') s" >&2
python3 "$HERE/heldout_report.py" "$OUT" $SHOW

#!/usr/bin/env bash
# custody inspect vs GuardDog 3.2.0, side by side on one machine.
#
#   bash bench/inspect/run.sh [--stride N] [--out DIR]      (default: 4, /tmp/bench-inspect)
#   python3 bench/inspect/compare.py DIR                    (Markdown table + DIR/summary.json)
#
# Inputs: the benign top-1000 set (manifest rows with status ok*) and every archive
# under the malicious corpus. The subset is every Nth archive of each set, sorted.
# Steps (sequential, so the tools never compete for the 2 cores):
#   1. custody batch (2 processes, 50 archives each) over the FULL sets
#   2. custody batch (2 processes) over the SUBSET
#   3. custody one process per archive, sequentially, over the SUBSET (ms per package)
#   4. GuardDog via guarddog/run.py --workers 2 over the SUBSET
# The malicious archives are only read (custody in memory; GuardDog extracts into
# its own temp dir and runs YARA). Nothing is installed, built, imported or run.
#
# Env: CUSTODY (binary, default target/release/custody), CUSTODY_BENCH_CACHE,
#      MALICIOUS_CORPUS, GD_ARGS (extra run.py arguments, e.g. --no-sandbox).
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CUSTODY="${CUSTODY:-$ROOT/target/release/custody}"
CACHE="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
MAL_DIR="${MALICIOUS_CORPUS:-$ROOT/../shared/corpus/pypi-malicious-dev}"
STRIDE=4
OUT=/tmp/bench-inspect
while [ $# -gt 0 ]; do
  case "$1" in
    --stride) STRIDE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$STRIDE" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --stride must be a positive integer" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_us() { local t=$EPOCHREALTIME; echo "${t//[.,]/}"; }
secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }

mkdir -p "$OUT"
rm -rf "$OUT/lists" "$OUT/custody" "$OUT/guarddog" "$OUT/bin"
rm -f "$OUT/timings.tsv" "$OUT/machine.tsv" "$OUT/summary.json"
mkdir -p "$OUT/lists" "$OUT/custody" "$OUT/guarddog" "$OUT/bin"
L="$OUT/lists"

# --- the binary: wait if it is being rebuilt, then snapshot it for the whole run ---------
for _ in $(seq 120); do [ -x "$CUSTODY" ] && break; log "waiting for $CUSTODY"; sleep 5; done
cp "$CUSTODY" "$OUT/bin/custody"
BIN="$OUT/bin/custody"
"$BIN" --version >/dev/null

# --- input lists ---------------------------------------------------------------------------
awk -F'\t' -v dir="$CACHE/top1000" 'NR > 1 && $9 ~ /^ok/ { print dir "/" $2 "/" $4 "\t" $2 }' \
  "$CACHE/top1000/manifest.tsv" | sort > "$L/benign-names.tsv"
missing=0
while IFS=$'\t' read -r p _; do [ -f "$p" ] || { log "missing benign archive: $p"; missing=$((missing + 1)); }; done < "$L/benign-names.tsv"
[ "$missing" -eq 0 ] || { log "$missing benign archives missing; run fetch-top.sh"; exit 1; }
cut -f1 "$L/benign-names.tsv" > "$L/benign.txt"
find "$MAL_DIR" -type f \( -name '*.tar.gz' -o -name '*.tgz' -o -name '*.zip' -o -name '*.whl' \
  -o -name '*.tar.bz2' \) | sort > "$L/mal.txt"
for s in mal benign; do
  awk -v n="$STRIDE" 'NR % n == 1 % n' "$L/$s.txt" > "$L/$s-sub.txt"
done
count() { wc -l < "$1" | tr -d ' '; }
log "inputs: malicious $(count "$L/mal.txt") (subset $(count "$L/mal-sub.txt")), benign $(count "$L/benign.txt") (subset $(count "$L/benign-sub.txt")), stride $STRIDE"

# --- machine ---------------------------------------------------------------------------------
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf 'mem\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'loadavg_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'custody_version\t%s\n' "$("$BIN" --version)"
  printf 'custody_sha256\t%s\n' "$(sha256sum "$BIN" | cut -d' ' -f1)"
  printf 'custody_source\t%s\n' "$CUSTODY"
  printf 'stride\t%s\n' "$STRIDE"
  printf 'malicious_corpus\t%s\n' "$MAL_DIR"
  printf 'benign_manifest\t%s\n' "$CACHE/top1000/manifest.tsv"
} > "$OUT/machine.tsv"
load1=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' && log "warning: load average is $load1; timings are noisy on a busy machine"
printf 'tool\tmode\tset\tarchives\twall_s\n' > "$OUT/timings.tsv"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$OUT/timings.tsv"; }

# Benign files are safe to pre-read; this puts runs on an equal (warm page cache) footing.
log "warming the page cache with the benign archives"
tr '\n' '\0' < "$L/benign.txt" | xargs -0 cat > /dev/null

# --- custody batch: 2 processes, 50 archives each, one JSON document per chunk ----------------
# Exit 0/1/2 are verdicts; anything else (crash, signal) stops the run.
CHUNK='bin=$1 dir=$2 chunks=$3; shift 3
f=$(mktemp "$dir/chunk-XXXXXX"); rc=0
"$bin" inspect --format json -- "$@" > "$f.part" || rc=$?
[ "$rc" -le 2 ] || { echo "custody exited $rc on a chunk starting with $1" >&2; exit 255; }
mv "$f.part" "$f.json"; rm -f "$f"
k=$(find "$dir" -name "*.json" | wc -l)
[ $((k % 10)) -eq 0 ] || [ "$k" -eq "$chunks" ] && echo "    $(basename "$dir"): $k/$chunks chunks" >&2
exit 0'
custody_batch() { # scope set
  local dir="$OUT/custody/batch-$1-$2" list="$L/$2.txt"
  [ "$1" = sub ] && list="$L/$2-sub.txt"
  local n; n=$(count "$list")
  mkdir -p "$dir"
  log "custody batch, $1 $2 set: $n archives"
  local t0; t0=$(now_us)
  xargs -r -d '\n' -P 2 -n 50 -a "$list" bash -c "$CHUNK" chunk "$BIN" "$dir" $(( (n + 49) / 50 ))
  local s; s=$(secs $(( $(now_us) - t0 )))
  record custody batch-2proc "$1-$2" "$n" "$s"
  log "  done in $s s"
}
custody_batch full mal
custody_batch full benign
custody_batch sub mal
custody_batch sub benign

# --- custody per archive: one process each, sequential ------------------------------------------
for s in mal benign; do
  tsv="$OUT/custody/per-archive-$s.tsv"
  printf 'wall_us\texit_code\tpath\n' > "$tsv"
  n=$(count "$L/$s-sub.txt"); i=0
  log "custody one process per archive, subset $s set: $n archives"
  t0=$(now_us)
  while IFS= read -r p; do
    a=$(now_us); rc=0
    "$BIN" inspect --format json -- "$p" > /dev/null 2>&1 < /dev/null || rc=$?
    printf '%s\t%s\t%s\n' $(( $(now_us) - a )) "$rc" "$p" >> "$tsv"
    i=$((i + 1)); [ $((i % 100)) -eq 0 ] && log "    $i/$n"
  done < "$L/$s-sub.txt"
  w=$(secs $(( $(now_us) - t0 )))
  record custody per-archive-seq "sub-$s" "$n" "$w"
  log "  done in $w s"
done

# --- GuardDog: run.py --workers 2 ----------------------------------------------------------------
for s in mal benign; do
  n=$(count "$L/$s-sub.txt")
  log "guarddog (run.py --workers 2), subset $s set: $n archives"
  t0=$(now_us)
  # shellcheck disable=SC2086  # GD_ARGS is a list of words
  python3 "$HERE/guarddog/run.py" --list "$L/$s-sub.txt" --workers 2 ${GD_ARGS:-} \
    --out "$OUT/guarddog/$s.jsonl" --summary "$OUT/guarddog/$s.summary" > /dev/null
  w=$(secs $(( $(now_us) - t0 )))
  record guarddog run.py-2workers "sub-$s" "$n" "$w"
  log "  done in $w s"
done

printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.tsv"
log "all runs done; results in $OUT"
python3 "$HERE/compare.py" "$OUT"

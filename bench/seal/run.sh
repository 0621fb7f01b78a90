#!/usr/bin/env bash
# custody seal / verify vs b3sum, sha256sum and model-signing 1.1.1, side by side
# on the same inputs in one run (issue 4).
#
#   bash bench/seal/run.sh [--scale full|small] [--skip-cold] [--repeats N]
#                          [--cold-repeats N] [--only a,b,c] [--out DIR]
#   python3 bench/seal/report.py DIR          (re-print DIR/report.md from DIR/runs.tsv)
#
# Defaults: --scale full, warm repeats 3 (median, after 1 warm-up pass), cold
# repeats 3 (median), all datasets, out dir /tmp/bench-seal.
#
# Datasets (bench/seal/gen.py, deterministic, in $CUSTODY_BENCH_CACHE/seal/<scale>):
#   a  16 files of 128 MiB (2 GiB)        small: 16 x 1 MiB
#   b  200,000 files of 4 KiB (800 MiB)    small: 2,000 x 4 KiB
#   c  one JSONL of 1 GiB, ~1 KiB records  small: 8 MiB
# Warm: one warm-up pass over every command (it also writes the checksum files,
# manifests and signatures the verifiers read), then N passes, tools interleaved
# (round robin). Cold: before every command `sync; echo 3 > /proc/sys/vm/drop_caches`
# (page cache, dentries and inodes); if that file is not writable the report says
# "cold: not possible here" and no cold figure is made up.
# Every command runs under `/usr/bin/time -f '%e %M %U %S'` (peak RSS: the largest single
# process of the command's tree; user and sys CPU seconds go to runs.tsv); wall seconds
# come from bash's EPOCHREALTIME.
# A command that exits non-zero is recorded as failed and shown as such.
#
# Env: CUSTODY (binary, default target/release/custody), CUSTODY_BENCH_CACHE
#      (default ~/.cache/custody-bench), TOOLS (default $CUSTODY_BENCH_CACHE/tools).
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CUSTODY="${CUSTODY:-$ROOT/target/release/custody}"
CACHE="${CUSTODY_BENCH_CACHE:-$HOME/.cache/custody-bench}"
export TOOLS="${TOOLS:-$CACHE/tools}"
ARGS="$*"
SCALE=full; SKIP_COLD=0; REPEATS=3; COLD_REPEATS=3; ONLY=a,b,c; OUT=/tmp/bench-seal
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
    --skip-cold) SKIP_COLD=1; shift ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --cold-repeats) COLD_REPEATS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$SCALE" in full|small) ;; *) echo "run.sh: --scale is full or small" >&2; exit 2 ;; esac
[[ "$REPEATS" =~ ^[1-9][0-9]*$ && "$COLD_REPEATS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "run.sh: repeats must be positive integers" >&2; exit 2; }
[[ "$ONLY" =~ ^[abc](,[abc])*$ ]] || { echo "run.sh: --only takes a comma list of a, b, c" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_us() { local t=$EPOCHREALTIME; echo "${t//[.,]/}"; }

# --- tools ---------------------------------------------------------------------------
bash "$HERE/setup.sh"
B3SUM="$TOOLS/bin/b3sum"
MSIGN="$TOOLS/model-signing/bin/model_signing"
GTIME=/usr/bin/time

DATA="$CACHE/seal/$SCALE"
mkdir -p "$DATA"
# Disk: what gen.py still has to write (+10 % for inodes and folders), plus outputs.
need_kib=0
declare -A SIZE_KIB=([full-a]=2097152 [full-b]=819200 [full-c]=1048576
                     [small-a]=16384 [small-b]=8000 [small-c]=8192)
for d in a b c; do [ -f "$DATA/$d.stamp" ] || need_kib=$((need_kib + SIZE_KIB[$SCALE-$d] * 11 / 10)); done
avail_kib=$(df -Pk "$DATA" | awk 'NR == 2 { print $4 }')
log "disk: $((avail_kib / 1024)) MiB free under $DATA, $((need_kib / 1024)) MiB still to write"
if [ "$avail_kib" -lt $((need_kib + 524288)) ]; then
  log "not enough disk space: need $((need_kib / 1024)) MiB + 512 MiB for outputs"; exit 1
fi
python3 "$HERE/gen.py" "$DATA" --scale "$SCALE"

rm -rf "$OUT/work" "$OUT/logs" "$OUT/bin" "$OUT/keys"
rm -f "$OUT/runs.tsv" "$OUT/machine.tsv" "$OUT/datasets.tsv" "$OUT/report.md"
mkdir -p "$OUT/work" "$OUT/logs" "$OUT/bin" "$OUT/keys"
W="$OUT/work"

# --- the binary: snapshot it for the whole run ------------------------------------------
[ -x "$CUSTODY" ] || { log "no custody binary at $CUSTODY (cargo build --release --locked --bin custody)"; exit 1; }
cp "$CUSTODY" "$OUT/bin/custody"
BIN="$OUT/bin/custody"
"$BIN" seal --help >/dev/null || { log "$CUSTODY has no seal command"; exit 1; }
"$BIN" key generate -o "$OUT/keys/ed25519" >/dev/null
"$BIN" key generate -o "$OUT/keys/p256" --scheme ecdsa-p256 >/dev/null

# --- cold cache possible? -----------------------------------------------------------------
COLD=0; COLD_NOTE="skipped (--skip-cold)"
if [ "$SKIP_COLD" = 0 ]; then
  if sync && { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
    COLD=1; COLD_NOTE="sync; echo 3 > /proc/sys/vm/drop_caches before every cold command"
  else
    COLD_NOTE="not possible here (/proc/sys/vm/drop_caches not writable)"
    log "cold: $COLD_NOTE"
  fi
fi
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# --- machine --------------------------------------------------------------------------------
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf 'cpu_flags\t%s\n' "$(grep -m1 -o -w -E 'sha_ni|avx2|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  printf 'mem\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'disk\t%s\n' "$(df -P "$DATA" | awk 'NR == 2 { print $1 }') ($(findmnt -no FSTYPE -T "$DATA" 2>/dev/null || echo '?'))"
  printf 'loadavg_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'custody_version\t%s\n' "$("$BIN" --version)"
  printf 'custody_sha256\t%s\n' "$(sha256sum "$BIN" | cut -c1-16)"
  printf 'custody_source\t%s (built %s)\n' "$CUSTODY" "$(date -u -r "$CUSTODY" +%Y-%m-%dT%H:%M:%SZ)"
  printf 'b3sum\t%s\n' "$("$B3SUM" --version)"
  printf 'sha256sum\t%s\n' "$(sha256sum --version | head -1)"
  printf 'model_signing\t%s\n' "$("$TOOLS/model-signing/bin/pip" show model-signing 2>/dev/null | awk '/^Version/ { print "model-signing " $2 }'), $("$TOOLS/model-signing/bin/pip" show pyOpenSSL 2>/dev/null | awk '/^Version/ { print "pyOpenSSL " $2 }'), $("$TOOLS/model-signing/bin/pip" show cryptography 2>/dev/null | awk '/^Version/ { print "cryptography " $2 }'), $("$TOOLS/model-signing/bin/python" --version)"
  printf 'gnu_time\t%s\n' "GNU time $(dpkg-query -W -f '${Version}' time 2>/dev/null || $GTIME --version 2>&1 | head -1)"
  printf 'args\t%s\n' "$ARGS"
  printf 'scale\t%s\n' "$SCALE"
  printf 'repeats\t%s\n' "$REPEATS"
  printf 'cold_repeats\t%s\n' "$COLD_REPEATS"
  printf 'cold\t%s\n' "$COLD"
  printf 'cold_note\t%s\n' "$COLD_NOTE"
  printf 'data_dir\t%s\n' "$DATA"
} > "$OUT/machine.tsv"
load1=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' && log "warning: load average is $load1; timings are noisy on a busy machine"

printf 'dataset\tfiles\tbytes\tfolders\trecords\n' > "$OUT/datasets.tsv"
printf 'dataset\tcache\trep\ttool\tmode\top\tseconds\tmaxrss_kib\tuser_s\tsys_s\texit\n' > "$OUT/runs.tsv"

# --- one timed command ----------------------------------------------------------------------
# run_cmd DATASET CACHE REP ID: runs CMD_<ID> (an array), appends a row to runs.tsv.
run_cmd() {
  local ds="$1" cache="$2" rep="$3" id="$4"
  local -n cmd="CMD_$id"
  local tool="${TOOL[$id]}" mode="${MODE[$id]}" op="${OP[$id]}"
  local tf="$W/time.$id" lf="$OUT/logs/$ds-$id"
  [ "$cache" = cold ] && drop_caches
  local t0 rc=0; t0=$(now_us)
  "$GTIME" -f '%e %M %U %S' -o "$tf" "${cmd[@]}" > "$lf.out" 2> "$lf.err" < /dev/null || rc=$?
  local us=$(( $(now_us) - t0 ))
  local rss user sys; read -r _ rss user sys < <(tail -1 "$tf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$cache" "$rep" "$tool" "$mode" "$op" \
    "$(awk -v us="$us" 'BEGIN { printf "%.3f", us / 1e6 }')" "$rss" "$user" "$sys" "$rc" >> "$OUT/runs.tsv"
  if [ "$rc" -ne 0 ]; then
    log "  FAILED (exit $rc): $tool $mode on $ds; stderr: $(head -c 300 "$lf.err")"
  else
    log "  $cache $rep: $tool $mode: $(awk -v us="$us" 'BEGIN { printf "%.2f", us / 1e6 }') s, $((rss / 1024)) MiB"
  fi
}

declare -A TOOL MODE OP
IDS=()
add() { # ID TOOL MODE OP -- CMD...
  local id="$1"; TOOL[$id]="$2"; MODE[$id]="$3"; OP[$id]="$4"; shift 5
  declare -g -a "CMD_$id"
  local -n c="CMD_$id"; c=("$@")
  IDS+=("$id")
}

# The shell around the peers (cd, xargs, redirect) is inside the timed command: they
# get the sorted file list the way a user would give it (b3sum FILE...). custody and
# model_signing get the folder and walk it themselves.
LISTRUN='cd "$1" && xargs -0 -a "$2" "$3" > "$4"'
CHECKRUN='cd "$1" && "$2" --check --quiet "$3"'

bench_dataset() {
  local ds="$1" dir="$DATA/$1" list="$DATA/$1.files"
  local files bytes
  files=$(tr -cd '\0' < "$list" | wc -c)
  bytes=$(cd "$dir" && xargs -0 -a "$list" stat -c %s | awk '{ s += $1 } END { printf "%.0f", s }')
  local folders records=0
  folders=$(find "$dir" -mindepth 1 -type d | wc -l)
  [ "$ds" = c ] && records=$(wc -l < "$dir/records.jsonl")
  printf '%s\t%s\t%s\t%s\t%s\n' "$ds" "$files" "$bytes" "$folders" "$records" >> "$OUT/datasets.tsv"
  log "dataset $ds: $files files, $((bytes / 1048576)) MiB"

  TOOL=(); MODE=(); OP=(); IDS=()
  local K="$OUT/keys"
  add b3sum b3sum "b3sum FILE... (defaults)" hash -- \
    bash -c "$LISTRUN" _ "$dir" "$list" "$B3SUM" "$W/$ds.b3"
  add sha256sum sha256sum "sha256sum FILE..." hash -- \
    bash -c "$LISTRUN" _ "$dir" "$list" sha256sum "$W/$ds.sha256"
  if [ "$ds" = c ]; then
    add seal_norec custody "seal --no-records" seal -- \
      "$BIN" seal "$dir" -k "$K/ed25519.key" -o "$W/$ds.norec.manifest" --no-records
    add seal_rec custody "seal (record index)" seal -- \
      "$BIN" seal "$dir" -k "$K/ed25519.key" -o "$W/$ds.rec.manifest"
    add seal_reckey custody "seal --record-key id" seal -- \
      "$BIN" seal "$dir" -k "$K/ed25519.key" -o "$W/$ds.reckey.manifest" --record-key id
  else
    add seal_b3 custody "seal --no-records" seal -- \
      "$BIN" seal "$dir" -k "$K/ed25519.key" -o "$W/$ds.b3.manifest" --no-records
    add seal_sha custody "seal --hash sha256 --no-records" seal -- \
      "$BIN" seal "$dir" -k "$K/ed25519.key" -o "$W/$ds.sha.manifest" --hash sha256 --no-records
  fi
  add msign model-signing "sign key (P-256)" seal -- \
    "$MSIGN" sign key "$dir" --private_key "$K/p256.key" --signature "$W/$ds.msig"
  [ "$ds" = c ] || add b3check b3sum "b3sum --check --quiet" verify -- \
    bash -c "$CHECKRUN" _ "$dir" "$B3SUM" "$W/$ds.b3"
  if [ "$ds" = c ]; then
    add verify_norec custody "verify (--no-records manifest)" verify -- \
      "$BIN" verify "$dir" -m "$W/$ds.norec.manifest" --key "$K/ed25519.pub"
    add verify_rec custody "verify (record-index manifest)" verify -- \
      "$BIN" verify "$dir" -m "$W/$ds.rec.manifest" --key "$K/ed25519.pub"
  else
    add verify_b3 custody "verify (BLAKE3 manifest)" verify -- \
      "$BIN" verify "$dir" -m "$W/$ds.b3.manifest" --key "$K/ed25519.pub"
    add verify_sha custody "verify (SHA-256 manifest)" verify -- \
      "$BIN" verify "$dir" -m "$W/$ds.sha.manifest" --key "$K/ed25519.pub"
  fi
  add mverify model-signing "verify key (P-256)" verify -- \
    "$MSIGN" verify key "$dir" --signature "$W/$ds.msig" --public_key "$K/p256.pub"

  local id r
  log "$ds: warm-up pass (also writes the checksum files, manifests and signatures)"
  for id in "${IDS[@]}"; do run_cmd "$ds" warm 0 "$id"; done
  for r in $(seq "$REPEATS"); do
    log "$ds: warm pass $r/$REPEATS"
    for id in "${IDS[@]}"; do run_cmd "$ds" warm "$r" "$id"; done
  done
  if [ "$COLD" = 1 ]; then
    for r in $(seq "$COLD_REPEATS"); do
      log "$ds: cold pass $r/$COLD_REPEATS"
      for id in "${IDS[@]}"; do run_cmd "$ds" cold "$r" "$id"; done
    done
  fi
}

T_START=$(now_us)
for ds in a b c; do
  [[ ",$ONLY," == *",$ds,"* ]] && bench_dataset "$ds"
done
printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.tsv"
printf 'total_minutes\t%s\n' "$(awk -v us="$(( $(now_us) - T_START ))" 'BEGIN { printf "%.1f", us / 6e7 }')" >> "$OUT/machine.tsv"
log "all runs done; results in $OUT"
python3 "$HERE/report.py" "$OUT"

#!/usr/bin/env bash
# Side-by-side npm scan benchmark: custody vs its peers, offline, on one real
# node_modules (809 packages, bench/npm/project) and its package-lock.json,
# with one OSV folder for every tool. See README.md.
#
#   bash bench/npm/run.sh
#   ONLY=custody,ref RUNS=5 bash bench/npm/run.sh
#
# Rows (each on TARGETS: nm = $BENCH_NPM/project/node_modules, lock = its
# package-lock.json):
#   custody-import  CUSTODY_HOME=<empty> custody db import $OSV (timed alone)
#   custody         custody scan TARGET --format json, DB imported beforehand
#   ref             bench/npm/refscan.py (this benchmark's OSV reference
#                   matcher in Python: the ground truth, and a naive baseline)
#   osv-scanner     only if OSV_SCANNER_BIN is executable (none installs here,
#                   see README): `scan source --offline-vulnerabilities
#                   --download-offline-databases=false` with $OSV zipped into its
#                   local DB layout (<dir>/osv-scanner/npm/all.zip)
#   npm-audit       only with NPM_AUDIT=1: `npm audit --json` in the project,
#                   ONLINE (npm's own advisory service, not $OSV); lock only.
#                   The registry here answers its endpoint with 405.
#
# Advisory data ($BENCH_NPM/osv): ADVISORIES=fetch (default; npm's bulk
# advisory endpoint, cached in $BENCH_NPM/raw, falls back to synth when it is
# unreachable), synth (synthetic records, ids CUSTODY-BENCH-*), keep (use
# $BENCH_NPM/osv as it is, e.g. real OSV records put there by hand).
#
# Knobs (env): CUSTODY_BIN (<repo>/target/release/custody), RUNS (10), WARMUP (1),
# ONLY (custody,ref,osv-scanner,npm-audit), TARGETS (nm,lock), BENCH_NPM
# (/tmp/bench-npm), OUT (/tmp/bench-results/npm-<ts>), NO_SETUP=1.
# Timer: hyperfine if installed, else bench/scan/timer.py (same JSON). Every
# offline row runs with HTTP(S)_PROXY pointed at a closed port.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_NPM=${BENCH_NPM:-/tmp/bench-npm}
P=$BENCH_NPM/project
OSV=$BENCH_NPM/osv
CUSTODY_BIN=${CUSTODY_BIN:-$REPO/target/release/custody}
OSV_SCANNER_BIN=${OSV_SCANNER_BIN:-/tmp/bench-tools/npm-peers/bin/osv-scanner}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}
ONLY=${ONLY:-custody,ref,osv-scanner,npm-audit}
TARGETS=${TARGETS:-nm,lock}
ADVISORIES=${ADVISORIES:-fetch}
OUT=${OUT:-/tmp/bench-results/npm-$(date +%Y%m%dT%H%M%S)}
PY=python3

log() { printf '[npm-bench] %s\n' "$*" >&2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }
want_target() { [[ ",$TARGETS," == *",$1,"* ]]; }
target_path() { case $1 in nm) echo "$P/node_modules" ;; lock) echo "$P/package-lock.json" ;; esac; }

# --- setup: the project and the advisory data ---------------------------------------
if [[ ${NO_SETUP:-0} != 1 ]]; then
  BENCH_NPM=$BENCH_NPM bash "$HERE/setup.sh" >/dev/null
  case $ADVISORIES in
    fetch) $PY "$HERE/advisories.py" fetch --out "$BENCH_NPM" \
             || { log "bulk advisory endpoint unusable: SYNTHETIC advisories instead"
                  $PY "$HERE/advisories.py" synth --out "$BENCH_NPM"; } ;;
    synth) $PY "$HERE/advisories.py" synth --out "$BENCH_NPM" ;;
    keep) ;;
    *) echo "run.sh: ADVISORIES must be fetch, synth or keep" >&2; exit 1 ;;
  esac
fi
[[ -d $P/node_modules && -d $OSV ]] || { echo "run.sh: no $P/node_modules or $OSV (run without NO_SETUP)" >&2; exit 1; }
if compgen -G "$OSV/CUSTODY-BENCH-*.json" >/dev/null; then DATA=synthetic; else DATA=real; fi

mkdir -p "$OUT/out" "$OUT/time" "$OUT/work"
: >"$OUT/runs.jsonl"
if command -v hyperfine >/dev/null 2>&1; then TIMER=hyperfine; else TIMER=python; fi

OFFLINE="env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost"

# --- custody: present, and does it read npm inputs? -------------------------------
H=$OUT/work/custody-home
CU="$OFFLINE CUSTODY_HOME=$H $CUSTODY_BIN"
declare -A CUSTODY_OK=()
custody_import_ok=0
if want custody; then
  if [[ ! -x $CUSTODY_BIN ]]; then
    log "custody: $CUSTODY_BIN not found; build it: cargo build --release -p custody-cli"
  elif ! sh -c "$CU db import $OSV" >"$OUT/time/custody-import.probe" 2>&1; then
    log "custody: db import $OSV failed: $(tail -3 "$OUT/time/custody-import.probe")"
  else
    custody_import_ok=1
    for t in nm lock; do
      want_target "$t" || continue
      o=$OUT/out/custody-$t.json
      rc=0; sh -c "$CU scan $(target_path "$t") --format json" >"$o" 2>"$OUT/time/custody-$t.probe" || rc=$?
      if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, dict) else 1)' "$o" 2>/dev/null; then
        CUSTODY_OK[$t]=1
        [[ $rc != 0 ]] && log "custody $t: exit $rc (findings) with JSON output: timed"
      else
        log "custody $t: exit $rc, no JSON report: not timed. Its stderr:"
        sed 's/^/    /' "$OUT/time/custody-$t.probe" >&2
      fi
    done
  fi
fi

# --- osv-scanner: present? Its offline DB is $OSV zipped ---------------------------
OSVS_DB=$OUT/work/osv-scanner-db
osvs_ok=0
if want osv-scanner; then
  if [[ -x $OSV_SCANNER_BIN ]]; then
    mkdir -p "$OSVS_DB/osv-scanner/npm"
    (cd "$OSV" && $PY -c 'import zipfile,os,sys
z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)
for f in sorted(os.listdir(".")): z.write(f)' "$OSVS_DB/osv-scanner/npm/all.zip")
    osvs_ok=1
  else
    log "osv-scanner: $OSV_SCANNER_BIN not found (not installable here; see README): skipped"
  fi
fi

# --- npm audit: online; does the endpoint answer? --------------------------------------
npm_audit_ok=0
if want npm-audit && [[ ${NPM_AUDIT:-0} == 1 ]]; then
  if (cd "$P" && npm audit --json --userconfig "$BENCH_NPM/empty-npmrc" --cache "$BENCH_NPM/npm-cache" \
        >"$OUT/out/npm-audit-lock.json" 2>"$OUT/time/npm-audit.probe"); [[ -s $OUT/out/npm-audit-lock.json ]] \
     && $PY -c 'import json,sys; sys.exit(0 if "vulnerabilities" in json.load(open(sys.argv[1])) else 1)' "$OUT/out/npm-audit-lock.json"; then
    npm_audit_ok=1
  else
    log "npm audit: no report ($(grep -m1 -o '[0-9]\{3\} [A-Za-z ]*- [A-Z]* [^ ]*' "$OUT/out/npm-audit-lock.json" 2>/dev/null || tail -1 "$OUT/time/npm-audit.probe")): skipped"
  fi
fi

# --- versions --------------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(uname -sr), loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "timer: $([[ $TIMER == hyperfine ]] && hyperfine --version || echo 'bench/scan/timer.py'); runs: $RUNS (+$WARMUP warm-up)"
  echo "project: $P ($(cd "$P" && (npm ls --all --parseable --userconfig "$BENCH_NPM/empty-npmrc" 2>/dev/null || true) | tail -n +2 | wc -l) installed packages; node $(node --version), npm $(npm --version))"
  echo "advisories: $OSV ($(ls "$OSV" | wc -l) OSV records, $DATA)"
  if [[ -x $CUSTODY_BIN ]]; then echo "custody: $CUSTODY_BIN ($("$CUSTODY_BIN" --version 2>&1 | head -1))"; else echo "custody: missing"; fi
  [[ $osvs_ok == 1 ]] && echo "osv-scanner: $OSV_SCANNER_BIN ($("$OSV_SCANNER_BIN" --version 2>&1 | head -1))"
  [[ $npm_audit_ok == 1 ]] && echo "npm audit: npm $(npm --version), ONLINE (registry's advisory service)"
  echo "python: $($PY -V 2>&1)"
} >"$OUT/versions.txt"
cat "$OUT/versions.txt" >&2

# bench NAME TOOL TARGET FORMAT OUTPUT CMD [PREPARE]   (CMD runs via sh -c in $OUT/work/NAME)
bench() {
  local name=$1 tool=$2 target=$3 fmt=$4 output=$5 cmd=$6 prep=${7:-} tjson=$OUT/time/$1.json
  local wd=$OUT/work/$name
  mkdir -p "$wd"
  log "$name ($RUNS runs): $cmd"
  local args=(--runs "$RUNS" --warmup "$WARMUP" --export-json "$tjson")
  [[ -n $prep ]] && args+=(--prepare "$prep")
  if [[ $TIMER == hyperfine ]]; then
    hyperfine -i --style basic "${args[@]}" "cd $wd && $cmd" >"$OUT/time/$name.log" 2>&1 \
      || log "hyperfine failed for $name (see $OUT/time/$name.log)"
  else
    $PY "$REPO/bench/scan/timer.py" "${args[@]}" "cd $wd && $cmd" 2>"$OUT/time/$name.log" || true
  fi
  $PY - "$OUT/runs.jsonl" "$name" "$tool" "$target" "$fmt" "$output" "$tjson" "$cmd" <<'EOF'
import json, sys
f, name, tool, target, fmt, output, timing, cmd = sys.argv[1:]
open(f, "a").write(json.dumps(dict(name=name, tool=tool, target=target, format=fmt, output=output,
                                   timing=timing, command=cmd)) + "\n")
EOF
}

O=$OUT/out
if [[ $custody_import_ok == 1 ]]; then
  # into an empty CUSTODY_HOME each run; leaves $H imported for the scan rows
  bench custody-import custody none none "" "$CU db import $OSV >/dev/null 2>&1" "rm -rf $H"
fi
for t in nm lock; do
  want_target "$t" || continue
  tp=$(target_path "$t")
  if [[ ${CUSTODY_OK[$t]:-0} == 1 ]]; then
    # the import rows left $H imported; the scan rows keep it
    [[ -d $H ]] || sh -c "$CU db import $OSV" >/dev/null 2>&1
    bench "custody-$t" custody "$t" custody "$O/custody-$t.json" "$CU scan $tp --format json > $O/custody-$t.json"
  fi
  want ref && bench "ref-$t" ref "$t" ref "$O/ref-$t.json" \
    "$OFFLINE $PY $HERE/refscan.py --osv $OSV $tp --json $O/ref-$t.json 2>/dev/null"
  if [[ $osvs_ok == 1 ]]; then
    # osv-scanner reads a lockfile, or node_modules through its hidden
    # node_modules/.package-lock.json; scanning the folder is its nm workflow.
    if [[ $t == lock ]]; then src="--lockfile $tp"; else src="-r $tp"; fi
    bench "osv-scanner-$t" osv-scanner "$t" osv-scanner "$O/osv-scanner-$t.json" \
      "$OFFLINE OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=$OSVS_DB $OSV_SCANNER_BIN scan source --offline-vulnerabilities --download-offline-databases=false --format json $src > $O/osv-scanner-$t.json"
  fi
  if [[ $npm_audit_ok == 1 && $t == lock ]]; then
    bench npm-audit-lock npm-audit lock npm-audit "$O/npm-audit-lock.json" \
      "cd $P && npm audit --json --userconfig $BENCH_NPM/empty-npmrc --cache $BENCH_NPM/npm-cache > $O/npm-audit-lock.json"
  fi
done

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/versions.txt"
$PY "$HERE/compare.py" --runs "$OUT/runs.jsonl" --osv "$OSV" --project "$P" \
  --versions "$OUT/versions.txt" --out "$OUT" | tee "$OUT/summary.txt"
log "results in $OUT (summary.md, summary.json, out/, time/)"

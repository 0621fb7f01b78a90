#!/usr/bin/env bash
# Side-by-side scan benchmark: custody vs pip-audit vs pysentry-rs, offline,
# against the same PyPA advisory snapshot, on one installed env (>= 300
# distributions) and its lockfiles. See bench/scan/NOTES.md.
#
#   bash bench/scan/run.sh                 # everything (runs setup.sh first)
#   ONLY=custody,pip-audit TARGETS=lock bash bench/scan/run.sh
#
# Knobs (env): CUSTODY_BIN (default <repo>/target/release/custody; skipped if
# missing), COLD_RUNS (3), WARM_RUNS (10), OUT (/tmp/bench-results/scan-<ts>),
# OSV_PORT (18765), PROXY_PORT (18766), ONLY (tools: custody,pip-audit,pysentry,
# pysentry-osv), TARGETS (env,lock,uvlock), NO_SETUP=1 to skip setup.sh.
#
# cold = fresh tool cache / fresh DB (custody: `db import` into an empty
#        CUSTODY_HOME inside the timed command; pysentry: empty --cache-dir, so it
#        re-downloads the zip from the loopback proxy and rebuilds its DB;
#        pip-audit: empty --cache-dir) and, when /proc/sys/vm/drop_caches is
#        writable, `sync; echo 3 > /proc/sys/vm/drop_caches` before every run.
#        Median of COLD_RUNS.
# warm = caches left by the cold runs, 1 unmeasured warm-up, median of WARM_RUNS.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TOOLS="${BENCH_TOOLS:-/tmp/bench-tools}"
DATA="${BENCH_DATA:-/tmp/bench-data}"
ENV_DIR="${BENCH_ENV:-/tmp/bench-env}"
ADVISORY_DB="${ADVISORY_DB:-/work/shared/advisories/pypa-advisory-db}"
CUSTODY_BIN="${CUSTODY_BIN:-$REPO/target/release/custody}"
COLD_RUNS="${COLD_RUNS:-3}"
WARM_RUNS="${WARM_RUNS:-10}"
OSV_PORT="${OSV_PORT:-18765}"
PROXY_PORT="${PROXY_PORT:-18766}"
ONLY="${ONLY:-custody,pip-audit,pysentry,pysentry-osv}"
TARGETS="${TARGETS:-env,lock,uvlock}"
OUT="${OUT:-/tmp/bench-results/scan-$(date +%Y%m%dT%H%M%S)}"

log() { printf '[run] %s\n' "$*" >&2; }
want_tool() { [[ ",$ONLY," == *",$1,"* ]]; }
want_target() { [[ ",$TARGETS," == *",$1,"* ]]; }

[ "${NO_SETUP:-0}" = 1 ] || bash "$HERE/setup.sh"

PY="$TOOLS/py/bin/python"
REQ="$DATA/lock-req/requirements.txt"
UVLOCK_DIR="$DATA/lock-uv"
SITE="$("$ENV_DIR/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
W="$OUT/work"            # tool caches / homes
mkdir -p "$OUT/out" "$OUT/time" "$W"
: > "$OUT/runs.jsonl"

# --- loopback services -------------------------------------------------------------
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
rm -f "$OUT/osv.ready" "$OUT/proxy.ready"
"$PY" "$HERE/osv_server.py" --db "$ADVISORY_DB" --port "$OSV_PORT" \
  --log "$OUT/osv-requests.log" --ready-file "$OUT/osv.ready" 2>"$OUT/osv-server.err" &
PIDS+=($!)
"$PY" "$HERE/offline_proxy.py" --port "$PROXY_PORT" --zip "$DATA/advisory-database-main.zip" \
  --cert "$DATA/certs/github.com.pem" --key "$DATA/certs/github.com.key" \
  --log "$OUT/proxy.log" --ready-file "$OUT/proxy.ready" 2>"$OUT/proxy.err" &
PIDS+=($!)
for _ in $(seq 1 120); do
  [ -f "$OUT/osv.ready" ] && [ -f "$OUT/proxy.ready" ] && break
  sleep 0.25
done
[ -f "$OUT/osv.ready" ] && [ -f "$OUT/proxy.ready" ] || { cat "$OUT"/*.err >&2; exit 1; }
log "$(cat "$OUT/osv-server.err")"

# Everything a tool tries to reach outside loopback goes to the proxy and is refused.
export HTTP_PROXY="http://127.0.0.1:$PROXY_PORT" HTTPS_PROXY="http://127.0.0.1:$PROXY_PORT"
export ALL_PROXY="$HTTP_PROXY" http_proxy="$HTTP_PROXY" https_proxy="$HTTP_PROXY" all_proxy="$HTTP_PROXY"
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

DROP=""
if (sync; echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  DROP="sync; echo 3 > /proc/sys/vm/drop_caches"
  log "page cache is dropped before every cold run"
else
  log "cannot write /proc/sys/vm/drop_caches: cold = empty tool caches only"
fi

if command -v hyperfine >/dev/null 2>&1; then TIMER=hyperfine; else TIMER=python; fi
log "timer: $TIMER; cold runs: $COLD_RUNS; warm runs: $WARM_RUNS; results: $OUT"

stats() { curl -s --noproxy '*' "http://127.0.0.1:$1/__stats" || echo '{}'; }
reset_stats() { curl -s --noproxy '*' -XPOST "http://127.0.0.1:$1/__reset" >/dev/null || true; }

# bench NAME TOOL TARGET PHASE FORMAT OUTPUT PREPARE CMD
bench() {
  local name="$1" tool="$2" target="$3" phase="$4" fmt="$5" output="$6" prep="$7" cmd="$8"
  local runs warm tjson="$OUT/time/$name.json"
  if [ "$phase" = cold ]; then runs="$COLD_RUNS"; warm=0; else runs="$WARM_RUNS"; warm=1; fi
  log "$name: $cmd"
  reset_stats "$OSV_PORT"; reset_stats "$PROXY_PORT"
  local args=(--runs "$runs" --warmup "$warm" --export-json "$tjson")
  [ -n "$prep" ] && args+=(--prepare "$prep")
  if [ "$TIMER" = hyperfine ]; then
    hyperfine -i --style basic "${args[@]}" "$cmd" >"$OUT/time/$name.log" 2>&1 \
      || log "hyperfine failed for $name (see $OUT/time/$name.log)"
  else
    "$PY" "$HERE/timer.py" "${args[@]}" "$cmd" 2>"$OUT/time/$name.log" || true
  fi
  "$PY" - "$OUT/runs.jsonl" "$name" "$tool" "$target" "$phase" "$fmt" "$output" "$tjson" \
      "$cmd" "$(stats "$OSV_PORT")" "$(stats "$PROXY_PORT")" "$((runs + warm))" <<'EOF'
import json, sys
f, name, tool, target, phase, fmt, output, tjson, cmd, osv, proxy, total = sys.argv[1:]
rec = dict(name=name, tool=tool, target=target, phase=phase, format=fmt, output=output,
           timing=tjson, command=cmd, invocations=int(total), osv_requests=json.loads(osv or "{}"),
           outside_network=json.loads(proxy or "{}"))
open(f, "a").write(json.dumps(rec) + "\n")
EOF
}

# both NAME TOOL TARGET FORMAT OUTPUT COLD_PREP CMD_COLD CMD_WARM
both() {
  bench "$1-cold" "$2" "$3" cold "$4" "$5" "$6" "$7"
  bench "$1-warm" "$2" "$3" warm "$4" "$5" "" "$8"
}
dropc() { if [ -n "$DROP" ]; then echo "rm -rf $1; $DROP"; else echo "rm -rf $1"; fi; }

# --- versions --------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(uname -sr), loadavg at start: $(cut -d" " -f1-3 /proc/loadavg)"
  echo "pip-audit: $("$TOOLS/pip-audit/bin/pip-audit" --version 2>&1)"
  echo "pysentry-rs: $("$TOOLS/pysentry/bin/pysentry-rs" --version 2>&1)"
  echo "hyperfine: $(hyperfine --version 2>/dev/null || echo 'absent (timer.py)')"
  echo "env: $ENV_DIR ($("$ENV_DIR/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l) distributions, $("$ENV_DIR/bin/python" -V))"
  if [ -x "$CUSTODY_BIN" ]; then echo "custody: $CUSTODY_BIN ($("$CUSTODY_BIN" --version 2>&1 | head -1))"; else echo "custody: missing ($CUSTODY_BIN)"; fi
} > "$OUT/versions.txt"
cat "$OUT/versions.txt" >&2

# --- pip-audit (OSV service = local osv_server.py) -----------------------------------
if want_tool pip-audit; then
  PA="$TOOLS/pip-audit/bin/pip-audit -s osv --osv-url http://127.0.0.1:$OSV_PORT/v1/query -f json --progress-spinner off --cache-dir $W/pa-cache"
  if want_target env; then
    o="$OUT/out/pip-audit-env.json"
    both pip-audit-env pip-audit env pip-audit "$o" "$(dropc "$W/pa-cache")" \
      "$PA --path $SITE -o $o" "$PA --path $SITE -o $o"
  fi
  if want_target lock; then
    o="$OUT/out/pip-audit-lock.json"
    both pip-audit-lock pip-audit lock pip-audit "$o" "$(dropc "$W/pa-cache")" \
      "$PA -r $REQ --disable-pip -o $o" "$PA -r $REQ --disable-pip -o $o"
  fi
fi

# --- pysentry-rs, PyPA source (zip served by offline_proxy.py) ---------------------
if want_tool pysentry; then
  PS="env SSL_CERT_FILE=$DATA/certs/ca.pem $TOOLS/pysentry/bin/pysentry-rs"
  PSC="--sources pypa --cache-dir $W/ps-cache --format json --no-maintenance-check -q --no-config"
  if want_target env; then
    # pysentry-rs cannot read an installed environment; the closest workflow is
    # `pip freeze` into a requirements file, timed together.
    mkdir -p "$W/ps-env"
    o="$OUT/out/pysentry-env.json"
    c="$ENV_DIR/bin/python -m pip freeze --all > $W/ps-env/requirements.txt && $PS $W/ps-env --requirements-files $W/ps-env/requirements.txt --no-resolver $PSC -o $o"
    both pysentry-env pysentry env pysentry "$o" "$(dropc "$W/ps-cache")" "$c" "$c"
  fi
  if want_target lock; then
    o="$OUT/out/pysentry-lock.json"
    c="$PS $DATA/lock-req --requirements-files $REQ --no-resolver $PSC -o $o"
    both pysentry-lock pysentry lock pysentry "$o" "$(dropc "$W/ps-cache")" "$c" "$c"
  fi
  if want_target uvlock; then
    o="$OUT/out/pysentry-uvlock.json"
    c="$PS $UVLOCK_DIR $PSC -o $o"
    both pysentry-uvlock pysentry uvlock pysentry "$o" "$(dropc "$W/ps-cache")" "$c" "$c"
  fi
fi

# --- pysentry-rs, OSV source (= local osv_server.py); warm runs hit its result cache --
if want_tool pysentry-osv && want_target uvlock; then
  o="$OUT/out/pysentry-osv-uvlock.json"
  c="$TOOLS/pysentry/bin/pysentry-rs $UVLOCK_DIR --sources osv --service-url http://127.0.0.1:$OSV_PORT/v1 --cache-dir $W/pso-cache --format json --no-maintenance-check -q --no-config -o $o"
  both pysentry-osv-uvlock pysentry-osv uvlock pysentry "$o" "$(dropc "$W/pso-cache")" "$c" "$c"
fi

# --- custody ---------------------------------------------------------------------------
if want_tool custody; then
  if [ ! -x "$CUSTODY_BIN" ]; then
    log "custody: $CUSTODY_BIN not found; skipping (build it or set CUSTODY_BIN)"
  else
    H="$W/custody-home"
    CU="env CUSTODY_HOME=$H $CUSTODY_BIN"
    # custody imports the same PyPA snapshot zip that pysentry-rs downloads
    # (through offline_proxy.py), so both cold rows start from one file.
    CUSTODY_SRC="${CUSTODY_IMPORT_SRC:-$DATA/advisory-database-main.zip}"
    [ -f "$CUSTODY_SRC" ] || CUSTODY_SRC="$ADVISORY_DB"
    IMPORT="$CU db import $CUSTODY_SRC >/dev/null 2>&1"
    # DB import alone, into an empty home each time.
    bench custody-import custody import cold none "" "$(dropc "$H")" "$IMPORT"
    for t in env lock uvlock; do
      want_target "$t" || continue
      case "$t" in
        env) p="$ENV_DIR" ;;
        lock) p="$REQ" ;;
        uvlock) p="$UVLOCK_DIR/uv.lock" ;;
      esac
      o="$OUT/out/custody-$t.json"
      # cold: empty CUSTODY_HOME, import + scan inside the timed command.
      both "custody-$t" custody "$t" custody "$o" "$(dropc "$H")" \
        "$IMPORT && $CU scan $p --format json > $o" "$CU scan $p --format json > $o"
      # Cold scan with the database already imported (page cache dropped, DB
      # kept, inspection cache emptied): the counterpart of pip-audit's cold
      # row, whose local OSV server has its database loaded before timing starts.
      bench "custody-ready-$t-cold" custody-db-ready "$t" cold custody "$o" \
        "rm -rf $H/cache; $DROP" "$CU scan $p --format json > $o"
    done
  fi
fi

# --- report ---------------------------------------------------------------------------
"$PY" "$HERE/compare.py" --runs "$OUT/runs.jsonl" --db "$ADVISORY_DB" \
  --env "$ENV_DIR" --req "$REQ" --uvlock "$UVLOCK_DIR/uv.lock" \
  --versions "$OUT/versions.txt" --out "$OUT" | tee "$OUT/summary.txt"
log "results in $OUT (summary.txt, summary.md, summary.json)"

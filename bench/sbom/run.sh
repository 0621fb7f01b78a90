#!/usr/bin/env bash
# Side-by-side SBOM generation benchmark: `custody sbom` vs the peer generators,
# on one installed environment (bench/scan's, 329 distributions), and a
# comparison of the Python packages each SBOM lists. See README.md.
#
#   bash bench/sbom/run.sh
#   ONLY=custody,cyclonedx-py RUNS=10 bash bench/sbom/run.sh
#
# Rows (all CycloneDX JSON, spec 1.6, of BENCH_ENV):
#   custody                 $CUSTODY_BIN sbom ENV --format cyclonedx
#   cyclonedx-py            cyclonedx-py environment (validates its output: the default)
#   cyclonedx-py-novalidate cyclonedx-py environment --no-validate
#   cdxgen                  cdxgen -t python --no-install-deps (validates: the default)
#   cdxgen-novalidate       the same with --no-validate
#   sbom4python             sbom4python --system --use-pip --python ENV/bin/python
#                           --sbom cyclonedx (spec 1.7: it has no 1.6 switch); it
#                           runs `pip show` per package and per dependency edge,
#                           about 45 min here, so it gets SLOW_RUNS (leave it out
#                           with ONLY=custody,cyclonedx-py,...)
#
# Knobs (env): CUSTODY_BIN (default <repo>/target/release/custody), RUNS (5),
# WARMUP (1), SLOW_RUNS (1, for sbom4python), ONLY (comma list of rows; default
# all), BENCH_ENV (/tmp/bench-env), PEERS (/tmp/bench-tools/sbom-peers),
# OUT (/tmp/bench-results/sbom-<ts>), NO_SETUP=1 (skip building the env and
# installing the peers).
#
# Each row runs in a scratch working folder, with the network pointed at a
# closed port (HTTP(S)_PROXY=127.0.0.1:9): what a tool would fetch, it cannot.
# Timer: hyperfine if installed, else bench/scan/timer.py (same JSON).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ENV_DIR=${BENCH_ENV:-/tmp/bench-env}
PEERS=${PEERS:-/tmp/bench-tools/sbom-peers}
CUSTODY_BIN=${CUSTODY_BIN:-$REPO/target/release/custody}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
SLOW_RUNS=${SLOW_RUNS:-1}
ONLY=${ONLY:-custody,cyclonedx-py,cyclonedx-py-novalidate,cdxgen,cdxgen-novalidate,sbom4python}
OUT=${OUT:-/tmp/bench-results/sbom-$(date +%Y%m%dT%H%M%S)}

log() { printf '[sbom-bench] %s\n' "$*" >&2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# --- setup: the environment (bench/scan/setup.sh) and the peers ----------------
if [[ ${NO_SETUP:-0} != 1 ]]; then
  want_sum=$(sha256sum "$REPO/bench/scan/env-requirements.txt" | cut -d' ' -f1)
  if [[ ! -f $ENV_DIR/.stamp || $(<"$ENV_DIR/.stamp") != "$want_sum" ]]; then
    log "$ENV_DIR missing or stale: running bench/scan/setup.sh (PyPI)"
    BENCH_ENV=$ENV_DIR bash "$REPO/bench/scan/setup.sh"
  fi
  bash "$REPO/scripts/sbom/peers/install.sh" "$PEERS" >/dev/null
fi
[[ -x $ENV_DIR/bin/python ]] || { echo "run.sh: no environment at $ENV_DIR" >&2; exit 1; }

mkdir -p "$OUT/out" "$OUT/time" "$OUT/work"
: >"$OUT/runs.jsonl"
if command -v hyperfine >/dev/null 2>&1; then TIMER=hyperfine; else TIMER=python; fi
PY=python3
[[ -x /tmp/bench-tools/py/bin/python ]] && PY=/tmp/bench-tools/py/bin/python  # has `packaging`

export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# --- custody: does the binary have `sbom` yet? ------------------------------------
custody_ok=0
if want custody; then
  if [[ ! -x $CUSTODY_BIN ]]; then
    log "custody: $CUSTODY_BIN not found (build it, or set CUSTODY_BIN): timing the peers only"
  elif ! "$CUSTODY_BIN" sbom --help >/dev/null 2>&1; then
    log "custody: $CUSTODY_BIN has no 'sbom' subcommand yet: timing the peers only"
  else
    custody_ok=1
  fi
fi

# --- versions ----------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(uname -sr), loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "env: $ENV_DIR ($("$ENV_DIR/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l) distributions, $("$ENV_DIR/bin/python" -V 2>&1))"
  echo "timer: $([[ $TIMER == hyperfine ]] && hyperfine --version || echo 'bench/scan/timer.py'); runs: $RUNS (+$WARMUP warm-up), sbom4python: $SLOW_RUNS"
  if [[ $custody_ok == 1 ]]; then echo "custody: $CUSTODY_BIN ($("$CUSTODY_BIN" --version 2>&1 | head -1))"
  else echo "custody: not timed ($CUSTODY_BIN: missing or no sbom subcommand)"; fi
  echo "cyclonedx-py: $("$PEERS/cyclonedx-py/bin/cyclonedx-py" --version 2>&1) (cyclonedx-python-lib $("$PEERS/cyclonedx-py/bin/python" -c 'from importlib.metadata import version; print(version("cyclonedx-python-lib"))'))"
  echo "cdxgen: $(node -e "console.log(require('$PEERS/cdxgen/node_modules/@cyclonedx/cdxgen/package.json').version)" 2>&1) (node $(node --version 2>&1))"
  echo "sbom4python: $("$PEERS/sbom4python/bin/sbom4python" --version 2>&1) (lib4sbom $("$PEERS/sbom4python/bin/python" -c 'from importlib.metadata import version; print(version("lib4sbom"))'))"
} >"$OUT/versions.txt"
cat "$OUT/versions.txt" >&2

# bench NAME TOOL RUNS WARMUP OUTPUT CMD [STDERR_RUN]  (CMD runs via sh -c in $OUT/work/NAME)
bench() {
  local name=$1 tool=$2 runs=$3 warm=$4 output=$5 cmd=$6 stderr_run=${7:-1} tjson=$OUT/time/$1.json
  local wd=$OUT/work/$name
  mkdir -p "$wd"
  cmd="cd $wd && $cmd"
  log "$name ($runs runs): $6"
  if [[ $TIMER == hyperfine ]]; then
    hyperfine -i --style basic --runs "$runs" --warmup "$warm" --export-json "$tjson" "$cmd" \
      >"$OUT/time/$name.log" 2>&1 || log "hyperfine failed for $name (see $OUT/time/$name.log)"
  else
    "$PY" "$REPO/bench/scan/timer.py" --runs "$runs" --warmup "$warm" --export-json "$tjson" "$cmd" \
      2>"$OUT/time/$name.log" || true
  fi
  # One more run, untimed, to keep its stderr (timed runs discard it); not
  # for the slow row, where it would double the run time.
  if [[ $stderr_run == 1 ]]; then
    (sh -c "$cmd" >/dev/null 2>"$OUT/time/$name.stderr") || log "$name: exit $? (see $OUT/time/$name.stderr)"
  fi
  "$PY" - "$OUT/runs.jsonl" "$name" "$tool" "$tjson" "$output" "$6" <<'EOF'
import json, sys
f, name, tool, timing, output, cmd = sys.argv[1:]
open(f, "a").write(json.dumps(dict(name=name, tool=tool, timing=timing, output=output, command=cmd)) + "\n")
EOF
}

O=$OUT/out
if [[ $custody_ok == 1 ]]; then
  bench custody custody "$RUNS" "$WARMUP" "$O/custody.cdx.json" \
    "$CUSTODY_BIN sbom $ENV_DIR --format cyclonedx > $O/custody.cdx.json"
fi
CDXPY=$PEERS/cyclonedx-py/bin/cyclonedx-py
want cyclonedx-py && bench cyclonedx-py cyclonedx-py "$RUNS" "$WARMUP" "$O/cyclonedx-py.cdx.json" \
  "$CDXPY environment --sv 1.6 -o $O/cyclonedx-py.cdx.json $ENV_DIR"
want cyclonedx-py-novalidate && bench cyclonedx-py-novalidate cyclonedx-py "$RUNS" "$WARMUP" \
  "$O/cyclonedx-py-novalidate.cdx.json" \
  "$CDXPY environment --sv 1.6 --no-validate -o $O/cyclonedx-py-novalidate.cdx.json $ENV_DIR"
CDXGEN=$PEERS/cdxgen/node_modules/.bin/cdxgen
want cdxgen && bench cdxgen cdxgen "$RUNS" "$WARMUP" "$O/cdxgen.cdx.json" \
  "$CDXGEN -t python --no-install-deps --spec-version 1.6 -o $O/cdxgen.cdx.json $ENV_DIR"
want cdxgen-novalidate && bench cdxgen-novalidate cdxgen "$RUNS" "$WARMUP" "$O/cdxgen-novalidate.cdx.json" \
  "$CDXGEN -t python --no-install-deps --no-validate --spec-version 1.6 -o $O/cdxgen-novalidate.cdx.json $ENV_DIR"
want sbom4python && bench sbom4python sbom4python "$SLOW_RUNS" 0 "$O/sbom4python.cdx.json" \
  "$PEERS/sbom4python/bin/sbom4python --system --use-pip --python $ENV_DIR/bin/python --sbom cyclonedx --format json -o $O/sbom4python.cdx.json" 0

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/versions.txt"
"$PY" "$HERE/compare.py" --runs "$OUT/runs.jsonl" --env "$ENV_DIR" --versions "$OUT/versions.txt" \
  --out "$OUT" | tee "$OUT/summary.txt"
log "results in $OUT (summary.md, summary.json, out/, time/)"

#!/usr/bin/env bash
# Installs a real 101-distribution lock (requirements.txt here) with pip and
# with uv, straight from a local static PEP 503 upstream and through
# `custody index serve` in front of it, cold (empty verdict cache: every
# file fetched, hashed and inspected) and warm (verdicts and files cached);
# also the folder upstream (--upstream DIR). Prints each row's time and the
# index's overhead against the straight install, and the cold overhead
# against the inspection time of the same files. See README.md.
#
#   bash bench/index/run.sh
#   RUNS=5 ONLY=pip-straight,pip-warm,uv-straight,uv-warm bash bench/index/run.sh
#
# Rows (each installs requirements.txt into a fresh `python3.11 -m venv
# --without-pip`, made untimed before every run; pip and uv from
# /tmp/bench-tools/index-tools, run from outside the venv):
#   pip-straight, uv-straight   --index-url / --default-index = the static tree
#                               (static_server.py, python3's http.server with a
#                               backlog of 128 and sendfile, on UP_PORT)
#   pip-cold, uv-cold           through custody index serve --upstream http://…/simple/,
#                               restarted with an empty --cache before every run
#   pip-warm, uv-warm           the same, one server for the row, its cache filled
#                               by the untimed warm-up run(s)
#   pip-dir-cold, uv-dir-cold   custody index serve --upstream DIR (the wheels folder)
#   pip-dir-warm, uv-dir-warm
#   probe                       probe.py: every page, then every file, one request at a
#                               time, straight and through the index (HTTP and folder
#                               upstream), cold then warm: the cost per request
#   inspect                     custody inspect on all the wheels at once (every core)
#   inspect-1thread             the same with RAYON_NUM_THREADS=1: the sum of the files'
#                               inspection times
#
# Knobs (env): CUSTODY_BIN (default <repo>/target/release/custody), RUNS (3),
# ROUNDS (1: the install rows are run ROUNDS times in turn, RUNS runs each
# time, so a change of the machine's load spreads over all rows),
# WARMUP (1; warm rows need at least 1, it fills the cache), ONLY (comma list
# of rows; default all), OUT (/tmp/bench-results/index-<ts>), UP_PORT
# (18780), INDEX_PORT (18781), UPSTREAM_SERVER (static: static_server.py, or
# http.server: the plain module), BENCH_INDEX_DATA (/tmp/bench-index),
# BENCH_INDEX_TOOLS (/tmp/bench-tools/index-tools), NO_SETUP=1 (skip setup.sh),
# PY311, KEEP=1 (keep the work folder: venvs, caches).
#
# Every run is checked: the venv it made must hold every pin of the lock
# (counted before the next run and after the last), and each through-index
# row's decision log must show every file allowed (cold: inspected; warm:
# from the cache). Clients run with HTTP(S)_PROXY at a closed local port and
# no pip or uv configuration: nothing can come from anywhere but the index.
# Timer: hyperfine if installed, else bench/scan/timer.py (same JSON).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export CUSTODY_BIN=${CUSTODY_BIN:-$REPO/target/release/custody}
export DATA=${BENCH_INDEX_DATA:-/tmp/bench-index}
TOOLS=${BENCH_INDEX_TOOLS:-/tmp/bench-tools/index-tools}
export PY311=${PY311:-$(command -v python3.11 || command -v python3)}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-1}
ALL=pip-straight,pip-cold,pip-warm,uv-straight,uv-cold,uv-warm,pip-dir-cold,pip-dir-warm,uv-dir-cold,uv-dir-warm,probe,inspect,inspect-1thread
ONLY=${ONLY:-$ALL}
OUT=${OUT:-/tmp/bench-results/index-$(date +%Y%m%dT%H%M%S)}
export UP_PORT=${UP_PORT:-18780}
export INDEX_PORT=${INDEX_PORT:-18781}
UPSTREAM_SERVER=${UPSTREAM_SERVER:-static}
LOCK=$HERE/requirements.txt

log() { printf '[index-bench] %s\n' "$*" >&2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }
[ "$WARMUP" -ge 1 ] || { echo "run.sh: WARMUP must be at least 1 (it fills the warm rows' cache)" >&2; exit 2; }

[[ ${NO_SETUP:-0} == 1 ]] || bash "$HERE/setup.sh"
[ -x "$CUSTODY_BIN" ] || { echo "run.sh: $CUSTODY_BIN missing: cargo build --release -p custody-cli (or set CUSTODY_BIN)" >&2; exit 2; }
"$CUSTODY_BIN" index serve --help >/dev/null 2>&1 || { echo "run.sh: $CUSTODY_BIN has no 'index serve'" >&2; exit 2; }

mkdir -p "$OUT/time"
export W; W=$(mktemp -d /tmp/bench-index-work.XXXXXX)
UP_PID=
cleanup() {
  bash "$HERE/lib.sh" stop_index || true
  [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null || true
  if [[ ${KEEP:-0} == 1 ]]; then log "work folder kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
mkdir -p "$W/home"
: >"$W/counts.tsv"
# The index's policy: min-age unset (the static tree is PEP 503 HTML, which
# has no upload times: with a min-age every release would be hidden as
# unknown-age); suspicious files blocked (the default). CUSTODY_HOME is an
# empty folder: only the advisories built into custody.
printf '[index]\nsuspicious = "block"\n' >"$W/policy.toml"
grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*' "$LOCK" | tr 'A-Z_.' 'a-z--' | sort -u >"$W/pins.txt"
PINS=$(wc -l <"$W/pins.txt")

# --- the straight upstream ---------------------------------------------------------
# static_server.py (default): http.server with a listen backlog of 128 and
# sendfile; UPSTREAM_SERVER=http.server: the plain module, whose backlog of 5
# drops a parallel client's connections (see README.md).
case $UPSTREAM_SERVER in
  static) setsid "$PY311" "$HERE/static_server.py" --bind 127.0.0.1 --directory "$DATA" "$UP_PORT" </dev/null >"$W/upstream.log" 2>&1 & ;;
  http.server) setsid "$PY311" -m http.server --bind 127.0.0.1 --directory "$DATA" "$UP_PORT" </dev/null >"$W/upstream.log" 2>&1 & ;;
  *) echo "run.sh: UPSTREAM_SERVER is static or http.server" >&2; exit 2 ;;
esac
UP_PID=$!
for _ in $(seq 1 100); do
  "$PY311" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$UP_PORT/simple/numpy/')" 2>/dev/null && break
  sleep 0.1
done

# --- the clients -------------------------------------------------------------------
CLIENT_ENV="env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u UV_INDEX_URL -u UV_DEFAULT_INDEX -u UV_EXTRA_INDEX_URL -u UV_FIND_LINKS HOME=$W/home PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never UV_HTTP_TIMEOUT=600 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost"
install_cmd() { # install_cmd ROW URL
  local v=$W/venv-$1
  case $1 in
    pip-*) echo "$CLIENT_ENV $TOOLS/bin/python -m pip --python $v/bin/python install -q --no-cache-dir --no-input --timeout 600 --retries 0 --only-binary=:all: --index-url $2 -r $LOCK" ;;
    uv-*) echo "$CLIENT_ENV $TOOLS/bin/uv pip install -q --no-cache --python $v/bin/python --link-mode copy --only-binary :all: --default-index $2 -r $LOCK" ;;
  esac
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(uname -sr), loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "lock: bench/index/requirements.txt ($PINS distributions, $(find "$DATA/wheels" -type f | wc -l) files, $(du -sh "$DATA/wheels" | cut -f1))"
  echo "custody: $CUSTODY_BIN ($("$CUSTODY_BIN" --version 2>&1 | head -1), $(sha256sum "$CUSTODY_BIN" | cut -c1-12))"
  echo "pip: $("$TOOLS/bin/python" -m pip --version | cut -d' ' -f1-2); uv: $("$TOOLS/bin/uv" --version); python: $("$PY311" -V 2>&1)"
  echo "straight upstream: $UPSTREAM_SERVER ($([[ $UPSTREAM_SERVER == static ]] && echo 'bench/index/static_server.py: backlog 128, sendfile' || echo 'python3 -m http.server'))"
  echo "timer: $(command -v hyperfine >/dev/null && hyperfine --version || echo bench/scan/timer.py); runs: $RUNS (+$WARMUP warm-up) per row, $ROUNDS round(s)"
} >"$OUT/versions.txt"
cat "$OUT/versions.txt" >&2

# The kernel's count of connections dropped because a listen backlog was full
# (all sockets of the machine: other sessions' servers count too).
listen_overflows() {
  awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } else { for (i = 1; i <= NF; i++) if (k[i] == "ListenOverflows") print $i } }' /proc/net/netstat
}

# bench ROW CMD: RUNS timed runs after WARMUP, each after `lib.sh prepare ROW`.
bench() {
  local row=$1 cmd=$2 tjson=$OUT/time/$1.r$round.json prep="bash $HERE/lib.sh prepare $1"
  local before; before=$(listen_overflows)
  log "$row, round $round of $ROUNDS ($RUNS runs + $WARMUP warm-up): $cmd"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -i --style basic --runs "$RUNS" --warmup "$WARMUP" --prepare "$prep" \
      --export-json "$tjson" "$cmd" >"$OUT/time/$row.r$round.log" 2>&1 || log "hyperfine failed for $row (see $OUT/time/$row.r$round.log)"
  else
    "$PY311" "$REPO/bench/scan/timer.py" --runs "$RUNS" --warmup "$WARMUP" --prepare "$prep" \
      --export-json "$tjson" "$cmd" 2>"$OUT/time/$row.r$round.log" || true
  fi
  bash "$HERE/lib.sh" count "$row"
  rm -rf "$W/venv-$row"
  printf '%s\t%s\n' "$row" $(( $(listen_overflows) - before )) >>"$OUT/listen-overflows.tsv"
}

for round in $(seq 1 "$ROUNDS"); do
for client in pip uv; do
  want "$client-straight" && bench "$client-straight" "$(install_cmd "$client-straight" "http://127.0.0.1:$UP_PORT/simple/")"
  for kind in "" "dir-"; do
    row=$client-${kind}cold
    if want "$row"; then
      bench "$row" "$(install_cmd "$row" "http://127.0.0.1:$INDEX_PORT/simple/")"
      bash "$HERE/lib.sh" stop_index
      cp "$W/log-$row.jsonl" "$OUT/time/" 2>/dev/null || true
      rm -rf "$W/cache-$row"
    fi
    row=$client-${kind}warm
    if want "$row"; then
      (source "$HERE/lib.sh"; rm -rf "$W/cache-$row"; start_index "$(upstream_of "$row")" "$W/cache-$row" "$W/log-$row.jsonl")
      bench "$row" "$(install_cmd "$row" "http://127.0.0.1:$INDEX_PORT/simple/")"
      bash "$HERE/lib.sh" stop_index
      cp "$W/log-$row.jsonl" "$OUT/time/" 2>/dev/null || true
      rm -rf "$W/cache-$row"
    fi
  done
done
done

# --- per-request latency, one request at a time (probe.py) ----------------------
if want probe; then
  log "probe: every page, then every file, one at a time: straight, through the index cold then warm"
  P="$PY311 $HERE/probe.py --pins $W/pins.txt --json $OUT/probe.jsonl"
  {
    $P --label straight "http://127.0.0.1:$UP_PORT/simple/"
    for kind in http dir; do
      (source "$HERE/lib.sh"; rm -rf "$W/cache-probe"
       start_index "$(upstream_of "probe-$kind-")" "$W/cache-probe" "$W/log-probe-$kind.jsonl")
      $P --label "index-$kind cold" --label "index-$kind warm" \
        "http://127.0.0.1:$INDEX_PORT/simple/" "http://127.0.0.1:$INDEX_PORT/simple/" | sed 1d
      bash "$HERE/lib.sh" stop_index
      cp "$W/log-probe-$kind.jsonl" "$OUT/time/" 2>/dev/null || true
      rm -rf "$W/cache-probe"
    done
  } | tee "$OUT/probe.txt" >&2
fi

# --- inspection of the same files, no index ---------------------------------------
# (CUSTODY_HOME empty: custody inspect keeps no verdict cache of archives)
inspect_cmd="env CUSTODY_HOME=$W/home $CUSTODY_BIN inspect -f json $DATA/wheels/* >/dev/null"
if want inspect; then
  log "inspect: $inspect_cmd"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -i --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/time/inspect.json" "$inspect_cmd" >"$OUT/time/inspect.log" 2>&1
  else
    "$PY311" "$REPO/bench/scan/timer.py" --runs "$RUNS" --warmup 1 --export-json "$OUT/time/inspect.json" "$inspect_cmd" 2>"$OUT/time/inspect.log" || true
  fi
  env CUSTODY_HOME="$W/home" "$CUSTODY_BIN" inspect -f json "$DATA"/wheels/* >"$OUT/inspect.json" 2>"$OUT/inspect.stderr" || true
fi
if want inspect-1thread; then
  cmd1="RAYON_NUM_THREADS=1 $inspect_cmd"
  log "inspect-1thread: $cmd1"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -i --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/time/inspect-1thread.json" "$cmd1" >"$OUT/time/inspect-1thread.log" 2>&1
  else
    "$PY311" "$REPO/bench/scan/timer.py" --runs "$RUNS" --warmup 1 --export-json "$OUT/time/inspect-1thread.json" "$cmd1" 2>"$OUT/time/inspect-1thread.log" || true
  fi
fi

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/versions.txt"
cp "$W/counts.tsv" "$OUT/counts.tsv"
cp "$W/server-cpu.tsv" "$OUT/server-cpu.tsv" 2>/dev/null || : >"$OUT/server-cpu.tsv"
"$PY311" "$HERE/summary.py" --out "$OUT" --pins "$PINS" --runs "$RUNS" --warmup "$WARMUP" --rounds "$ROUNDS" | tee "$OUT/summary.txt"
log "results in $OUT (summary.md, summary.txt, time/, counts.tsv)"

#!/usr/bin/env bash
# Helpers of bench/index/run.sh, also called by the timer between runs
# (hyperfine's --prepare): `bash lib.sh prepare ROW` and `bash lib.sh count ROW`.
# State lives in $W (run.sh exports it and the other variables used here).
set -euo pipefail

# The custody index of ROW, started detached (its own session, every stream
# redirected, so the timer never waits on it); returns once it listens.
start_index() { # start_index UPSTREAM CACHE LOG
  stop_index
  setsid env CUSTODY_HOME="$W/home" "$CUSTODY_BIN" index serve --upstream "$1" \
    --listen "127.0.0.1:$INDEX_PORT" --policy "$W/policy.toml" --cache "$2" --log "$3" \
    --timeout 600 </dev/null >>"$W/index.stdout" 2>"$W/index.stderr" &
  echo $! >"$W/index.pid"
  for _ in $(seq 1 600); do
    grep -q serving "$W/index.stderr" 2>/dev/null && return 0
    kill -0 "$(cat "$W/index.pid")" 2>/dev/null || break
    sleep 0.05
  done
  echo "lib.sh: custody index did not start:" >&2
  cat "$W/index.stderr" >&2
  return 1
}

stop_index() {
  [ -f "$W/index.pid" ] || return 0
  local pid; pid=$(cat "$W/index.pid")
  rm -f "$W/index.pid"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}

# Distributions installed in ROW's venv, appended to $W/counts.tsv
# (row, dist-info folders, the names of the pins that are missing).
# Also the CPU time the running index has used so far (clock ticks), to
# $W/server-cpu.tsv: summary.py turns the snapshots into CPU per run.
count() {
  local row=$1 v=$W/venv-$1
  if [ -f "$W/index.pid" ] && [ -r "/proc/$(cat "$W/index.pid")/stat" ]; then
    local pid; pid=$(cat "$W/index.pid")
    printf '%s\t%s\t%s\n' "$row" "$pid" "$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')" >>"$W/server-cpu.tsv"
  fi
  [ -d "$v" ] || return 0
  local sp; sp=$(echo "$v"/lib/python3*/site-packages)
  local n; n=$(find "$sp" -maxdepth 1 -name '*.dist-info' -type d | wc -l)
  local missing; missing=$(comm -23 <(sort "$W/pins.txt") \
    <(find "$sp" -maxdepth 1 -name '*.dist-info' -type d -printf '%f\n' \
      | sed -E 's/-[^-]+\.dist-info$//' | tr 'A-Z_.' 'a-z--' | sort) | tr '\n' ' ')
  printf '%s\t%s\t%s\n' "$row" "$n" "$missing" >>"$W/counts.tsv"
}

# Before each timed run of ROW: count what the previous run installed, then
# a fresh venv without pip (the clients install into it from outside); a
# cold row also gets a custody index with an empty cache.
prepare() {
  local row=$1 v=$W/venv-$1
  count "$row"
  rm -rf "$v"
  "$PY311" -m venv --without-pip "$v"
  case $row in
    *-cold)
      rm -rf "$W/cache-$row"
      start_index "$(upstream_of "$row")" "$W/cache-$row" "$W/log-$row.jsonl" ;;
  esac
}

upstream_of() {
  case $1 in
    *-dir-*) echo "$DATA/wheels" ;;   # probe-dir- too
    *) echo "http://127.0.0.1:$UP_PORT/simple/" ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  "$@"
fi

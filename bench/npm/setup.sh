#!/usr/bin/env bash
# Recreates the npm benchmark's input outside the repository:
#   $BENCH_NPM/project/{package.json,package-lock.json,node_modules/}
# from bench/npm/project/ with `npm ci --ignore-scripts` (no install script of
# any package ever runs), an empty npm user config and a private npm cache.
#
#   bash bench/npm/setup.sh            # BENCH_NPM defaults to /tmp/bench-npm
#   FORCE=1 bash bench/npm/setup.sh    # reinstall even when up to date
#
# Needs node + npm and the npm registry (first run only; later runs reuse the
# cache in $BENCH_NPM/npm-cache and skip the install when the lockfile's hash
# matches the stamp). Prints the package count (`npm ls --all --parseable`).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_NPM=${BENCH_NPM:-/tmp/bench-npm}
P=$BENCH_NPM/project
NPMRC=$BENCH_NPM/empty-npmrc
log() { printf '[npm-setup] %s\n' "$*" >&2; }

command -v npm >/dev/null || { echo "setup.sh: npm not found (apt-get install npm)" >&2; exit 1; }
mkdir -p "$P" "$BENCH_NPM/npm-cache"
: >"$NPMRC"

want=$(cat "$HERE/project/package.json" "$HERE/project/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ${FORCE:-0} != 1 && -f $P/.stamp && $(<"$P/.stamp") == "$want" && -d $P/node_modules ]]; then
  log "$P is up to date"
else
  rm -rf "$P/node_modules" "$P/.stamp"
  cp "$HERE/project/package.json" "$HERE/project/package-lock.json" "$P/"
  log "npm ci --ignore-scripts in $P"
  # An empty user config (the machine's ~/.npmrc may set e.g.
  # omit-lockfile-registry-resolved) and no global config influence.
  (cd "$P" && env -u NODE_OPTIONS npm_config_globalconfig=/dev/null \
    npm ci --ignore-scripts --no-audit --no-fund --userconfig "$NPMRC" \
      --cache "$BENCH_NPM/npm-cache" --loglevel=warn) >&2
  # npm ci must not have rewritten the input.
  cmp -s "$HERE/project/package-lock.json" "$P/package-lock.json" \
    || { echo "setup.sh: npm ci changed package-lock.json" >&2; exit 1; }
  echo "$want" >"$P/.stamp"
fi

n=$( (cd "$P" && npm ls --all --parseable --userconfig "$NPMRC" 2>/dev/null || true) | tail -n +2 | wc -l)
lock=$(python3 -c 'import json,sys; print(sum(1 for k in json.load(open(sys.argv[1]))["packages"] if k))' "$P/package-lock.json")
log "node_modules: $n installed packages (npm ls --all --parseable); package-lock.json: $lock entries; $(du -sh "$P/node_modules" | cut -f1)"
echo "$n"

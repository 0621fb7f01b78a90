#!/usr/bin/env bash
# custody scan over a whole root file system, side by side with `find` over
# the same tree (the floor: listing every entry once, nothing read), in one
# run. Default ROOT is this machine's /. Prints medians and the ratio.
#
# Usage: bench/scan/rootfs.sh [ROOT] [RUNS]   (CUSTODY_BIN, default target/release/custody)
set -euo pipefail
ROOT=${1:-/}
RUNS=${2:-5}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${CUSTODY_BIN:-$REPO/target/release/custody}
[ -x "$BIN" ] || { echo "rootfs.sh: build first: cargo build --release -p custody-cli" >&2; exit 2; }
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
prune=()
for d in proc sys dev run; do prune+=(-path "${ROOT%/}/$d" -prune -o); done
entries=$(find "$ROOT" "${prune[@]}" -print 2>/dev/null | wc -l)
time_it() { # median seconds of RUNS runs of "$@"
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
t = []
for _ in range(runs):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - s)
print(f"{statistics.median(t):.3f} {min(t):.3f} {max(t):.3f}")
PY
}
read -r c_med c_min c_max < <(CUSTODY_HOME=$HOME_DIR time_it "$BIN" scan "$ROOT" --no-inspect -f json)
read -r f_med f_min f_max < <(time_it find "$ROOT" "${prune[@]}" -print)
CUSTODY_HOME=$HOME_DIR "$BIN" scan "$ROOT" --no-inspect -f json 2>/dev/null > "$HOME_DIR/out.json" || true
read -r sources packages < <(python3 -c "
import json,sys; d=json.load(open('$HOME_DIR/out.json')); print(len(d['sources']), d['summary']['packages'])")
echo "root: $ROOT  entries (find, pruned): $entries  runs: $RUNS  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "custody found $sources environments and lockfiles, $packages packages"
printf '%-32s %8s %8s %8s\n' tool median min max
printf '%-32s %8s %8s %8s\n' "custody scan --no-inspect" "$c_med" "$c_min" "$c_max"
printf '%-32s %8s %8s %8s\n' "find -print (floor)" "$f_med" "$f_min" "$f_max"
python3 -c "print(f'ratio custody / find: {float(\"$c_med\")/float(\"$f_med\"):.2f}')"

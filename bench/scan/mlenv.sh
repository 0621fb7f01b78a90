#!/usr/bin/env bash
# A real data team's environment (issue 13): built from PyPI once, then
# scanned by custody with inspection (cold: empty CUSTODY_HOME and, when
# allowed, a dropped page cache; warm: the inspection cache of the cold run)
# and without it, with wall time and peak memory from GNU time.
#
#   bash bench/scan/mlenv.sh [--runs N]      # custody: target/release/custody
#
# No peer inspects an installed environment for malicious code (GuardDog
# reads archives only); bench/scan/run.sh compares scanning speed with
# pip-audit and pysentry-rs on bench/scan's 329-package environment.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CUSTODY="${CUSTODY:-$ROOT/target/release/custody}"
VENV="${ML_VENV:-$HOME/.cache/custody-bench/ml-venv}"
RUNS=3
[ "${1:-}" = --runs ] && RUNS="$2"
PACKAGES="litellm==1.82.6 transformers datasets pandas scikit-learn jupyterlab openai langchain boto3 awscli sympy matplotlib"
if [ ! -f "$VENV/.custody-ready" ]; then
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $PACKAGES
  echo "$PACKAGES" > "$VENV/.custody-ready"
fi
site=$(ls -d "$VENV"/lib/python3*/site-packages)
echo "environment: $VENV"
echo "  distributions: $(ls -d "$site"/*.dist-info | wc -l), files: $(find "$VENV" -type f | wc -l), size: $(du -sh "$VENV" | cut -f1)"
echo "  machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  custody: $("$CUSTODY" --version) ($(sha256sum "$CUSTODY" | cut -c1-12))"
drop() { (sync; echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null || echo "  (cannot drop the page cache: cold = empty custody home only)"; }
measure() { # label, home, args...
  local label=$1 home=$2; shift 2
  /usr/bin/time -o /tmp/mlenv-time.txt -f '%e %M' env CUSTODY_HOME="$home" "$CUSTODY" scan "$VENV" -f json "$@" > /tmp/mlenv-scan.json 2>/dev/null || true
  local out; out=$(tail -1 /tmp/mlenv-time.txt)
  local verdict; verdict=$(python3 -c 'import json; d=json.load(open("/tmp/mlenv-scan.json")); i=d["inspection"]; print(",".join(x["verdict"] for x in i) or "not inspected", sum(x.get("environment",{}).get("cached",0) for x in i))')
  printf '  %-28s %6s s  %7.1f MiB  verdict/cached: %s\n' "$label" "${out% *}" "$(awk -v k="${out#* }" 'BEGIN{print k/1024}')" "$verdict"
}
for i in $(seq "$RUNS"); do
  home=$(mktemp -d)
  drop; measure "cold (run $i)" "$home"
  measure "warm (run $i)" "$home"
  measure "warm --no-cache (run $i)" "$home" --no-cache
  measure "--no-inspect (run $i)" "$home" --no-inspect
  rm -rf "$home"
done

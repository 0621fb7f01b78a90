#!/usr/bin/env bash
# Renders the incident report the end-to-end story test wrote
# (target/tmp/incident-story.html) in Debian's chromium with Playwright,
# checks it (render.mjs), and keeps a screenshot beside it. Installs
# chromium (apt, as root) and playwright-core (npm, pinned by
# package-lock.json, into target/node-report) when missing.
# Usage: scripts/report/check.sh [REPORT.html]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REPORT=${1:-$REPO/target/tmp/incident-story.html}
[[ -f $REPORT ]] || { echo "report/check: $REPORT is missing: run the test suite first (ledger_story writes it)" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "report/check: Debian's chromium is needed: apt-get install chromium" >&2; exit 2
  fi
fi
TOOLS=$REPO/target/node-report
mkdir -p "$TOOLS"
cp "$HERE/package.json" "$HERE/package-lock.json" "$TOOLS/"
(cd "$TOOLS" && npm ci --no-audit --no-fund --silent)
cp "$HERE/render.mjs" "$TOOLS/"
# A control: a page that loads an outside resource must fail the check.
bad=$(mktemp -d)
trap 'rm -rf "$bad"' EXIT
printf '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://example.invalid/x.css"></head><body><h1>Incident report: X</h1></body></html>' > "$bad/bad.html"
if node "$TOOLS/render.mjs" "$bad/bad.html" "$bad/bad.png" >/dev/null 2>&1; then
  echo "report/check: FAIL: the control page with an outside stylesheet passed" >&2; exit 1
fi
node "$TOOLS/render.mjs" "$REPORT" "${REPORT%.html}.png"

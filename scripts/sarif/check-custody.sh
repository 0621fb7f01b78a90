#!/usr/bin/env bash
# Check that custody's SARIF output is valid SARIF 2.1.0 (see validate.sh).
#
# Usage: scripts/sarif/check-custody.sh [CUSTODY_BIN]
#   CUSTODY_BIN defaults to <repo>/target/debug/custody. Builds nothing.
#
# 1. Negative controls: deliberately broken SARIF must be REJECTED by each
#    validator on its own, so this check cannot pass vacuously.
# 2. Produces two SARIF logs with a throwaway CUSTODY_HOME:
#      - scan fixtures/lockfiles/uv/uv.lock after `db import` of
#        ../shared/advisories/{pypa-advisory-db,osv-real}  (vulnerabilities)
#      - scan examples/demo with an empty CUSTODY_HOME        (malicious pkgs)
#      - inspect two replicas (litellm 1.82.8 wheel, 1.107.0 site-packages)
#      - scan and inspect copies of examples/demo and the 1.107.0 replica
#        under a folder named with a space, `#`, `%` and a non-ASCII letter,
#        once from inside the work folder (relative URIs) and once from the
#        repository (absolute file:// URIs): every artifactLocation.uri must
#        be percent-encoded and decode to an existing file
#    and requires all to have results and to pass validate.sh. A negative
#    control proves the schema layer checks the `uri-reference` format.
# Honours validate.sh's environment (CUSTODY_TOOLS_DIR, SARIF_PROFILE, ...).
# Exit status: 0 ok, 1 check failed, 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${1:-$REPO/target/debug/custody}
[[ $BIN == /* ]] || BIN=$PWD/$BIN
VALIDATE=$HERE/validate.sh

fail() { echo "check-custody: FAIL: $*" >&2; exit 1; }
[[ -x $BIN ]] || { echo "check-custody: $BIN: not an executable (build it first)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "check-custody: python3 is required" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$VALIDATE" --install

# Run custody; exit 0 (clean) and 1 (findings) are both fine, anything else is not.
run_custody() { # OUT HOME ARGS...
  local out=$1 home=$2; shift 2
  local rc=0
  (cd "$REPO" && CUSTODY_HOME=$home "$BIN" "$@") >"$out" 2>"$work/stderr" || rc=$?
  if [[ $rc != 0 && $rc != 1 ]]; then
    cat "$work/stderr" >&2
    fail "custody $* exited $rc"
  fi
}

mkdir -p "$work/home-db" "$work/home-empty"
(cd "$REPO" && CUSTODY_HOME=$work/home-db "$BIN" db import \
    ../shared/advisories/pypa-advisory-db ../shared/advisories/osv-real) >"$work/import.log" 2>&1 ||
  { cat "$work/import.log" >&2; fail "custody db import failed"; }
run_custody "$work/uv-lock.sarif" "$work/home-db" scan fixtures/lockfiles/uv/uv.lock --format sarif
run_custody "$work/demo.sarif" "$work/home-empty" scan examples/demo --format sarif
run_custody "$work/inspect.sarif" "$work/home-empty" inspect --format sarif \
  fixtures/inspect/replicas/litellm-1.82.8-py3-none-any.whl fixtures/inspect/replicas/site-packages-litellm-1.107.0
# A scan of an environment carries its inspection: the orphan start-up hook.
run_custody "$work/scan-implant.sarif" "$work/home-empty" scan --format sarif \
  fixtures/inspect/replicas/site-packages-litellm-1.107.0
python3 - "$work/scan-implant.sarif" <<'PY' || fail "scan SARIF lacks the inspection of the environment"
import json, sys
ids = {r["ruleId"] for run in json.load(open(sys.argv[1]))["runs"] for r in run["results"]}
sys.exit(0 if "custody::orphan-startup-hook" in ids else 1)
PY

# Paths that are not URI characters: a space, `#` (a raw one starts a
# fragment), `%` and a non-ASCII letter, in relative and absolute URIs.
odd="odd dir #1 100%/café"
mkdir -p "$work/$odd"
cp -R "$REPO/examples/demo" "$work/$odd/demo"
cp -R "$REPO/fixtures/inspect/replicas/site-packages-litellm-1.107.0" "$work/$odd/site-packages"
run_odd() { # OUT ARGS... (from the work folder: relative URIs)
  local out=$1 rc=0; shift
  (cd "$work" && CUSTODY_HOME=$work/home-empty "$BIN" "$@") >"$out" 2>"$work/stderr" || rc=$?
  [[ $rc == 0 || $rc == 1 ]] || { cat "$work/stderr" >&2; fail "custody $* exited $rc"; }
}
run_odd "$work/odd-scan.sarif" scan --format sarif "$odd/demo"
run_odd "$work/odd-inspect.sarif" inspect --format sarif "$odd/site-packages"
run_custody "$work/odd-scan-abs.sarif" "$work/home-empty" scan --format sarif "$work/$odd/demo"
run_custody "$work/odd-inspect-abs.sarif" "$work/home-empty" inspect --format sarif "$work/$odd/site-packages"
python3 - "$work" <<'PY' || fail "artifactLocation.uri values are not percent-encoded paths of the files"
import json, os, sys, urllib.parse
work = sys.argv[1]
for name in ("odd-scan", "odd-inspect", "odd-scan-abs", "odd-inspect-abs"):
    log = json.load(open(f"{work}/{name}.sarif"))
    uris = [l["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"] for l in r.get("locations") or []]
    assert uris, f"{name}: no locations"
    for u in uris:
        assert "odd%20dir%20%231%20100%25/caf%C3%A9/" in u, f"{name}: {u}"
        parts = urllib.parse.urlsplit(u)
        assert not parts.query and not parts.fragment, f"{name}: {u} has a query or fragment"
        path = urllib.parse.unquote(parts.path)
        if name.endswith("-abs"):
            assert parts.scheme == "file" and parts.netloc == "", f"{name}: {u}"
        else:
            assert not parts.scheme, f"{name}: {u}"
            path = os.path.join(work, path)
        assert os.path.exists(path), f"{name}: {u} decodes to {path}, which does not exist"
PY

# Must be JSON with at least one result each, or the validation below proves little.
for f in uv-lock demo inspect scan-implant odd-scan odd-inspect odd-scan-abs odd-inspect-abs; do
  n=$(python3 -c 'import json,sys; print(sum(len(r.get("results") or []) for r in json.load(open(sys.argv[1])).get("runs") or []))' \
      "$work/$f.sarif") || fail "$f.sarif is not JSON: $(head -c 300 "$work/$f.sarif")"
  (( n > 0 )) || fail "$f.sarif has no results (expected findings)"
done

# Negative controls, derived from custody's own output.
python3 - "$work/demo.sarif" "$work" <<'EOF'
import copy, json, sys
src, out = json.load(open(sys.argv[1])), sys.argv[2]
def write(name, mutate):
    d = copy.deepcopy(src); mutate(d)
    json.dump(d, open(f"{out}/broken-{name}.sarif", "w"), indent=2)
write("no-version", lambda d: d.pop("version"))
write("no-runs", lambda d: d.pop("runs"))
write("bad-level", lambda d: d["runs"][0]["results"][0].__setitem__("level", "fatal"))
open(f"{out}/broken-not-json.sarif", "w").write(json.dumps(src)[:-2])
# The uri custody wrote before percent-encoding: a raw space is no URI.
odd = json.load(open(f"{out}/odd-inspect.sarif"))
loc = odd["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
loc["uri"] = "odd dir #1 100%/café/site-packages/sitecustomize.py"
json.dump(odd, open(f"{out}/broken-raw-uri.sarif", "w"), indent=2)
EOF
# Each case must exit 1 (invalid; 2 would be a tool/setup failure) AND print
# the diagnostic that proves the validator saw the specific defect.
expect_reject() { # VALIDATOR CASE REGEX
  local v=$1 c=$2 want=$3 rc=0
  SARIF_VALIDATORS=$v "$VALIDATE" "$work/broken-$c.sarif" >"$work/neg.log" 2>&1 || rc=$?
  if [[ $rc != 1 ]] || ! grep -Eq "$want" "$work/neg.log"; then
    cat "$work/neg.log" >&2
    fail "validator '$v' did not reject deliberately broken SARIF '$c' as expected (exit $rc, wanted /$want/)"
  fi
}
expect_reject multitool no-version "error JSON1002: root: The required property 'version' is missing"
expect_reject multitool no-runs    "error JSON1002: root: The required property 'runs' is missing"
expect_reject multitool not-json   "error JSON0001: "
# Multitool 5.7.0 does not flag an out-of-enum result.level; the schema layer must.
expect_reject schema no-version "error SCHEMA: \\$: 'version' is a required property"
expect_reject schema no-runs    "error SCHEMA: \\$: 'runs' is a required property"
expect_reject schema bad-level  "error SCHEMA: \\$\\.runs\\[0\\]\\.results\\[0\\]\\.level: 'fatal' is not one of"
expect_reject schema not-json   "error SCHEMA: cannot read JSON"
# The schema's format check of artifactLocation.uri (uri-reference) is on.
expect_reject schema raw-uri    "error SCHEMA: .*artifactLocation\\.uri: .* is not a 'uri-reference'"
echo "check-custody: negative controls rejected as expected" >&2

echo "check-custody: validating custody SARIF output ($BIN)" >&2
(cd "$work" && "$VALIDATE" uv-lock.sarif demo.sarif inspect.sarif scan-implant.sarif \
  odd-scan.sarif odd-inspect.sarif) || fail "custody's SARIF output is invalid"
# Absolute file:// URIs are valid SARIF, but GitHub code scanning cannot
# place them (GH1006: no checkout path): checked without GitHub's rules.
(cd "$work" && SARIF_PROFILE=sarif "$VALIDATE" odd-scan-abs.sarif odd-inspect-abs.sarif) ||
  fail "custody's SARIF output with absolute URIs is invalid"
echo "check-custody: OK" >&2

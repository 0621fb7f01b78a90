#!/usr/bin/env bash
# custody checks its own supply chain with itself (issue 19, item 4):
#   1. `custody scan` of custody's lockfiles (Cargo.lock and fuzz/Cargo.lock)
#      against the embedded records (an empty CUSTODY_HOME: no imported
#      database) must pass, and a copy of Cargo.lock with the crates.io
#      typosquat `rustdecimal` added (embedded MAL-2022-1) must fail;
#   2. `custody sbom` of Cargo.lock, as CycloneDX 1.6, SPDX 2.3 and SPDX
#      3.0.1, one component per Cargo.lock package, each bill valid by
#      scripts/sbom/validate.sh (the formats' reference validators);
#   3. BINARY sealed as a model-signing signature (`custody seal --format
#      model-signing`) with an ECDSA P-256 key made for this run (`custody
#      key generate`), verified by `custody verify` and by the reference
#      OpenSSF `model_signing` CLI (pinned in scripts/interop/model-signing.txt,
#      in a venv under the target folder); a copy of BINARY with one byte
#      flipped must fail both, while the same copy unflipped passes both.
# Prints one line per check and a summary; the key's public half, the
# signature and the bills stay in the work folder, the private half is
# deleted once the binary is sealed.
#
# Usage: scripts/release/self-check.sh BINARY
#   BINARY   the custody binary that checks, and the one signed
#
# Environment: CARGO_TARGET_DIR (the work folder is <target>/self-check,
# the model_signing venv <target>/interop/model-signing-venv).
# Exit status: 0 every check and control as expected; 1 a check failed;
# 2 usage or setup error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "release/self-check.sh: $*" >&2; exit 2; }
[[ $# == 1 ]] || die "usage: self-check.sh BINARY"
bin=$(realpath "$1") || die "$1: no such file"
[[ -x $bin ]] || die "$bin: not an executable"

target=${CARGO_TARGET_DIR:-$repo/target}
[[ $target == /* ]] || target=$repo/$target
work=$target/self-check
rm -rf "$work"
mkdir -p "$work/home"
export CUSTODY_HOME=$work/home
unset CUSTODY_LEDGER

failed=0
summary=()
pass() { summary+=("ok    $1"); echo "ok: $1"; }
fail() { summary+=("FAIL  $1"); echo "FAIL: $1" >&2; failed=1; }
# Runs a command, its standard output in $work/LOG, its standard error in
# $work/LOG.err; sets $rc.
run() {
  local log=$work/$1
  shift
  set +e
  "$@" >"$log" 2>"$log.err"
  rc=$?
  set -e
}
# Shows a failed step's output.
show() { cat "$work/$1" "$work/$1.err" >&2; }

echo "== self-check of $bin ($("$bin" --version))"

# ---- 1. scan of custody's own lockfiles ----------------------------------
for lock in Cargo.lock fuzz/Cargo.lock; do
  run scan.log "$bin" scan "$repo/$lock" --format json
  counts=$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["packages"], "packages,", s["checked"], "checked,", s["findings"], "findings")' "$work/scan.log" 2>/dev/null || echo "no report")
  if [[ $rc == 0 ]]; then
    pass "scan $lock: exit 0 ($counts; embedded records only)"
  else
    fail "scan $lock: exit $rc ($counts)"
    show scan.log
  fi
done
# Control: the same lockfile with one known-malicious crate added.
mkdir -p "$work/control"
python3 - "$repo/Cargo.lock" "$work/control/Cargo.lock" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
source = re.search(r'^source = "registry\+[^"]*"$', text, re.M).group(0)
open(sys.argv[2], "w").write(text + f'\n[[package]]\nname = "rustdecimal"\nversion = "1.23.1"\n{source}\n')
PY
run scan-control.log "$bin" scan "$work/control/Cargo.lock"
if [[ $rc == 1 ]] && grep -q 'MALICIOUS *rustdecimal (crates.io) *1.23.1 *MAL-2022-1' "$work/scan-control.log"; then
  pass "control: Cargo.lock + rustdecimal 1.23.1 fails the scan (exit 1, MAL-2022-1)"
else
  fail "control: Cargo.lock + rustdecimal was not caught (exit $rc), see $work/scan-control.log and .log.err"
fi

# ---- 2. bills of materials of the workspace --------------------------------
packages=$(grep -c '^\[\[package\]\]$' "$repo/Cargo.lock")
bills=("$work/custody.cdx.json" "$work/custody.spdx.json" "$work/custody.spdx3.jsonld")
run sbom.log "$bin" sbom "$repo/Cargo.lock" -o "${bills[0]}"
[[ $rc == 0 ]] || fail "sbom (CycloneDX 1.6): exit $rc, see $work/sbom.log and .log.err"
run sbom.log "$bin" sbom "$repo/Cargo.lock" --format spdx -o "${bills[1]}"
[[ $rc == 0 ]] || fail "sbom (SPDX 2.3): exit $rc, see $work/sbom.log and .log.err"
run sbom.log "$bin" sbom "$repo/Cargo.lock" --format spdx --spec-version 3.0.1 -o "${bills[2]}"
[[ $rc == 0 ]] || fail "sbom (SPDX 3.0.1): exit $rc, see $work/sbom.log and .log.err"
# Each bill names every package of the lockfile, by name and version
# (an empty bill would be valid too).
counted=$(python3 - "$repo/Cargo.lock" "${bills[@]}" <<'PY'
import collections, json, sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
want = collections.Counter((p["name"], p["version"]) for p in lock["package"])
cdx, spdx2, spdx3 = (json.load(open(p)) for p in sys.argv[2:])
bills = {
    "CycloneDX 1.6": [(c["name"], c.get("version")) for c in cdx["components"]],
    "SPDX 2.3": [(p["name"], p.get("versionInfo")) for p in spdx2["packages"]],
    "SPDX 3.0.1": [(e["name"], e.get("software_packageVersion")) for e in spdx3["@graph"]
                   if e.get("type") == "software_Package"],
}
for fmt, entries in bills.items():
    # The lockfile itself is a package of the SPDX bills, without a version.
    got = collections.Counter(e for e in entries if e[1] is not None)
    if got != want:
        print(f"{fmt}: missing {sorted(want - got)[:3]}, extra {sorted(got - want)[:3]}")
PY
) || counted="the bills could not be read"
if [[ -z $counted ]]; then
  pass "sbom of Cargo.lock: its $packages packages (name and version) in each of CycloneDX 1.6, SPDX 2.3, SPDX 3.0.1"
else
  fail "sbom of Cargo.lock ($packages packages): $counted"
fi
run validate.log bash "$repo/scripts/sbom/validate.sh" "${bills[@]}"
if [[ $rc == 0 ]]; then
  pass "the three bills valid by scripts/sbom/validate.sh (its controls passed first)"
else
  fail "scripts/sbom/validate.sh: exit $rc"
  show validate.log
fi

# ---- 3. the binary sealed and verified twice -------------------------------
venv=$(bash "$repo/scripts/interop/model-signing-venv.sh" "$target/interop/model-signing-venv") ||
  die "cannot provision model_signing (scripts/interop/model-signing-venv.sh)"
model_signing=$venv/bin/model_signing
name=$(basename "$bin")
key=$work/release-key
run key.log "$bin" key generate --scheme ecdsa-p256 -o "$key"
[[ $rc == 0 ]] || { show key.log; die "custody key generate failed"; }
key_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["key_id"])' "$work/key.log") ||
  die "custody key generate printed no key id"
sig=$work/$name.sig
run seal.log "$bin" seal "$bin" --format model-signing -k "$key.key" -o "$sig"
[[ $rc == 0 ]] || { show seal.log; die "custody seal failed"; }
# The key was made for this run only: its private half goes now.
rm -f "$key.key"
sha=$(sha256sum "$bin" | cut -d' ' -f1)

# Both verifiers on FILE; sets $custody_rc and $ms_rc.
verify_both() {
  local file=$1 tag=$2
  run "verify-$tag.log" "$bin" verify "$file" -m "$sig" --key "$key.pub"
  custody_rc=$rc
  run "model-signing-$tag.log" "$model_signing" verify key "$file" --signature "$sig" --public_key "$key.pub"
  ms_rc=$rc
}
verify_both "$bin" release
if [[ $custody_rc == 0 ]]; then pass "custody verify of the signed binary: exit 0"
else fail "custody verify of the signed binary: exit $custody_rc, see $work/verify-release.log and .log.err"; fi
if [[ $ms_rc == 0 ]] && grep -q 'Verification succeeded' "$work/model-signing-release.log"; then
  pass "model_signing verify key of the signed binary: Verification succeeded"
else fail "model_signing verify of the signed binary: exit $ms_rc, see $work/model-signing-release.log and .log.err"; fi

# Control: a copy under the same name passes both, then one flipped byte
# (in the middle of the file) fails both, for that reason.
mkdir -p "$work/tampered"
copy=$work/tampered/$name
cp "$bin" "$copy"
verify_both "$copy" copy
if [[ $custody_rc != 0 || $ms_rc != 0 ]]; then
  fail "control: an unmodified copy of the binary does not verify (custody $custody_rc, model_signing $ms_rc)"
fi
python3 - "$copy" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(os.path.getsize(sys.argv[1]) // 2)
    b = f.read(1)
    f.seek(-1, os.SEEK_CUR)
    f.write(bytes([b[0] ^ 0x01]))
PY
verify_both "$copy" tampered
if [[ $custody_rc == 1 ]] && grep -q "$name" "$work/verify-tampered.log"; then
  pass "control: one flipped byte fails custody verify (exit 1, $name modified)"
else fail "control: the flipped byte was not caught by custody verify (exit $custody_rc), see $work/verify-tampered.log and .log.err"; fi
if [[ $ms_rc != 0 ]] && grep -q "Hash mismatch" "$work/model-signing-tampered.log.err"; then
  pass "control: one flipped byte fails model_signing verify (exit $ms_rc, hash mismatch)"
else fail "control: the flipped byte was not caught by model_signing (exit $ms_rc), see $work/model-signing-tampered.log and .log.err"; fi
rm -rf "$work/tampered"

echo
echo "== self-check summary: $name sha256 $sha"
echo "   signed by key $key_id (ECDSA P-256, made for this run): $sig, public key $key.pub"
echo "   bills: ${bills[*]}"
printf '   %s\n' "${summary[@]}"
if [[ $failed == 0 ]]; then
  echo "   all ${#summary[@]} checks passed"
else
  echo "   SOME CHECKS FAILED" >&2
fi
exit "$failed"

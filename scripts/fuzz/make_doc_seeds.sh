#!/usr/bin/env bash
# Writes the seeds of the fuzz targets that read custody's signed documents
# (modelsign_bundle, ledger_document, delivery_bundle) with the real binary:
# a seal manifest (DSSE and bundle), a model-signing bundle, a `custody run`
# attestation, a scan inventory (uv.lock), a delivery bundle and the lab's
# signed decision, each made in a throwaway folder with throwaway keys.
#
# Each document gives two seeds: byte 0 then the file as written (the
# target's container path), and byte 1 then its statement (the target signs
# it itself, so the reader behind the signature is reached).
#
#   scripts/fuzz/make_doc_seeds.sh [CUSTODY_BIN]   (default target/debug/custody)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/target/debug/custody}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CUSTODY_HOME="$work/home" CUSTODY_NOW=2026-03-25T09:00:00Z
cd "$work"
c() { "$bin" "$@" >/dev/null; }
c key generate -o lab
c key generate -o p256 --scheme ecdsa-p256
c ledger trust add lab.pub
mkdir -p data/sub model/sub
printf '{"id": 1, "x": "a"}\n{"id": 2, "x": "b"}\n' >data/rows.jsonl
printf 'id,x\n1,a\n' >data/sub/t.csv
printf 'weights' >model/weights.bin
printf '{"layers": 2}' >model/config.json
printf 'x' >model/sub/x.txt
c seal data -k lab.key -o data.m.json --record-key id --hash sha256 --record
c seal data -k lab.key -o data.bundle.json --format bundle
c seal model --format model-signing -k p256.key -o model.sig
c scan "$root/fixtures/lockfiles/uv/uv.lock" --record -k lab.key --inventory inventory.json || true
mkdir -p out
c run --output out/a.jsonl -k lab.key --attest run.json -- /usr/bin/python3 -I -S -c \
  "open('out/a.jsonl', 'w').write('{}\n')"
c deliver data.m.json -k lab.key -o delivery.json --runs run.json --runs-signed-by lab.pub
mkdir -p keys && cp lab.pub keys/
: >delivery.toml
c accept delivery.json --policy delivery.toml --trust keys -k lab.key --decision decision.json || true

put() { # target name file
  local dir="$root/fuzz/seeds/$1"
  mkdir -p "$dir"
  { printf '\0'; cat "$3"; } >"$dir/$2.file"
  python3 - "$3" "$dir/$2.statement" <<'EOF'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
env = doc.get("dsseEnvelope", doc)
open(sys.argv[2], "wb").write(b"\x01" + base64.b64decode(env["payload"]))
EOF
}
rm -rf "$root"/fuzz/seeds/{modelsign_bundle,ledger_document,delivery_bundle}
put modelsign_bundle model-signing model.sig
put modelsign_bundle seal-manifest data.bundle.json
for doc in data.m.json data.bundle.json run.json inventory.json delivery.json decision.json; do
  put ledger_document "${doc%.json}" "$doc"
done
put delivery_bundle delivery delivery.json
put delivery_bundle decision decision.json
ls "$root"/fuzz/seeds/{modelsign_bundle,ledger_document,delivery_bundle}

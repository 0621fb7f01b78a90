#!/usr/bin/env bash
# Compares two builds of a binary and, when they differ, says how: sizes
# and SHA-256, the count of differing bytes, the ELF sections that differ
# (their bytes compared), the build ids, and the strings
# of each binary that name a build-specific folder (given as LABEL=PATH
# pairs, e.g. the two checkouts, target folders and cargo homes).
# With DIFFOSCOPE=1 and diffoscope installed, its text report is written
# beside the first binary (slow on a binary this size: minutes).
#
# Usage: scripts/release/compare.sh A B [LABEL=PATH...]
#
# Exit status: 0 identical; 1 different (explained on stdout); 2 usage error.
set -euo pipefail

die() { echo "release/compare.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "usage: compare.sh A B [LABEL=PATH...]"
a=$1 b=$2
shift 2
[[ -f $a ]] || die "$a: no such file"
[[ -f $b ]] || die "$b: no such file"

sha_a=$(sha256sum "$a" | cut -d' ' -f1)
sha_b=$(sha256sum "$b" | cut -d' ' -f1)
if [[ $sha_a == "$sha_b" ]]; then
  echo "identical: sha256 $sha_a ($(stat -c %s "$a") bytes)"
  exit 0
fi

echo "DIFFERENT"
echo "  A: $a  sha256 $sha_a  $(stat -c %s "$a") bytes"
echo "  B: $b  sha256 $sha_b  $(stat -c %s "$b") bytes"
# cmp -l lists every differing byte of the common length.
differing=$(cmp -l "$a" "$b" 2>/dev/null | wc -l || true)
echo "  differing bytes over the common length: $differing"

for tool in readelf strings; do
  command -v "$tool" >/dev/null || { echo "  ($tool not installed: no section-wise comparison; apt-get install binutils)"; exit 1; }
done

build_id() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: //p'; }
ida=$(build_id "$a") idb=$(build_id "$b")
echo "  build id: A ${ida:-none}, B ${idb:-none}"

# Each section's bytes (ELF64 section headers read by Python: objcopy
# cannot dump every kind of section), plus the bytes outside all sections.
python3 - "$a" "$b" <<'PY'
import struct, sys

def sections(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"  {path}: not an ELF64 file: no section-wise comparison")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = heads[shstrndx][4]
    out, covered = {}, bytearray(len(data))
    for name_off, kind, _flags, _addr, off, size, *_ in heads[1:]:
        name = data[names_off + name_off:data.index(b"\0", names_off + name_off)].decode()
        body = b"" if kind == 8 else data[off:off + size]  # SHT_NOBITS: no bytes
        if kind != 8:
            covered[off:off + size] = b"\1" * size
        out[name] = (size, body)
    outside = bytes(b for b, c in zip(data, covered) if not c)
    return out, outside

(sa, oa), (sb, ob) = sections(sys.argv[1]), sections(sys.argv[2])
if list(sa) != list(sb):
    print(f"  the section lists differ: only in A {sorted(set(sa) - set(sb))}, only in B {sorted(set(sb) - set(sa))}")
print("  sections that differ (name: size A / size B, differing bytes over the common length):")
same = []
for name, (size, body) in sa.items():
    if name not in sb:
        continue
    size_b, body_b = sb[name]
    if size == size_b and body == body_b:
        same.append(name)
    else:
        n = sum(x != y for x, y in zip(body, body_b))
        print(f"    {name}: {size} / {size_b}, {n}")
print("  sections identical:", " ".join(same) or "none")
if oa != ob:
    print(f"  bytes outside every section (ELF and program headers, padding) differ: {len(oa)} / {len(ob)}")
PY

if [[ $# -gt 0 ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "  embedded build-specific paths (strings -a, prefix shown as its label):"
  strings -a "$a" >"$tmp/a.strings"
  strings -a "$b" >"$tmp/b.strings"
  for pair in "$@"; do
    label=${pair%%=*} path=${pair#*=}
    [[ -n $path && $label != "$pair" ]] || die "expected LABEL=PATH, got '$pair'"
    for side in a b; do
      n=$(grep -cF -- "$path" "$tmp/$side.strings" || true)
      [[ $n -gt 0 ]] || continue
      echo "    $label ($path) in $(tr a-b A-B <<<"$side"): $n strings, e.g."
      # head ends the pipe early: not a failure.
      { grep -F -- "$path" "$tmp/$side.strings" | sed "s|$path|<$label>|g" | sort -u | head -n 5 || true; } |
        cut -c 1-160 | sed 's/^/      /'
    done
  done
fi

if [[ ${DIFFOSCOPE:-0} == 1 ]]; then
  if command -v diffoscope >/dev/null; then
    report=$a.diffoscope.txt
    echo "  diffoscope: writing $report"
    diffoscope --text "$report" --max-report-size 20000000 "$a" "$b" >/dev/null 2>&1 || true
  else
    echo "  (DIFFOSCOPE=1 but diffoscope is not installed: apt-get install diffoscope-minimal)"
  fi
fi
exit 1

#!/usr/bin/env python3
"""Validate SARIF files against the OASIS SARIF 2.1.0 JSON schema.

Usage: validate_schema.py --schema PATH --schema-sha256 HEX FILE...

Second layer of scripts/sarif/validate.sh (the first is Microsoft's SARIF
Multitool). It exists because Multitool 5.7.0's schema check misses some
violations, e.g. an out-of-enum `result.level`. The schema (draft-04,
id .../sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json) is taken
from a pinned PyPI wheel by validate.sh; its sha256 is re-checked on every run.
Formats ("date-time", "uri", "uri-reference", ...) are checked as well.

Exit status: 0 all valid, 1 some file invalid, 2 usage/setup error.
"""

import argparse
import hashlib
import json
import sys

import jsonschema


def json_path(parts):
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", required=True)
    ap.add_argument("--schema-sha256", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    with open(args.schema, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != args.schema_sha256.lower():
        print(
            f"validate_schema: {args.schema}: sha256 {digest} != pinned "
            f"{args.schema_sha256}",
            file=sys.stderr,
        )
        return 2
    schema = json.loads(raw)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())

    bad = 0
    for path in args.files:
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            print(f"{path}: error SCHEMA: cannot read JSON: {e}")
            bad += 1
            continue
        errors = sorted(
            validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
        )
        for e in errors:
            msg = e.message if len(e.message) <= 400 else e.message[:400] + "..."
            print(f"{path}: error SCHEMA: {json_path(e.absolute_path)}: {msg}")
        if errors:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

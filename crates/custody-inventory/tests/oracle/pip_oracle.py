"""Reads requirements files with pip's own parser and prints one row per
requirement: file, line, name, kind, value (tab-separated), or one `error`
row for a file pip refuses. Run by tests/pip_oracle.rs with a pinned pip."""

import sys

from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements
from pip._vendor.packaging.utils import (
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pip._vendor.packaging.version import InvalidVersion, Version


def spec_text(op, v):
    if op != "===" and not v.endswith(".*"):
        try:
            v = str(Version(v))
        except InvalidVersion:
            pass
    return op + v


def archive_version(link):
    try:
        if link.is_wheel:
            return str(parse_wheel_filename(link.filename)[1])
        return str(parse_sdist_filename(link.filename)[1])
    except Exception:
        return ""


def rows(path, session):
    out = []
    for pr in parse_requirements(path, session=session):
        # line_source is "line N of FILE"
        _, number, _, source = pr.line_source.split(" ", 3)
        source = source.rsplit("/", 1)[-1]
        ir = install_req_from_parsed_requirement(pr)
        name = canonicalize_name(ir.name) if ir.name else ""
        if ir.editable:
            kind, value = "editable", ""
        elif ir.link is not None:
            kind, value = "url", archive_version(ir.link)
        else:
            specs = list(ir.req.specifier)
            if len(specs) == 1 and specs[0].operator in ("==", "===") and not specs[0].version.endswith(".*"):
                kind = "exact"
                v = specs[0].version
                value = v if specs[0].operator == "===" else str(Version(v))
            else:
                kind = "spec"
                value = ",".join(sorted(spec_text(s.operator, s.version) for s in specs))
        out.append((source, number, name, kind, value))
    return out


def main():
    session = PipSession()
    for path in sys.argv[1:]:
        print(f"file\t{path}")
        try:
            for row in rows(path, session):
                print("\t".join(row))
        except Exception as e:  # pip refuses the file
            msg = " ".join(str(e).split())
            print(f"error\t{type(e).__name__}: {msg}")


main()

#!/usr/bin/env python3
"""Local OSV API server backed by the PyPA advisory database (YAML, OSV schema).

Serves the subset of https://api.osv.dev that pip-audit and pysentry-rs use:

  POST /v1/query        {"package": {"name", "ecosystem"}, "version"}   (pip-audit)
  POST /v1/querybatch   {"queries": [...]} -> {"results": [{"vulns": [{id, modified}]}]}
                                                                         (pysentry-rs --sources osv)
  GET  /v1/vulns/{id}   full record, looked up by id or alias          (pysentry-rs)

plus two bench-only endpoints:

  GET  /__stats         per-endpoint request counters as JSON
  POST /__reset         zero the counters

Matching follows the OSV schema: an affected[] entry matches if the queried
version is listed in `versions`, or falls inside an ECOSYSTEM range evaluated
event by event (introduced / fixed / last_affected; "0" = from the beginning).
Versions are ordered with packaging.version.Version (PEP 440). GIT ranges are
ignored, as osv.dev does for version queries. Withdrawn records are not
returned by queries (osv.dev does not return them either) unless
--include-withdrawn is given; they are still served by /v1/vulns/{id}.

Stdlib only apart from PyYAML (to read the database) and packaging.

Usage: osv_server.py --db /work/shared/advisories/pypa-advisory-db --port 8765 [--log FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

try:  # libyaml is ~10x faster when the wheel has it
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):
    """SafeLoader that keeps timestamps as the original strings (OSV wants RFC 3339 text)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Loader.yaml_implicit_resolvers.items()
}


def _ver(s: str) -> Version | None:
    try:
        return Version(s)
    except InvalidVersion:
        return None


class Range:
    """One ECOSYSTEM range, pre-parsed."""

    __slots__ = ("events",)

    def __init__(self, events: list[dict]):
        parsed = []
        for ev in events:
            for kind in ("introduced", "fixed", "last_affected", "limit"):
                if kind in ev:
                    raw = str(ev[kind])
                    if kind == "introduced" and raw == "0":
                        parsed.append((0, None, kind))  # sorts before every version
                    else:
                        v = _ver(raw)
                        if v is None:
                            continue  # unparsable event: ignore it (osv.dev does the same)
                        parsed.append((1, v, kind))
        # Sort by version; at equal versions apply introduced first, then fixed/last_affected.
        order = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}
        parsed.sort(key=lambda e: (e[0], e[1] or Version("0"), order[e[2]]))
        self.events = parsed

    def contains(self, v: Version) -> bool:
        # OSV schema "Evaluation" pseudo-code.
        affected = False
        for zero, ev_v, kind in self.events:
            if kind == "introduced":
                if zero == 0 or v >= ev_v:
                    affected = True
            elif kind == "fixed":
                if v >= ev_v:
                    affected = False
            elif kind == "last_affected":
                if v > ev_v:
                    affected = False
            elif kind == "limit":
                if v >= ev_v:
                    affected = False
        return affected


class Affected:
    __slots__ = ("ranges", "versions", "versions_raw")

    def __init__(self, entry: dict):
        self.ranges = [Range(r.get("events", [])) for r in entry.get("ranges", []) or []
                       if r.get("type") == "ECOSYSTEM"]
        self.versions_raw = {str(x) for x in entry.get("versions", []) or []}
        self.versions = {v for v in (_ver(x) for x in self.versions_raw) if v is not None}

    def matches(self, version: str) -> bool:
        if version in self.versions_raw:
            return True
        v = _ver(version)
        if v is None:
            return False
        if v in self.versions:
            return True
        return any(r.contains(v) for r in self.ranges)


class Database:
    def __init__(self, root: Path, include_withdrawn: bool = False):
        t0 = time.perf_counter()
        self.records: dict[str, dict] = {}
        self.by_alias: dict[str, str] = {}
        # canonical package name -> list of (record id, [Affected, ...])
        self.index: dict[str, list[tuple[str, list[Affected]]]] = {}
        files = sorted((root / "vulns").rglob("*.yaml"))
        for path in files:
            with open(path, "rb") as fh:
                rec = yaml.load(fh, Loader=_Loader)
            if not isinstance(rec, dict) or "id" not in rec:
                continue
            rid = rec["id"]
            self.records[rid] = rec
            for a in rec.get("aliases", []) or []:
                self.by_alias.setdefault(a, rid)
            if rec.get("withdrawn") and not include_withdrawn:
                continue
            per_pkg: dict[str, list[Affected]] = {}
            for entry in rec.get("affected", []) or []:
                pkg = entry.get("package", {}) or {}
                if pkg.get("ecosystem") != "PyPI" or not pkg.get("name"):
                    continue
                per_pkg.setdefault(canonicalize_name(pkg["name"]), []).append(Affected(entry))
            for name, affs in per_pkg.items():
                self.index.setdefault(name, []).append((rid, affs))
        self.load_seconds = time.perf_counter() - t0
        self.file_count = len(files)

    def query(self, name: str, version: str) -> list[dict]:
        out = []
        for rid, affs in self.index.get(canonicalize_name(name), []):
            if any(a.matches(version) for a in affs):
                out.append(self.records[rid])
        return out

    def get(self, vid: str) -> dict | None:
        rec = self.records.get(vid)
        if rec is None and vid in self.by_alias:
            rec = self.records[self.by_alias[vid]]
        return rec


_PURL = re.compile(r"^pkg:pypi/([^@?#]+)(?:@([^?#]+))?")


def _parse_query(q: dict) -> tuple[str | None, str | None]:
    pkg = q.get("package") or {}
    name, version = pkg.get("name"), q.get("version")
    if pkg.get("purl"):
        m = _PURL.match(pkg["purl"])
        if m:
            name = name or m.group(1)
            version = version or m.group(2)
    elif pkg.get("ecosystem") not in (None, "PyPI"):
        return None, None
    return name, version


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection
    disable_nagle_algorithm = True  # else Nagle + delayed ACK adds ~40 ms per response
    server_version = "bench-osv/1"
    db: Database
    stats: Counter
    lock = threading.Lock()
    logfile = None

    def log_message(self, fmt, *args):  # quiet default access log
        pass

    def _count(self, key: str, n: int = 1):
        with self.lock:
            self.stats[key] += n
        if self.logfile is not None:
            with self.lock:
                self.logfile.write(f"{time.time():.3f} {self.command} {self.path} {key}\n")
                self.logfile.flush()

    def _send(self, code: int, obj) -> None:
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw or b"{}")

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/__stats":
            with self.lock:
                return self._send(200, dict(self.stats))
        m = re.match(r"^/v1/vulns/(.+)$", path)
        if m:
            self._count("GET /v1/vulns/{id}")
            rec = self.db.get(m.group(1))
            if rec is None:
                return self._send(404, {"code": 5, "message": "Bug not found."})
            return self._send(200, rec)
        self._count(f"GET {path} (unhandled)")
        self._send(404, {"code": 5, "message": "not found"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        try:
            body = self._body()
        except ValueError:
            self._count(f"POST {path} (bad json)")
            return self._send(400, {"code": 3, "message": "invalid JSON"})
        if path == "/__reset":
            with self.lock:
                self.stats.clear()
            return self._send(200, {})
        if path == "/v1/query":
            self._count("POST /v1/query")
            name, version = _parse_query(body)
            if not name or not version:
                return self._send(200, {})
            vulns = self.db.query(name, version)
            return self._send(200, {"vulns": vulns} if vulns else {})
        if path == "/v1/querybatch":
            queries = body.get("queries", []) or []
            self._count("POST /v1/querybatch")
            self._count("querybatch queries", len(queries))
            results = []
            for q in queries:
                name, version = _parse_query(q)
                vulns = self.db.query(name, version) if name and version else []
                results.append({"vulns": [{"id": v["id"], "modified": v.get("modified")}
                                          for v in vulns]} if vulns else {})
            return self._send(200, {"results": results})
        self._count(f"POST {path} (unhandled)")
        self._send(404, {"code": 5, "message": "not found"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="/work/shared/advisories/pypa-advisory-db")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--log", help="append one line per request to this file")
    ap.add_argument("--include-withdrawn", action="store_true")
    ap.add_argument("--ready-file", help="write 'host:port' here once listening")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("bench server binds to loopback only")

    db = Database(Path(args.db), include_withdrawn=args.include_withdrawn)
    Handler.db = db
    Handler.stats = Counter()
    if args.log:
        Handler.logfile = open(args.log, "a")
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    print(f"osv_server: {len(db.records)} records from {db.file_count} files, "
          f"{len(db.index)} packages, loaded in {db.load_seconds:.2f}s; "
          f"listening on http://{args.host}:{srv.server_address[1]}", file=sys.stderr, flush=True)
    if args.ready_file:
        Path(args.ready_file).write_text(f"{args.host}:{srv.server_address[1]}\n")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

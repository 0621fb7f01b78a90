#!/usr/bin/env python3
"""Loopback HTTP(S) proxy for the scan benchmark: a fence and one local mirror.

Every tool in bench/scan/run.sh runs with HTTP_PROXY/HTTPS_PROXY/ALL_PROXY set
to this proxy and NO_PROXY=127.0.0.1,localhost, so:

* any attempt to reach the internet is refused (403) and logged, which proves a
  run was offline (GET /__stats lists what each tool tried to reach);
* `CONNECT github.com:443` for pysentry-rs's hard-coded PyPA download
  (https://github.com/pypa/advisory-database/archive/main.zip) is answered
  locally: TLS is terminated with a leaf certificate for github.com signed by a
  throw-away CA made by setup.sh (trusted only by the pysentry process through
  SSL_CERT_FILE), and the zip built from the local PyPA database snapshot is
  served. Nothing else is intercepted.

Stdlib only. Usage:
  offline_proxy.py --port 8766 --zip advisory-database-main.zip \
      --cert github.com.pem --key github.com.key [--log FILE]
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ZIP_HOST = "github.com"
ZIP_PATH = "/pypa/advisory-database/archive/main.zip"


class State:
    stats: Counter = Counter()
    lock = threading.Lock()
    log = None
    zip_bytes: bytes | None = None
    ssl_ctx: ssl.SSLContext | None = None

    @classmethod
    def count(cls, key: str) -> None:
        with cls.lock:
            cls.stats[key] += 1
            if cls.log is not None:
                cls.log.write(f"{time.time():.3f} {key}\n")
                cls.log.flush()


class InnerHandler(BaseHTTPRequestHandler):
    """Requests arriving inside the intercepted TLS tunnel to github.com."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == ZIP_PATH and State.zip_bytes is not None:
            State.count(f"served https://{ZIP_HOST}{path}")
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(State.zip_bytes)))
            self.end_headers()
            self.wfile.write(State.zip_bytes)
        else:
            State.count(f"refused https://{ZIP_HOST}{path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def _plain(self, code: int, body: bytes = b"", ctype: str = "text/plain") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self):
        host, _, port = self.path.partition(":")
        if host == ZIP_HOST and port in ("443", "") and State.ssl_ctx is not None:
            State.count(f"CONNECT {self.path} (intercepted)")
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            try:
                tls = State.ssl_ctx.wrap_socket(self.connection, server_side=True)
                InnerHandler(tls, self.client_address, self.server)
            except (ssl.SSLError, OSError) as exc:
                State.count(f"TLS failure for {self.path}: {exc.__class__.__name__}: {exc}")
            self.close_connection = True
            return
        State.count(f"CONNECT {self.path} (refused)")
        self._plain(403, b"offline benchmark: outside network refused\n")
        self.close_connection = True

    def _forward_form(self):
        if self.path.startswith("/"):
            if self.path == "/__stats":
                with State.lock:
                    body = json.dumps(dict(State.stats)).encode()
                return self._plain(200, body, "application/json")
            if self.path == "/__reset":
                with State.lock:
                    State.stats.clear()
                return self._plain(200, b"{}", "application/json")
            return self._plain(404)
        State.count(f"{self.command} {self.path} (refused)")
        self._plain(403, b"offline benchmark: outside network refused\n")

    do_GET = do_POST = do_HEAD = do_PUT = _forward_form


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--zip", help="advisory-database-main.zip to serve for pysentry-rs")
    ap.add_argument("--cert", help="PEM leaf certificate (+chain) for github.com")
    ap.add_argument("--key", help="PEM private key of --cert")
    ap.add_argument("--log")
    ap.add_argument("--ready-file")
    args = ap.parse_args()

    if args.zip:
        State.zip_bytes = Path(args.zip).read_bytes()
    if args.cert and args.key:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        State.ssl_ctx = ctx
    if args.log:
        State.log = open(args.log, "a")
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), ProxyHandler)
    srv.daemon_threads = True
    print(f"offline_proxy: listening on 127.0.0.1:{srv.server_address[1]}"
          f" (zip: {len(State.zip_bytes or b'')} bytes)", file=sys.stderr, flush=True)
    if args.ready_file:
        Path(args.ready_file).write_text(f"127.0.0.1:{srv.server_address[1]}\n")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The straight upstream: `python3 -m http.server`, with two changes that
keep the baseline from being the bottleneck of a parallel client.

  static_server.py --bind 127.0.0.1 --directory DIR PORT

- a listen backlog of 128 (socketserver's default is 5: uv opens dozens of
  connections at once, the kernel drops the SYNs past the backlog
  (ListenOverflows in /proc/net/netstat) and the client waits 1 s, then 3 s,
  to send them again);
- file bodies sent with sendfile(2) (`socket.sendfile`) instead of a Python
  loop of 64 KiB reads and writes under the GIL;
- single byte ranges (`Range: bytes=A-B`, `A-`, `-N`; 206, 416) and
  `Accept-Ranges: bytes`, as custody's index serves them: uv reads a
  wheel's metadata from its central directory with range requests when the
  server offers them, so without them the baseline would download more
  than the index does.

Everything else is http.server's: threads per connection, HTTP/1.0 (one
request per connection, as custody's index), directories served by their
index.html, content types by extension.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Handler(http.server.SimpleHTTPRequestHandler):
    _range: tuple[int, int] | None = None

    def send_head(self):  # noqa: D102 - http.server's hook; adds single byte ranges
        self._range = None
        path = self.translate_path(self.path)
        m = RANGE.match(self.headers.get("Range", "").strip())
        if m is None or not os.path.isfile(path) or m.groups() == ("", ""):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = m.groups()
        if first == "":                          # bytes=-N: the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(size - 1, int(last)) if last else size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        f = open(path, "rb")
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._range = (start, end - start + 1)
        return f

    def end_headers(self):  # noqa: D102 - every answer says ranges are served, as custody's
        if not self._headers_buffer or b"Accept-Ranges" not in b"".join(self._headers_buffer):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source, outputfile):  # noqa: D102 - http.server's hook
        offset, count = self._range or (0, None)
        try:
            self.connection.sendfile(source, offset, count)
        except (AttributeError, ValueError, OSError):
            source.seek(offset)
            super().copyfile(source, outputfile)

    log = None  # a file: one line per request (--log)

    def log_message(self, format, *args):  # noqa: A002 - http.server's hook
        if self.log is not None:
            self.log.write("%s %s\n" % (self.log_date_time_string(), format % args))
            self.log.flush()


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--directory", required=True)
    ap.add_argument("--log", help="append one line per request to this file")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    if a.log:
        Handler.log = open(a.log, "a")
    handler = functools.partial(Handler, directory=a.directory)
    with Server((a.bind, a.port), handler) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The straight upstream: `python3 -m http.server`, with two changes that
keep the baseline from being the bottleneck of a parallel client.

  static_server.py --bind 127.0.0.1 --directory DIR PORT

- a listen backlog of 128 (socketserver's default is 5: uv opens dozens of
  connections at once, the kernel drops the SYNs past the backlog
  (ListenOverflows in /proc/net/netstat) and the client waits 1 s, then 3 s,
  to send them again);
- file bodies sent with sendfile(2) (`socket.sendfile`) instead of a Python
  loop of 64 KiB reads and writes under the GIL.

Everything else is http.server's: threads per connection, HTTP/1.0 (one
request per connection, as custody's index), directories served by their
index.html, content types by extension.
"""

from __future__ import annotations

import argparse
import functools
import http.server


class Handler(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):  # noqa: D102 - http.server's hook
        try:
            self.connection.sendfile(source)
        except (AttributeError, ValueError, OSError):
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

#!/usr/bin/env python3
"""A tiny RFC 3161 timestamp server for the signing tests, on 127.0.0.1 only.

    tsa.py OPENSSL_CNF PORT_FILE SECONDS

Binds a free port on the loopback interface, writes it to PORT_FILE, and
answers each POSTed timestamp query with "openssl ts -reply" (the TSA key,
certificate and policy come from the [tsa] section of OPENSSL_CNF).  It
exits by itself after SECONDS, so a test that dies cannot leave it running.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(n)
        with tempfile.TemporaryDirectory() as d:
            q = os.path.join(d, "q.tsq")
            r = os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            res = subprocess.run(["openssl", "ts", "-reply", "-config", CNF, "-queryfile", q,
                                  "-out", r], capture_output=True, timeout=10)
            if res.returncode != 0:
                self.send_error(500, "openssl ts -reply failed")
                return
            with open(r, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # quiet: the test prints its own verdicts


CNF, port_file, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + seconds
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
server.timeout = 0.5  # handle_request returns at least this often
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(port_file + ".tmp", port_file)
while time.monotonic() < deadline:
    server.handle_request()

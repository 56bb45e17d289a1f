#!/usr/bin/env python3
"""A hostile (and a plain) web server for the relay tests, on loopback only.

tests/relay-server.py DIR PORTFILE: serves DIR's files as they are, and these
paths that misbehave on purpose; writes the port it listens on to PORTFILE
and runs until killed (the test kills it; it also stops by itself after
10 minutes).
  /page.html          an HTML page where a stream should be
  /to-file            a redirect to file:///etc/passwd (another scheme)
  /to-self.m3u8       a live HLS playlist whose segment is the playlist itself
  /endless-header     a header line every 100 ms, for ever
  /icy-huge           an ICY stream whose metadata block is the largest the
                      protocol allows (255 * 16 bytes), with a control
                      character in its title, then MP3 frames from DIR/icy.mp3
  /error-500          500 Internal Server Error
  /paced/NAME?bps=N   a live station: DIR/NAME sent in a loop at N bytes a second
                      (8000, 64 kb/s, by default), as an Icecast sends to a
                      listener; the tests stall it (SIGSTOP the server) or
                      throttle it (an N below the file's bitrate)
"""
import http.server
import os
import sys
import threading
import time

root, portfile = sys.argv[1], sys.argv[2]


class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)

    def log_message(self, *a):
        pass

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/page.html":
            body = b"<!doctype html><html><body><h1>Trang tin</h1>" + b"x" * 20000 + b"</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif p == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif p == "/to-self.m3u8":
            body = (b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n"
                    b"#EXTINF:2.0,\nto-self.m3u8\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.apple.mpegurl")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif p == "/endless-header":
            self.wfile.write(b"HTTP/1.0 200 OK\r\n")
            try:
                for i in range(6000):
                    self.wfile.write(b"X-Filler-%d: %s\r\n" % (i, b"y" * 60))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif p == "/icy-huge":
            data = open(os.path.join(root, "icy.mp3"), "rb").read()
            metaint = 8192
            self.wfile.write(b"ICY 200 OK\r\nicy-name: test\r\nicy-metaint: %d\r\nContent-Type: audio/mpeg\r\n\r\n" % metaint)
            title = b"StreamTitle='Tin t\x1b[2J\x07c" + b"z" * 3000 + b"';"
            meta = title.ljust(255 * 16, b"\0")
            try:
                for off in range(0, len(data), metaint):
                    chunk = data[off:off + metaint]
                    self.wfile.write(chunk)
                    if len(chunk) == metaint:
                        self.wfile.write(bytes([255]) + meta)
            except OSError:
                pass
        elif p == "/error-500":
            self.send_error(500)
        elif p.startswith("/paced/"):
            q = dict(x.split("=", 1) for x in self.path.split("?", 1)[1].split("&") if "=" in x) if "?" in self.path else {}
            bps = max(100, int(q.get("bps", "8000")))
            data = open(os.path.join(root, os.path.basename(p[7:])), "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.end_headers()
            step, sent, t0 = max(1, bps // 10), 0, time.time()
            try:
                while time.time() - t0 < 600:
                    off = sent % len(data)
                    chunk = data[off:off + step]
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    sent += len(chunk)
                    # paced by the clock, not by sleeps: a stopped server sends no burst to catch up
                    t0 = max(t0, time.time() - sent / bps - 0.2)
                    time.sleep(max(0.0, t0 + sent / bps - time.time()))
            except OSError:
                pass
        else:
            super().do_GET()


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True


s = S(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
threading.Timer(600, lambda: os._exit(0)).start()
s.serve_forever()

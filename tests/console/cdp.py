#!/usr/bin/env python3
"""A small driver for headless Chromium over the DevTools protocol, on the
pipe transport (--remote-debugging-pipe: JSON messages ending in NUL on
file descriptors 3 and 4), with the standard library only: no websocket
module, no npm packages, nothing fetched at test time.

Runs a scenario file: one step a line, run in order; the first failing
step prints "FAIL: step: why" and exits 1. Steps:
  viewport W H [mobile]    the page's size (mobile: a phone's, touch)
  goto URL                 load a page and wait for it
  fill SELECTOR TEXT       set a form field's value
  submit SELECTOR          submit that form and wait for the next page
  wait [SECONDS] JS        until the expression is truthy (default 10 s)
  expect JS                the expression must be truthy now
  print JS                 print the expression's value
  shot FILE                a PNG screenshot of the whole page
  sh COMMAND               run a shell command (it must exit 0), e.g. to change the store under an open page
Every wait is bounded; the browser is killed at the end whatever happens.
"""
import base64, json, os, select, subprocess, sys, time


class Browser:
    def __init__(self, exe, profile):
        to_r, self.to_w = os.pipe()
        self.fr_r, fr_w = os.pipe()

        def fds():
            # the browser reads commands on 3 and writes answers on 4
            a, b = os.dup(to_r), os.dup(fr_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--hide-scrollbars", "--remote-debugging-pipe",
                 "--user-data-dir=" + profile, "about:blank"]
        self.log = open(profile + ".log", "wb")
        self.p = subprocess.Popen([exe] + flags, preexec_fn=fds, close_fds=False, stdout=self.log,
                                  stderr=self.log, stdin=subprocess.DEVNULL)
        os.close(to_r)
        os.close(fr_w)
        self.buf = b""
        self.id = 0
        self.events = []
        self.session = None
        t = self.call("Target.createTarget", {"url": "about:blank"}, top=True)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": t, "flatten": True}, top=True)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the browser did not answer in time")
            r, _, _ = select.select([self.fr_r], [], [], left)
            if r:
                chunk = os.read(self.fr_r, 1 << 20)
                if not chunk:
                    raise EOFError("the browser went away")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, top=False, timeout=30):
        self.id += 1
        m = {"id": self.id, "method": method, "params": params or {}}
        if self.session and not top:
            m["sessionId"] = self.session
        os.write(self.to_w, json.dumps(m).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            r = self._read(deadline)
            if r.get("id") == self.id:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"].get("message")))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[:i + 1]
                    return e
            self.events.append(self._read(deadline))

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def close(self):
        try:
            self.p.kill()
            self.p.wait(10)
        except Exception:
            pass


def main():
    exe, profile, script = sys.argv[1:4]
    b = Browser(exe, profile)
    try:
        for line in open(script, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            verb, _, rest = line.partition(" ")
            try:
                if verb == "viewport":
                    a = rest.split()
                    b.call("Emulation.setDeviceMetricsOverride", {"width": int(a[0]), "height": int(a[1]),
                           "deviceScaleFactor": 1, "mobile": len(a) > 2 and a[2] == "mobile"})
                elif verb == "goto":
                    b.events.clear()
                    b.call("Page.navigate", {"url": rest})
                    b.wait_event("Page.loadEventFired")
                elif verb == "fill":
                    sel, _, text = rest.partition(" ")
                    b.js("document.querySelector(%s).value = %s" % (json.dumps(sel), json.dumps(text)))
                elif verb == "submit":
                    b.events.clear()
                    b.js("document.querySelector(%s).submit()" % json.dumps(rest))
                    b.wait_event("Page.loadEventFired")
                elif verb in ("wait", "expect"):
                    expr, secs = rest, 10.0
                    first, _, more = rest.partition(" ")
                    if verb == "wait" and first.isdigit():
                        expr, secs = more, float(first)
                    deadline = time.monotonic() + (secs if verb == "wait" else 0)
                    while not b.js(expr):
                        if time.monotonic() >= deadline:
                            raise AssertionError("not true: " + expr)
                        time.sleep(0.2)
                elif verb == "sh":
                    subprocess.run(rest, shell=True, check=True, timeout=60)
                elif verb == "print":
                    print(b.js(rest))
                elif verb == "shot":
                    png = b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
                    with open(rest, "wb") as f:
                        f.write(base64.b64decode(png))
                else:
                    raise ValueError("unknown step")
            except Exception as e:
                print("FAIL: %s: %s" % (line, e))
                print("page: %s" % (b.js("location.href + ' ' + document.title") if verb != "goto" else ""))
                return 1
        return 0
    finally:
        b.close()


if __name__ == "__main__":
    sys.exit(main())

"""The web viewer in a real browser: headless Chromium, driven over the DevTools protocol.

Signs in at /viewer with a clinic account, opens the study list, then each study given, and checks
from the page that an image was drawn (the viewport's pixels are not uniform), that no console error
was logged and that no request went to another host. Screenshots go to OUT_DIR.

Usage: python viewer_browser.py BASE_URL USERNAME PASSWORD OUT_DIR NAME=STUDY_UID...
Needs the `websocket-client` package and Debian's `chromium`.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Page:
    """One tab, its DevTools connection, and what it logged."""

    def __init__(self, ws_url, origin):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.origin = origin
        self.errors = []
        self.foreign = []
        self.requests = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(domain + ".enable")

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.errors.append("console: " + text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + json.dumps(details.get("exception", {}).get("description", details.get("text"))))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append("log: %s %s" % (entry.get("text"), entry.get("url", "")))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            self.requests.append(url)
            if url.startswith(("http:", "https:", "ws:", "wss:")) and not url.startswith(self.origin):
                self.foreign.append(url)

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            self._event(message)

    def pump(self, seconds):
        """Reads events for a while (the page keeps working meanwhile)."""
        self.ws.settimeout(0.2)
        end = time.time() + seconds
        while time.time() < end:
            try:
                self._event(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                pass
        self.ws.settimeout(60)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError("evaluating %r: %s" % (expression[:60], result["exceptionDetails"]))
        return result.get("result", {}).get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.pump(0.5)

    def wait(self, expression, what, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            try:
                value = self.eval(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            self.pump(0.5)
        self.screenshot(os.path.join(OUT, "timeout.png"))
        raise SystemExit("timed out waiting for %s (screenshot timeout.png); errors: %s" % (what, self.errors))

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# What the page says about its largest canvas: its size and how its pixels spread. Cornerstone draws
# each viewport into a 2D canvas, so its pixels can be read back.
VIEWPORT_PIXELS = r"""
(() => {
  const canvases = [...document.querySelectorAll('canvas')]
    .filter(c => c.width > 64 && c.height > 64 && c.getBoundingClientRect().width > 64);
  if (!canvases.length) return null;
  const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
  let data;
  try {
    data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  } catch (e) {
    return {error: String(e)};
  }
  let sum = 0, sq = 0, lit = 0, n = 0;
  for (let i = 0; i < data.length; i += 16) {
    const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += v; sq += v * v; n++;
    if (v > 8) lit++;
  }
  const mean = sum / n;
  return {width: c.width, height: c.height, mean: mean, sd: Math.sqrt(sq / n - mean * mean), lit: lit / n};
})()
"""


def main():
    global OUT
    base, username, password, OUT = sys.argv[1:5]
    studies = [arg.split("=", 1) for arg in sys.argv[5:]]
    os.makedirs(OUT, exist_ok=True)
    origin = base.rstrip("/")
    port = free_port()
    profile = tempfile.mkdtemp(prefix="viewer-browser-")
    host = urllib.parse.urlparse(base).hostname
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--window-size=1400,900",
            # Every other host is unreachable: a request to one is seen, and fails.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE %s" % host,
            "--remote-debugging-port=%d" % port,
            "--user-data-dir=" + profile,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=1))
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("Chromium did not start")
        page = Page(pages[0]["webSocketDebuggerUrl"], origin)

        # Without a session: the sign-in page.
        page.goto(origin + "/viewer/")
        page.wait(
            "!!(document.querySelector('input[name=username]') && document.querySelector('input[name=password]')"
            " && document.querySelector('button[type=submit]'))",
            "the sign-in form",
        )
        page.screenshot(os.path.join(OUT, "sign-in.png"))
        page.eval(
            "document.querySelector('input[name=username]').value = %s;"
            "document.querySelector('input[name=password]').value = %s;"
            "document.querySelector('button[type=submit]').click(); true" % (json.dumps(username), json.dumps(password))
        )
        # The study list: a row for each study given, each label (what the list shows of it) seen.
        page.wait("location.pathname.startsWith('/viewer') && !document.querySelector('input[name=password]')", "leaving the sign-in page")
        names = [name for name, _ in studies]
        page.wait(
            "(() => { const t = document.body.innerText; return document.querySelectorAll('tbody tr').length >= %d"
            " && %s.every(n => t.includes(n)); })()" % (len(names), json.dumps(names)),
            "the study list naming every study",
        )
        page.pump(1)
        page.screenshot(os.path.join(OUT, "study-list.png"))
        print("study list: %s listed" % ", ".join(names))

        for name, uid in studies:
            page.goto(origin + "/viewer/viewer?StudyInstanceUIDs=" + uid)
            found = page.wait(
                "(() => { const p = %s; return p && p.sd > 4 && p.lit > 0.05 ? p : null; })()" % VIEWPORT_PIXELS.strip(),
                "an image drawn for %s" % name,
                timeout=90,
            )
            page.pump(1.5)
            shot = os.path.join(OUT, "study-%s.png" % name.replace("^", "_"))
            page.screenshot(shot)
            print("%s: viewport %dx%d, mean %.1f, sd %.1f, %.0f%% lit -> %s" % (
                name, found["width"], found["height"], found["mean"], found["sd"], found["lit"] * 100, shot))

        dicomweb = [u for u in page.requests if "/dicomweb/" in u]
        print("requests: %d in all, %d to /dicomweb, %d to another host" % (len(page.requests), len(dicomweb), len(page.foreign)))
        problems = []
        if page.errors:
            problems.append("console errors:\n  " + "\n  ".join(page.errors))
        if page.foreign:
            problems.append("requests to another host:\n  " + "\n  ".join(sorted(set(page.foreign))))
        if problems:
            raise SystemExit("\n".join(problems))
        print("viewer: signed in, listed and drew every study; no console error, no other host")
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

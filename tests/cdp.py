"""A small Chrome DevTools Protocol client for tests: Debian's headless chromium, driven over its
local debugging websocket (the websockets package), as Playwright or Selenium would drive it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
START_WAIT_S = 30
STEP_S = 0.1


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless chromium with one page; ``with Browser(url, width, height) as b: b.eval(js)``."""

    def __init__(self, url: str, width: int = 1400, height: int = 1000):
        from websockets.sync.client import connect

        self._profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", f"--window-size={width},{height}", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        for _ in range(int(START_WAIT_S / STEP_S)):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(STEP_S)
        port = int(port_file.read_text().splitlines()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self._ws = connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024, open_timeout=10)
        self._id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def eval(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, tries: int = 300):
        """Poll a JavaScript expression until it is truthy (bounded: ``tries`` x 0.1 s)."""
        for _ in range(tries):
            try:
                value = self.eval(expression)
            except RuntimeError:  # the page is navigating
                value = None
            if value:
                return value
            time.sleep(STEP_S)
        raise AssertionError(f"never true: {expression}")

    def screenshot(self, target: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        target.write_bytes(base64.b64decode(data))
        return target

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._end_helpers()
            self._profile.cleanup()

    def _end_helpers(self) -> None:
        """Chromium's helpers (renderer, crash handler) can outlive the browser and keep writing
        into the profile while it is removed ("Directory not empty"): end the whole session's
        process group and wait until it is empty."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for _ in range(int(5 / STEP_S)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    return
                time.sleep(STEP_S)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def print_to_pdf(html: str, pdf: Path, timeout_s: float = 120) -> Path:
    """``html`` typeset by headless chromium into ``pdf`` (a real text layer, in whatever layout the
    page's CSS sets: columns, ruled tables, cells set in the middle of their rows)."""
    source = pdf.with_suffix(".html")
    source.write_text(html, encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="gepnec-print-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", source.as_uri()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout_s, check=True)
    return pdf

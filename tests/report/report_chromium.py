"""Open local pages in headless Chromium with the network cut off, over the DevTools protocol.

A tiny client on `websocket-client` (already installed with jupyter_server): no browser download,
no new heavy dependency. The network is cut by sending every request to a proxy that refuses
(127.0.0.1:9) and resolving every host name to nothing; file:// and data: URLs still load.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: The width a printed report is laid out in, in CSS pixels: A4 landscape less the stylesheet's
#: 12 mm margins (`@page`), 273 mm.
PRINT_WIDTH = 1032

#: Every way a report's tables can hide text from a reviewer, as sentences (empty: none). On
#: screen a table wider than its frame must scroll in a frame marked `ak-wide` with the hint in
#: it shown, and the frame must lie inside the window; on paper (`matchMedia("print")`) no table
#: may be wider than its frame at all. Long text (`ak-long`) that wraps must hold at least 40
#: characters a line (30 in a column of Chinese text, `ak-cjk`) on screen; numbers never wrap,
#: nor do codes (`ak-short`) on screen, and on paper short text wraps between its words only
#: (each word, `ak-word`, whole: never `2023-` / `01`, nor `徐` / `**`). The page itself never
#: scrolls sideways.
TABLE_LAYOUT_PROBE = r"""(() => {
  const print = matchMedia("print").matches, problems = [];
  const lines = cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  // How many of the cell's characters one line holds: its width over their mean width.
  const perLine = cell => {
    const range = document.createRange(), style = getComputedStyle(cell);
    range.selectNodeContents(cell);
    const used = [...range.getClientRects()].reduce((sum, box) => sum + box.width, 0);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.floor(room * cell.textContent.length / used);
  };
  if (document.documentElement.scrollWidth > innerWidth + 1)
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide in ${innerWidth}px`);
  document.querySelectorAll(".ak-table-wrap").forEach((wrap, index) => {
    const name = `table ${index + 1} (${wrap.querySelector("th")?.textContent.trim()})`;
    const box = wrap.getBoundingClientRect();
    if (box.left < -1 || box.right > innerWidth + 1)
      problems.push(`${name}: its frame spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      const hint = wrap.querySelector(".ak-scroll-hint");
      const hinted = hint !== null && hint.offsetParent !== null;
      if (print || !wrap.classList.contains("ak-wide") || !hinted)
        problems.push(`${name}: ${wrap.scrollWidth}px of table in ${wrap.clientWidth}px, ` +
          (print ? "cut on paper" : "scrolling unmarked"));
    }
    wrap.querySelectorAll("tbody td.ak-num").forEach(cell => {
      if (lines(cell) > 1) problems.push(`${name}: number ${cell.textContent} wraps`);
    });
    if (print) {
      wrap.querySelectorAll("tbody td.ak-short").forEach(cell => {
        const words = [...cell.querySelectorAll(".ak-word")];
        (words.length ? words : [cell]).forEach(word => {
          if (lines(word) > 1) problems.push(`${name}: ${word.textContent} breaks on paper`);
        });
      });
      return;
    }
    wrap.querySelectorAll("tbody td.ak-short").forEach(cell => {
      if (lines(cell) > 1) problems.push(`${name}: ${cell.textContent} wraps`);
    });
    wrap.querySelectorAll("tbody td.ak-long").forEach(cell => {
      const least = cell.classList.contains("ak-cjk") ? 30 : 40, shown = perLine(cell);
      if (lines(cell) > 1 && shown < least)
        problems.push(`${name}: ${shown} characters a line, fewer than ${least}: ` +
          cell.textContent.slice(0, 40));
    });
  });
  return problems;
})()"""


def find_chromium() -> str | None:
    """The path of an installed Chromium, or None."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@dataclass
class PageVisit:
    """What happened while a page loaded: requests made, failures, script errors, load state."""

    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    loaded: bool = False
    title: str = ""
    probed: Any = None


class DevTools:
    """A minimal Chrome DevTools Protocol session on one page target."""

    def __init__(self, socket: websocket.WebSocket, session_id: str) -> None:
        self.socket = socket
        self.session_id = session_id
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply, keeping the events that arrive meanwhile."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        message["sessionId"] = self.session_id
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.socket.settimeout(left)
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)
        raise TimeoutError(f"no reply to {method} within {timeout} s")

    def drain(self, seconds: float) -> None:
        """Collect the events that arrive during `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.socket.settimeout(left)
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                return
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> bool:
        """Wait until an event named `method` arrived (or was already seen)."""
        deadline = time.monotonic() + timeout
        while not any(event["method"] == method for event in self.events):
            if time.monotonic() > deadline:
                return False
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                return False
            if "method" in message:
                self.events.append(message)
        return True


@contextmanager
def offline_chromium(executable: str) -> Iterator[websocket.WebSocket]:
    """Start headless Chromium without network access; yield a socket to its browser endpoint."""
    profile = tempfile.mkdtemp(prefix="auditkit-chromium-")
    process = subprocess.Popen(
        [
            executable,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1280,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=30, suppress_origin=True
        )
        try:
            yield socket
        finally:
            socket.close()
    finally:
        os.killpg(process.pid, 9)
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _browser_call(socket: websocket.WebSocket, method: str, **params: Any) -> dict[str, Any]:
    """A command on the browser target itself (no session)."""
    socket.send(json.dumps({"id": 0, "method": method, "params": params}))
    while True:
        reply = json.loads(socket.recv())
        if reply.get("id") == 0:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            return reply.get("result", {})


def visit(
    socket: websocket.WebSocket,
    page: Path,
    screenshot: Path | None = None,
    probe: str | None = None,
    width: int = 1280,
    media: str | None = None,
    settle: float = 1.0,
) -> PageVisit:
    """Load `page` in a new tab, record what happened and save a full-page PNG screenshot (none
    where `screenshot` is None: a probe alone needs no picture, and a tall page's takes seconds).

    `probe` is a JavaScript expression evaluated in the loaded page once its fonts are ready and
    a frame is drawn (its JSON-ready value is kept in `probed`); `width` is the viewport width in
    CSS pixels (below 600 the page is shown as on a phone); `media` ("print") lays the page out
    as for that medium; `settle` is how long after the load event late requests and script
    errors are still collected (a probe of the layout alone can take 0).
    """
    target = _browser_call(socket, "Target.createTarget", url="about:blank")["targetId"]
    session = _browser_call(socket, "Target.attachToTarget", targetId=target, flatten=True)
    tools = DevTools(socket, session["sessionId"])
    for domain in ("Page", "Network", "Runtime", "Log"):
        tools.call(f"{domain}.enable")
    if media:
        tools.call("Emulation.setEmulatedMedia", media=media)
    mobile = width < 600
    tools.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=2 if mobile else 1,
        mobile=mobile,
    )
    tools.events.clear()
    tools.call("Page.navigate", url=page.resolve().as_uri())
    result = PageVisit(loaded=tools.wait_for("Page.loadEventFired", timeout=60))
    tools.drain(settle)  # let late requests or script errors surface
    for event in tools.events:
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            result.failed_requests.append(f"{params.get('errorText')} ({params.get('requestId')})")
        elif method == "Runtime.exceptionThrown":
            result.script_errors.append(json.dumps(params.get("exceptionDetails", {}))[:500])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            result.console_errors.append(params["entry"].get("text", ""))
    result.title = tools.call("Runtime.evaluate", expression="document.title")["result"]["value"]
    if probe is not None:
        tools.call("Runtime.evaluate", expression=_LAID_OUT, awaitPromise=True)
        reply = tools.call("Runtime.evaluate", expression=probe, returnByValue=True)
        result.probed = reply["result"].get("value")
    if screenshot is not None:
        _screenshot(tools, screenshot, width)
    _browser_call(socket, "Target.closeTarget", targetId=target)
    return result


#: Resolves once the page's fonts are loaded and a frame is drawn with them: what a probe of the
#: layout measures is what a reviewer sees, however soon after the load event it runs.
_LAID_OUT = (
    "document.fonts.ready.then(() => new Promise(done => requestAnimationFrame(() => done(1))))"
)


def _screenshot(tools: DevTools, screenshot: Path, width: int) -> None:
    """Save the whole page (up to 8,000 CSS pixels tall) as a PNG at `screenshot`."""
    mobile = width < 600
    metrics = tools.call("Page.getLayoutMetrics")["cssContentSize"]
    height = min(int(metrics["height"]), 8000)
    tools.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=2 if mobile else 1,
        mobile=mobile,
    )
    image = tools.call("Page.captureScreenshot", format="png", timeout=60)["data"]
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(image))

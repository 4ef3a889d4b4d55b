"""A phone that loses its network resumes from its cursor: its `hello` names the last event it
saw and the server answers with the missed events, not a snapshot. The page runs under the real
CSP (no bypass) and logs no console error and no CSP violation meanwhile."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.timeout(180)

# Listens before any page script (an init script is not subject to the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.sample]);
});
"""


class Watched:
    """A phone page under the app's own CSP, with every console error, page error and CSP
    violation recorded, and its live socket passed through the test: every frame is kept, and
    ``cut`` drops what the server sends, as a network that went away would."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="da-DK", **options
        )
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.sockets: list[dict[str, Any]] = []
        self.cut = False
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.route_web_socket(re.compile(r"/ws/participant$"), self._socket)

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.errors.append(f"console {message.type}: {message.text}")

    def _socket(self, route: Any) -> None:
        server = route.connect_to_server()
        frames: dict[str, Any] = {"route": route, "sent": [], "received": [], "dropped": []}
        self.sockets.append(frames)

        def to_server(message: str | bytes) -> None:
            frames["sent"].append(str(message))
            server.send(message)

        def to_page(message: str | bytes) -> None:
            if self.cut:
                frames["dropped"].append(str(message))
                return
            frames["received"].append(str(message))
            route.send(message)

        route.on_message(to_server)
        server.on_message(to_page)

    def csp_violations(self) -> list[Any]:
        return self.page.evaluate("window.__csp || []")

    def close(self) -> None:
        self.context.close()


def hello(frames: dict[str, Any]) -> dict[str, Any]:
    first = json.loads(frames["sent"][0])
    assert first["msg"] == "hello", first
    return first


def last_cursor(frames: list[str]) -> int:
    seqs = [int(m) for f in frames for m in re.findall(r'id="cursor"[^>]*data-seq="(\d+)"', f)]
    return max(seqs)


def write(page: Any, text: str) -> None:
    page.fill("#note-text", text)
    page.get_by_role("button", name="Send").click()


def test_a_reconnect_resumes_from_the_cursor(browser, live, demo) -> None:
    me = demo["members"][0]
    phone = Watched(browser)
    other_device = Watched(browser)  # the same person on a second device writes meanwhile
    try:
        page = phone.page
        page.goto(me["join_url"])
        page.wait_for_selector("#conn[data-state=open]")
        assert hello(phone.sockets[0])["cursor"] is None  # a fresh page asks for a snapshot
        write(page, "Før afbrydelsen")
        page.wait_for_selector("#my-notes .note.saved >> text=Før afbrydelsen")
        time.sleep(0.5)  # the note's own event arrives after its ack
        cursor = last_cursor(phone.sockets[0]["received"])  # the last event the page got
        assert cursor > 0

        phone.cut = True  # the phone's network goes away: it misses what happens now
        other_device.page.goto(me["join_url"])
        other_device.page.wait_for_selector("#conn[data-state=open]")
        write(other_device.page, "Skrevet på den anden enhed")
        other_device.page.wait_for_selector("#my-notes .note.saved >> text=den anden enhed")
        deadline = time.monotonic() + 10
        while not any("den anden enhed" in f for f in phone.sockets[0]["dropped"]):
            assert time.monotonic() < deadline, "the server never sent the note to the phone"
            page.wait_for_timeout(100)
        assert page.locator("#my-notes >> text=den anden enhed").count() == 0

        phone.cut = False
        phone.sockets[0]["route"].close(code=1006)  # the socket dies as a lost network's does
        page.wait_for_selector("#my-notes .note.saved >> text=den anden enhed", timeout=20_000)
        page.wait_for_selector("#conn[data-state=open]")

        assert len(phone.sockets) == 2, "the phone did not open a new socket"
        resumed = phone.sockets[1]
        assert hello(resumed)["cursor"] == cursor  # resumes from the last event it saw …
        received = "".join(resumed["received"])
        assert "Skrevet på den anden enhed" in received  # … and gets the missed event …
        assert 'id="stage"' not in received  # … not a snapshot
        assert page.locator("#my-notes .note").count() == 2

        assert phone.csp_violations() == []
        assert other_device.csp_violations() == []
        assert phone.errors == []
        assert other_device.errors == []
    finally:
        phone.close()
        other_device.close()

"""A whole scripted gathering, every page under the app's own CSP (no bypass), and not one
console error, page error or CSP violation on any of them: the tablet console, the projector,
a table's view, three phones and the theme board, from the values round through the timer,
closing and starting items, every big-screen scene, publishing a new round of tables, a theme
put before the room; meanwhile a phone loses its network, writes, and comes back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(300)

PROJECTOR = {"width": 1920, "height": 1080}
CONSOLE = {"width": 1180, "height": 820}

# Listens before any page script (an init script is not subject to the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber]);
});
"""


class Screens:
    """Pages in their own contexts under the real CSP, each with what went wrong on it."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.pages: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def open(self, name: str, viewport: dict[str, int], **options: Any) -> Any:
        context = self.browser.new_context(viewport=viewport, locale="da-DK", **options)
        context.set_default_timeout(20_000)
        context.add_init_script(WATCH_CSP)
        self.contexts.append(context)
        page = context.new_page()
        errors = self.errors.setdefault(name, [])
        page.on(
            "console",
            lambda m: (
                errors.append(f"console {m.type}: {m.text}")
                if m.type == "error" or "Content Security Policy" in m.text
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        self.pages[name] = page
        return page

    def problems(self) -> dict[str, list[str]]:
        found = {name: list(errs) for name, errs in self.errors.items() if errs}
        for name, page in self.pages.items():
            if page.is_closed():
                continue
            violations = page.evaluate("window.__csp || []")
            if violations:
                found.setdefault(name, []).extend(f"csp: {v}" for v in violations)
        return found

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def send_note(phone: Any, text: str) -> None:
    phone.fill("#note-text", text)
    phone.locator("#note-form button[type=submit]").click()
    phone.wait_for_selector(f"#my-notes li.saved >> text={text}")


def scene(console: Any, label: str, projector: Any, name: str) -> None:
    console.locator("#scene-switch").get_by_role("button", name=label, exact=True).click()
    projector.wait_for_selector(f"#stage[data-scene={name}]")


def test_a_whole_gathering_logs_no_error_on_any_page(browser, live, demo) -> None:
    screens = Screens(browser)
    try:
        console = screens.open("console", CONSOLE, has_touch=True)
        login(console, live, demo)
        console.goto(demo["console_url"])
        console.wait_for_selector("#live-bar")
        projector = screens.open("projector", PROJECTOR)
        projector.goto(demo["projector_url"])
        projector.wait_for_selector("#stage[data-scene=wall]")
        phones = []
        for i, member in enumerate(demo["members"][:3]):
            phone = screens.open(f"phone-{i}", PHONE, is_mobile=True, has_touch=True)
            phone.goto(member["join_url"])
            phone.wait_for_selector("#conn[data-state=open]")
            phones.append(phone)
        table_no = int(
            re.search(r"\d+", phones[0].locator("#table-h").inner_text()).group()  # type: ignore[union-attr]
        )
        table = screens.open("table-view", CONSOLE, has_touch=True)
        login(table, live, demo)
        table.goto(f"{demo['console_url']}/table/{table_no}")
        table.wait_for_selector("#conn[data-state=open]")

        # the values round: every phone writes, the wall and the table view show it
        for i, phone in enumerate(phones):
            send_note(phone, f"Værdi fra telefon {i}")
        projector.wait_for_selector("text=Værdi fra telefon 2")
        table.wait_for_selector("text=Værdi fra telefon 0")

        # while the round is open, a phone loses its network, writes, comes back: saved once
        phones[1].context.set_offline(True)
        phones[1].wait_for_selector("#conn[data-state=offline]")
        phones[1].fill("#note-text", "Skrevet uden net")
        phones[1].locator("#note-form button[type=submit]").click()
        phones[1].context.set_offline(False)
        phones[1].wait_for_selector("#my-notes li.saved >> text=Skrevet uden net")
        projector.wait_for_selector("text=Skrevet uden net")

        # the timer, then every scene the console offers
        console.get_by_role("button", name="Læg 1 minut til").click()
        for label, name in (("Nu og tid", "now"), ("Bordplan", "plan"), ("Sedlerne", "wall")):
            scene(console, label, projector, name)
        console.locator("#scene-switch select[name=ref]").select_option(str(table_no))
        console.locator("#scene-switch").get_by_role("button", name="Vis bordet").click()
        projector.wait_for_selector("#stage[data-scene=table]")

        # close the values round (with its confirm step), start the next item
        console.locator("summary.close-button").click()
        console.get_by_role("button", name=re.compile("Ja, luk")).click()
        console.wait_for_selector(".lb-state")
        console.locator("button.start-next").click()
        for phone in phones:
            phone.wait_for_selector("#now-block >> text=Oplæg")

        # a new round of tables from the rounds page
        console.goto(f"{demo['console_url']}/rounds")
        console.get_by_role("button", name="Planlæg", exact=True).click()
        console.wait_for_selector(".draft-round")
        console.get_by_role("button", name=re.compile(r"Send runde \d+ ud")).click()
        projector.wait_for_selector("#stage[data-scene=plan]")
        for phone in phones:
            phone.wait_for_selector("#table-h >> text=Gå til bord")

        # the theme board: a theme from the phones' notes, put before the room
        board = screens.open("board", CONSOLE, has_touch=True)
        login(board, live, demo)
        board.goto(f"{demo['console_url']}/themes")
        board.wait_for_selector("text=Værdi fra telefon 0")
        for i in range(2):
            board.locator("#unplaced-list label", has_text=f"Værdi fra telefon {i}").click()
        board.fill("#new-name", "Fællesskab")
        board.get_by_role("button", name="Nyt tema af de valgte").click()
        card = board.locator(".theme-card", has_text="Fællesskab")
        card.get_by_role("button", name=re.compile("Vis på storskærmen")).click()
        projector.wait_for_selector("#stage[data-scene=spotlight] >> text=Fællesskab")
        phones[0].wait_for_selector("#spotlight >> text=Fællesskab")

        assert screens.problems() == {}
    finally:
        screens.close()

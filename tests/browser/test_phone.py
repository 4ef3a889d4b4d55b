"""The phone at 390×844 and 360×640, portrait and landscape: "Gå til bord N" and the write box on
the first screen, a connection state that tells the truth, and a half-typed note that stays with
its author on a shared device."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(240)

SIZES = [(390, 844), (844, 390), (360, 640), (640, 360)]
SCREENS = Path(os.environ.get("SAMLING_SCREENS", Path(tempfile.gettempdir()) / "samling-screens"))
WRITE_BOX = ["#note-text", "#note-form button[type=submit]"]


def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def assert_in_first_screen(page: Any, selector: str) -> None:
    """The element's box lies inside the window without scrolling."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)


def text_lines(page: Any, selector: str) -> int:
    """How many lines the element's text takes on screen."""
    return page.evaluate(
        """sel => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector(sel));
          return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        }""",
        selector,
    )


def assert_sent(page: Any) -> None:
    """A saved note says so in words (for screen readers too), with a tick beside them."""
    status = page.locator("#my-notes .note.saved .note-status").first
    assert status.inner_text().strip() == "Sendt"
    tick = status.evaluate("el => getComputedStyle(el, '::before').content")
    assert tick == '"✓ "'


def write(page: Any, text: str) -> None:
    page.fill("#note-text", text)
    page.get_by_role("button", name="Send").click()


def test_the_first_screen_at_every_size(new_page, demo) -> None:
    me = demo["members"][0]
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(me["join_url"])
    phone.wait_for_selector("#conn[data-state=open]")
    heading = phone.locator("#table-h")
    assert re.fullmatch(r"Gå til bord \d+", heading.inner_text().strip())
    assert "Sammen med:" in phone.locator("#my-table").inner_text()
    assert "Hej " + me["name"] == phone.locator(".hello").inner_text().strip()  # no comma
    write(phone, "Fællesskab og tillid")
    phone.locator("#my-notes .note.saved").wait_for()
    assert_sent(phone)
    phone.fill("#note-text", "En halv tanke")
    for width, height in SIZES:
        phone.set_viewport_size({"width": width, "height": height})
        phone.evaluate("window.scrollTo(0, 0)")
        time.sleep(0.2)
        for selector in ["#table-h", "#now-block .timer", *WRITE_BOX]:
            assert_in_first_screen(phone, selector)
        assert text_lines(phone, "#table-h") == 1  # the number on the same line
        assert phone.locator("header").bounding_box()["height"] <= 60  # a slim header
        screenshot(phone, f"phone-{width}x{height}-seated")
        assert_accessible(phone)
    # the remit is one tap away, not the first screen
    phone.set_viewport_size(PHONE)
    assert not phone.locator(".about .remit").is_visible()
    phone.get_by_text("Om borgersamlingen").click()
    assert "Hvordan kan vi i regionen" in phone.locator(".about .remit").inner_text()


def test_before_the_table_plan_the_phone_says_so(new_page, live, demo, tmp_path: Path) -> None:
    tablet = new_page(TABLET)
    login(tablet, live, demo)
    tablet.fill("#a-name", "Uden bordplan")
    tablet.fill("#a-remit", "Hvordan passer vi bedst på naturen i kommunen?")
    tablet.get_by_role("button", name="Opret borgersamling").click()
    tablet.wait_for_url(re.compile(r"/f/a/\d+$"))
    assembly_url = tablet.url
    if not tablet.locator("input[name=file]").count():  # the member list has its own page
        tablet.goto(f"{assembly_url}/members")
    csv = tmp_path / "panel.csv"
    csv.write_text("\ufeffid;navn;gender\nP1;Karen Holm;kvinde\n")
    tablet.set_input_files("input[name=file]", str(csv))
    tablet.get_by_role("button", name="Importér", exact=True).click()
    tablet.wait_for_url(re.compile(r"imported=1"))
    tablet.goto(f"{assembly_url}/cards")
    codes = tablet.locator(".join-card .code").all_inner_texts()

    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{live.base}/join")
    phone.fill("#assembly_code", codes[0])
    phone.fill("#personal_code", codes[1].replace(" ", ""))
    phone.locator("form[action='/join'] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/p$"))
    phone.wait_for_selector("#conn[data-state=open]")
    assert phone.locator("#table-h").inner_text().strip() == "Bordplanen er ikke kommet endnu"
    status = phone.locator("#compose-status").inner_text()
    assert "udkast" not in status and "fase" not in status
    for width, height in [(390, 844), (640, 360)]:
        phone.set_viewport_size({"width": width, "height": height})
        time.sleep(0.2)
        for selector in ["#table-h", *WRITE_BOX]:
            assert_in_first_screen(phone, selector)
        screenshot(phone, f"phone-{width}x{height}-no-table")
    assert_accessible(phone)


def test_the_phone_says_at_once_when_the_network_is_gone(new_page, demo) -> None:
    phone = new_page({"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    phone.goto(demo["members"][1]["join_url"])
    phone.wait_for_selector("#conn[data-state=open]")
    phone.context.set_offline(True)
    started = time.monotonic()
    phone.wait_for_selector("#conn[data-state=offline]", timeout=3_000)
    assert time.monotonic() - started < 3  # not "Live" until the watchdog notices
    assert phone.locator("#conn").inner_text().strip() == "Ikke forbundet"
    assert_in_first_screen(phone, "#conn")
    write(phone, "Skrevet uden net")
    pending = phone.locator("#my-notes .note.pending")
    assert "Ikke sendt endnu – sendes, når du er online igen" in pending.inner_text()
    pending.scroll_into_view_if_needed()
    screenshot(phone, "phone-360x640-offline")
    assert_accessible(phone)
    phone.context.set_offline(False)
    phone.wait_for_selector("#conn[data-state=open]", timeout=15_000)
    phone.locator("#my-notes .note.saved .text").wait_for(timeout=15_000)
    assert "Ikke sendt" not in phone.locator("#my-notes").inner_text()
    assert_sent(phone)


def test_a_half_typed_note_stays_with_its_author_on_a_shared_tablet(new_page, demo) -> None:
    anne, bo = demo["members"][2], demo["members"][3]
    tablet = new_page(PHONE, is_mobile=True, has_touch=True)
    tablet.goto(anne["join_url"])
    tablet.wait_for_selector("#conn[data-state=open]")
    tablet.locator("#note-text").press_sequentially("Annes halve tanke")
    time.sleep(0.2)
    tablet.goto(bo["join_url"])  # the next person at the table takes the tablet
    tablet.wait_for_selector("#conn[data-state=open]")
    tablet.wait_for_selector("#note-text")
    time.sleep(0.5)
    assert tablet.input_value("#note-text") == ""
    tablet.goto(anne["join_url"])
    tablet.wait_for_selector("#conn[data-state=open]")
    tablet.wait_for_function("document.getElementById('note-text').value !== ''")
    assert tablet.input_value("#note-text") == "Annes halve tanke"

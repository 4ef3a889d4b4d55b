"""The facilitator's tablet console at 1180×820 with touch: the live controls stay in reach
while the page scrolls, "Luk punktet" needs a second tap, every section is one tap away,
checkboxes are 24 px targets with their label, and axe-core finds nothing on any section."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(240)

CONSOLE = {"width": 1180, "height": 820}
SCREENS = Path(os.environ.get("SAMLING_SCREENS", Path(tempfile.gettempdir()) / "samling-screens"))
SECTIONS = (  # the tab bar (Danish), each visited; the room last
    "Drejebog",
    "Program",
    "Borde og runder",
    "Temaer",
    "Udkast",
    "Afstemning",
    "Rapport",
    "Deltagere",
    "Lodtrækning",
    "Indstillinger",
    "Salen",
)


def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def assert_in_view(page: Any, locator: Any, what: str) -> dict[str, float]:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{what}: not rendered"
    assert box["x"] >= 0 and box["y"] >= 0, f"{what}: {box} starts outside the window"
    assert box["x"] + box["width"] <= size["width"], f"{what}: {box} leaves the window"
    assert box["y"] + box["height"] <= size["height"], f"{what}: {box} leaves the window"
    return box


def assert_target(locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24, f"{what}: {box}"


def console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def open_console(new_page: Any, live: Any, room: dict[str, Any]) -> tuple[Any, list[str]]:
    page = new_page(CONSOLE, has_touch=True)
    errors = console_errors(page)
    login(page, live, room)
    page.goto(room["console_url"])
    page.wait_for_selector("#conn[data-state=open]")
    page.wait_for_function(
        "document.querySelector('#live-bar time.timer') && "
        "/\\d\\d:\\d\\d/.test(document.querySelector('#live-bar time.timer').textContent)"
    )
    return page, errors


def test_live_controls_stay_in_reach_and_closing_asks_first(new_page, live) -> None:
    room = json.loads(live.cli("demo", "--members", "36", "--json"))
    page, errors = open_console(new_page, live, room)
    bar = page.locator("#live-bar")
    screenshot(page, "console-1180x820")

    # scrolled to the very bottom, the bar is still fully in the window
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > CONSOLE["height"] * 1.5, height  # a page that scrolls, or this proves nothing
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2"
    )
    assert_in_view(page, bar, "the live bar")
    assert "Værdier: hvad er vigtigt for dig?" in bar.locator(".lb-now").inner_text()
    assert "Oplæg: forbrug og klima" in bar.locator(".lb-next").inner_text()
    assert_in_view(page, bar.locator("time.timer"), "timer")
    adjust = bar.locator(".lb-adjust button")
    assert adjust.all_inner_texts() == ["−5", "−1", "+1", "+5"]
    boxes = [assert_in_view(page, adjust.nth(i), f"timer button {i}") for i in range(4)]
    close = bar.locator("summary.close-button")
    close_box = assert_in_view(page, close, "Luk punktet")
    assert_in_view(page, bar.locator("button.start-next"), "Start næste")
    if page.locator("#scene-switch").count():
        assert_in_view(page, page.locator("#scene-switch"), "the big-screen scene switch")
    # "Luk" is not next to a timer button: well apart, on the far side of a divider
    assert close_box["x"] - (boxes[3]["x"] + boxes[3]["width"]) >= 24
    screenshot(page, "console-1180x820-scrolled")

    # closing takes a second tap; "Fortryd" leaves the item open
    close.tap()
    yes = bar.get_by_role("button", name=re.compile(r"^Ja, luk"))
    yes.wait_for(state="visible")
    assert "Luk punktet?" in bar.locator(".confirm-box").inner_text()
    assert_in_view(page, yes, "Ja, luk")
    screenshot(page, "console-1180x820-confirm")
    bar.get_by_role("button", name="Fortryd").tap()
    yes.wait_for(state="hidden")
    assert bar.locator("time.timer").count() == 1  # still open
    close.tap()
    yes.tap()
    page.wait_for_selector("#live-bar .lb-state")  # "lukket", pushed back by the server
    assert page.locator("#live-bar time.timer").count() == 0
    assert page.locator("#live-bar summary.close-button").count() == 0

    # Start næste opens the next item, and the bar follows
    page.locator("#live-bar button.start-next").tap()
    page.wait_for_function(
        "document.querySelector('#live-bar .lb-title').textContent.includes('Oplæg')"
    )
    assert_in_view(page, page.locator("#live-bar summary.close-button"), "Luk punktet")

    # "Vis fornavne": a 24 px checkbox inside its label, and the words are the target
    box = page.locator("input[name=show_names]")
    assert_target(box, "Vis fornavne checkbox")
    label = page.locator("label:has(> input[name=show_names])")
    assert "Vis fornavne" in label.inner_text()
    assert_target(label, "Vis fornavne label")
    before = box.is_checked()
    label.locator("span").tap()
    assert box.is_checked() != before

    page.evaluate("window.scrollTo(0, 0)")
    assert_accessible(page)
    assert not [e for e in errors if "favicon" not in e], errors


def test_every_section_is_one_tap_away_and_accessible(new_page, live, demo) -> None:
    page, errors = open_console(new_page, live, demo)
    tabs = page.get_by_role("navigation", name="Borgersamlingens sider")
    assert_accessible(page)
    tops = {round(link.bounding_box()["y"]) for link in tabs.get_by_role("link").all()}
    assert len(tops) == 1, f"the tabs wrap onto {len(tops)} rows at 1180 px"
    for name in SECTIONS:
        link = tabs.get_by_role("link", name=name, exact=True)
        assert_in_view(page, link, f"tab {name}")
        assert_target(link, f"tab {name}")
        link.tap()
        page.wait_for_load_state("domcontentloaded")
        current = tabs.locator("a[aria-current=page]")
        current.wait_for()
        assert current.inner_text() == name
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        slug = name.lower().replace(" ", "-").replace("æ", "ae").replace("ø", "oe")
        screenshot(page, f"console-1180x820-{slug}")
        if name == "Borde og runder":  # fremmøde, "Bland bordene efter", "Bordværter"
            boxes = page.locator("main input[type=checkbox]")
            assert boxes.count() > 10
            for i in range(boxes.count()):
                box = boxes.nth(i)
                assert_target(box, f"checkbox {i}")
                label = box.locator("xpath=ancestor::label[1]")
                assert label.count() == 1, "the label wraps its checkbox"
                assert_target(label, f"label {i}")
    assert not [e for e in errors if "favicon" not in e], errors

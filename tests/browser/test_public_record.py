"""The public record in a browser (issue 15): after `demo --stage done` the public page shows the
programme's slot, how the members were selected, the process log, the results equal to
results.json and the council's response as a timeline, in Danish and English, with axe-core
clean and no member's name; the observers' link from the console opens a read-only view; the
console's record page is clean too. Screenshots in /tmp/samling-record-shots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from app.formats import percent
from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(300)
SHOTS = Path("/tmp/samling-record-shots")


@pytest.fixture
def done_demo(live: Any) -> dict[str, Any]:
    return json.loads(live.cli("demo", "--members", "14", "--json", "--stage", "done"))


def test_public_page_walk_da_en_and_observers(new_page, live, done_demo) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    demo = done_demo
    results = httpx2.get(f"{live.base}/a/{demo['assembly_code']}/results.json").json()
    names = [m["name"] for m in demo["members"]] + [m["code"] for m in demo["members"]]
    for lang, locale, words in (
        (
            "da",
            "da-DK",
            ("Regionsrådets svar", "Sådan blev deltagerne udtrukket", "Hvad skete hvornår"),
        ),
        (
            "en",
            "en-GB",
            ("The council's response", "How the members were selected", "What happened when"),
        ),
    ):
        for viewport in ({"width": 1280, "height": 800}, PHONE):
            page = new_page(viewport, locale=locale)
            page.goto(demo["public_url"])
            assert page.locator("html").get_attribute("lang") == lang
            for heading in words:
                assert page.get_by_role("heading", name=heading).count() >= 1, heading
            for section in ("#results", "#responses", "#selection", "#process-log"):
                page.locator(section).scroll_into_view_if_needed()
                assert page.locator(section).is_visible(), section
            text = page.locator("main").inner_text()
            for rec in results["recommendations"]:
                assert rec["title"] in text
                value = rec["support_pct"]
                assert percent(value, lang, 1 if value != round(value) else 0) in text
            timeline = page.locator("#responses .timeline > li")
            assert timeline.count() == 2  # received, then under consideration
            assert page.locator("#process-log li").count() >= 4
            for name in names:
                assert name not in page.content()
            wide = page.evaluate(
                "w => [...document.querySelectorAll('main *')]"
                ".filter(e => e.getBoundingClientRect().right > w + 1)"
                ".map(e => e.tagName + '.' + e.className).slice(0, 8)",
                viewport["width"],
            )
            assert wide == [], wide  # nothing wider than the screen (WCAG 1.4.10 reflow)
            box = page.locator("h1").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
            assert_accessible(page)
            page.screenshot(
                path=str(SHOTS / f"public-{lang}-{viewport['width']}.png"), full_page=True
            )

    console = new_page({"width": 1180, "height": 820})
    login(console, live, demo)
    console.goto(f"{live.base}/f/a/{demo['assembly_id']}/record")
    assert_accessible(console)
    console.get_by_role("button", name="Lav et link til observatører").click()
    url = console.locator("#observer-url").inner_text()
    console.screenshot(path=str(SHOTS / "console-record.png"), full_page=True)

    observer = new_page({"width": 1280, "height": 800})
    observer.goto(url)
    assert observer.locator("main form").count() == 0  # nothing to press
    assert observer.locator("#observer-live").is_visible()
    for rec in results["recommendations"]:
        assert rec["title"] in observer.locator("main").inner_text()
    for name in names:
        assert name not in observer.content()
    assert_accessible(observer)
    observer.screenshot(path=str(SHOTS / "observer.png"), full_page=True)

"""The organiser draws the panel in a real browser: upload → report → run → draw → roster."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(180)

DATA = Path(__file__).resolve().parents[1] / "data" / "lottery" / "example_small_20"


def test_organiser_draws_the_panel(new_page: Any, live: Any, demo: dict[str, Any]) -> None:
    page = new_page(TABLET)
    login(page, live, demo)
    page.fill("#a-name", "Borgersamling med lodtrækning")
    page.fill("#a-remit", "Hvordan trækker vi et retfærdigt panel?")
    page.locator("form[action='/f/assemblies'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/f/a/\d+$"))
    page.goto(page.url + "/lottery")
    assert_accessible(page)

    page.set_input_files("input[name=people]", str(DATA / "people.csv"))
    page.set_input_files("input[name=quotas]", str(DATA / "quotas.csv"))
    page.fill("input[name=panel_size]", "20")
    page.fill("input[name=panels]", "300")
    page.locator("form[action$='/upload'] button[type=submit]").click()
    page.wait_for_selector("#feasible")
    assert page.locator(".quota-report tbody tr").count() == 4
    assert_accessible(page)

    page.locator("form[action$='/run'] button[type=submit]").click()
    # the progress indicator polls, then reloads the page when the lottery is ready
    page.wait_for_selector("#floor", timeout=60_000)
    assert page.locator("#floor").inner_text().startswith("10,00 %")
    assert_accessible(page)

    page.fill("#seed", "3.17.42./9./")
    page.locator("form[action$='/draw'] button[type=submit]").click()
    page.wait_for_selector("#draw-index")
    assert page.locator("input[name=dropout]").count() == 20
    assert_accessible(page)

    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_selector("#confirmed")
    assert page.locator("#deleted").count() == 1
    assert_accessible(page)

    page.click("a[href$='/audit']")
    page.wait_for_selector("#chances")
    assert "10,00 %" in page.locator("#chances").inner_text()  # the lowest chance, in words
    assert_accessible(page)

    page.go_back()
    page.click("#confirmed a")
    page.wait_for_url(re.compile(r"/f/a/\d+/members#roster$"))
    assert page.locator("table.members tbody tr").count() == 20

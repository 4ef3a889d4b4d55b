"""A facilitator sets up an assembly; a phone joins by QR link; the projector shows the remit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import PHONE, TABLET, assert_accessible


def login(page: Any, live: Any, demo: dict[str, Any]) -> None:
    page.goto(f"{live.base}/login")
    page.fill("#email", demo["facilitator"]["email"])
    page.fill("#password", demo["facilitator"]["password"])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/f$"))


def test_facilitator_sets_up_an_assembly(new_page, live, demo, tmp_path: Path) -> None:
    page = new_page(TABLET)
    page.goto(f"{live.base}/login")
    assert_accessible(page)
    login(page, live, demo)
    assert_accessible(page)
    page.fill("#a-name", "Borgersamling om natur")
    page.fill("#a-remit", "Hvordan passer vi bedst på naturen i kommunen?")
    page.get_by_role("button", name="Opret borgersamling").click()
    page.wait_for_url(re.compile(r"/f/a/\d+$"))
    assert page.locator(".remit").first.inner_text().startswith("Hvordan passer vi")
    page.get_by_role("navigation", name="Borgersamlingens sider").get_by_role(
        "link", name="Deltagere"
    ).click()
    page.wait_for_url(re.compile(r"/members$"))
    csv = tmp_path / "panel.csv"
    csv.write_text(
        "\ufeffid;navn;gender;age\nP1;Karen;kvinde;60-74\nP2;Ib;mand;75+\nP3;Asta;kvinde;16-29\n"
    )
    page.set_input_files("input[name=file]", str(csv))
    page.get_by_role("button", name="Importér", exact=True).click()
    page.wait_for_url(re.compile(r"imported=3"))
    assert page.locator("table.members tbody tr").count() == 3
    assert_accessible(page)
    page.click("text=Udskriv deltagerkort")
    page.wait_for_url(re.compile(r"/cards$"))
    assert page.locator(".join-card").count() == 3
    assert page.locator(".join-card svg").count() == 3
    assert_accessible(page)


def test_phone_joins_by_qr_link_and_projector_shows_the_remit(new_page, live, demo) -> None:
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(demo["members"][0]["join_url"])
    phone.wait_for_url(re.compile(r"/p$"))
    phone.wait_for_selector("#conn[data-state=open]")
    phone.get_by_text("Om borgersamlingen").click()  # the remit is one tap away
    assert "Hvordan kan vi i regionen" in phone.locator(".about .remit").inner_text()
    assert_accessible(phone)
    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    # the demo's big screen shows the note wall; the remit is on its "now" scene
    projector.wait_for_selector("#stage[data-scene=wall] #wall", state="attached")
    assert "Værdier" in projector.locator("#wall-h").inner_text()
    assert_accessible(projector)
    public = new_page(PHONE)
    public.goto(demo["public_url"])
    assert "Hvordan kan vi i regionen" in public.locator(".remit").inner_text()
    assert_accessible(public)
    # English on request, with the right lang attribute
    public.click("button[lang=en]")
    public.wait_for_selector("html[lang=en]")
    assert "The question the assembly answers" in public.content()

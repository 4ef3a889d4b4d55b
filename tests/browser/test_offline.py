"""A phone loses its network for 30 s while its user writes two notes; nothing is lost."""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

import pytest

from tests.browser.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.timeout(180)


def write(page: Any, text: str) -> None:
    page.fill("#note-text", text)
    page.get_by_role("button", name="Send").click()


def test_offline_phone_keeps_notes_and_sends_them_once(new_page, live, demo) -> None:
    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#conn[data-state=open]")

    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(demo["members"][1]["join_url"])
    phone.wait_for_selector("#note-form")
    write(phone, "Online før afbrydelsen")
    phone.wait_for_selector("#my-notes .note.saved")
    projector.wait_for_selector("#wall >> text=Online før afbrydelsen")

    phone.context.set_offline(True)
    write(phone, "Skrevet uden net 1")
    write(phone, "Skrevet uden net <b>2</b>")
    assert phone.locator("#my-notes .note.pending").count() == 2
    time.sleep(30)
    assert phone.locator("#my-notes .note.pending").count() == 2  # still kept, not lost
    phone.context.set_offline(False)
    phone.wait_for_function(
        "document.querySelectorAll('#my-notes .note.saved').length === 3", timeout=60_000
    )
    projector.wait_for_selector("#wall >> text=Skrevet uden net 1")
    projector.wait_for_selector("#wall >> text=Skrevet uden net <b>2</b>")
    assert projector.locator("#wall .note").count() == 3
    assert projector.locator("#wall b").count() == 0  # user text shown as text
    key = f"samling-outbox-v1-{demo['members'][1]['id']}"  # one outbox per person
    assert phone.evaluate(f"Object.keys(JSON.parse(localStorage.getItem('{key}')))") == []
    assert_accessible(phone)

    db = sqlite3.connect(live.env["DATABASE_URL"].removeprefix("sqlite:///"))
    rows = db.execute(
        "SELECT text, count(*) FROM note WHERE member_id = ? GROUP BY text",
        (demo["members"][1]["id"],),
    ).fetchall()
    db.close()
    assert sorted(rows) == sorted(
        [("Online før afbrydelsen", 1), ("Skrevet uden net 1", 1), ("Skrevet uden net <b>2</b>", 1)]
    )


def test_outbox_survives_a_reload(new_page, live, demo) -> None:
    phone = new_page(PHONE, is_mobile=True)
    phone.goto(demo["members"][2]["join_url"])
    phone.wait_for_selector("#note-form")
    phone.context.set_offline(True)
    write(phone, "Før genindlæsning")
    phone.wait_for_selector("#my-notes .note.pending")
    phone.context.set_offline(False)
    phone.reload()
    phone.wait_for_function(
        "[...document.querySelectorAll('#my-notes .note.saved')]"
        ".some(e => e.textContent.includes('Før genindlæsning'))",
        timeout=30_000,
    )
    assert re.search("Før genindlæsning", phone.locator("#my-notes").inner_text())

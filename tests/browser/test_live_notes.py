"""Three phones at two tables, a table tablet, the facilitator's console and the projector."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from tests.browser.conftest import PHONE, TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(180)


def seats(live: Any, assembly_id: int) -> dict[int, int]:
    db = sqlite3.connect(live.env["DATABASE_URL"].removeprefix("sqlite:///"))
    rows = db.execute(
        "SELECT s.member_id, s.table_no FROM seat s JOIN seatinground r ON r.id = s.round_id "
        "WHERE r.assembly_id = ?",
        (assembly_id,),
    ).fetchall()
    db.close()
    return dict(rows)


def write(page: Any, text: str) -> None:
    page.fill("#note-text", text)
    page.get_by_role("button", name="Send").click()


def minute(page: Any) -> str:
    page.wait_for_function(
        "document.querySelector('time.timer') && "
        "/\\d\\d:\\d\\d/.test(document.querySelector('time.timer').textContent)"
    )
    return page.locator("time.timer").first.inner_text().split(":")[0]


def test_a_table_round_from_the_tablet(new_page, live, demo) -> None:
    table_of = seats(live, demo["assembly_id"])
    by_table: dict[int, list[dict[str, Any]]] = {}
    for m in demo["members"]:
        by_table.setdefault(table_of[m["id"]], []).append(m)
    (ta, at_a), (tb, at_b) = sorted(by_table.items())[:2]
    people = [at_a[0], at_a[1], at_b[0]]

    console = new_page(TABLET)
    login(console, live, demo)
    console.goto(demo["console_url"])
    console.wait_for_selector("#conn[data-state=open]")
    tablet = new_page(TABLET)
    login(tablet, live, demo)
    tablet.goto(f"{demo['console_url']}/table/{ta}")
    tablet.wait_for_selector("#conn[data-state=open]")
    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#conn[data-state=open]")
    phones = []
    for person in people:
        page = new_page(PHONE, is_mobile=True, has_touch=True)
        page.goto(person["join_url"])
        page.wait_for_selector("#conn[data-state=open]")
        phones.append(page)
    assert f"Gå til bord {ta}" in phones[0].locator("#my-table").inner_text()
    assert f"Gå til bord {tb}" in phones[2].locator("#my-table").inner_text()

    # the facilitator opens the themes round: every phone gets its prompt at once
    console.locator("#runsheet-h").scroll_into_view_if_needed()
    console.get_by_role("button", name="Start Temaer: hvad går igen?").click()
    for page in phones:
        page.wait_for_selector("text=Hvilke temaer ser I i værdierne fra før?")
        assert page.locator("input[name=kind]").get_attribute("value") == "theme"
    projector.wait_for_selector("#wall-h >> text=Temaer: hvad går igen?")  # the wall's heading

    # the timer shows the same minute everywhere
    for _attempt in range(3):
        minutes = {minute(p) for p in [console, projector, tablet, *phones]}
        if len(minutes) == 1:
            break
    assert len(minutes) == 1, minutes

    write(phones[0], "Tema A1: lokale fællesskaber")
    write(phones[1], "Tema A2: transport")
    write(phones[2], "Tema B1: mad og spild")
    for page in phones:
        page.wait_for_selector("#my-notes .note.saved")
    projector.wait_for_selector(f"#wall-t-{ta} >> text=Tema A1: lokale fællesskaber")
    projector.wait_for_selector(f"#wall-t-{ta} >> text=Tema A2: transport")
    projector.wait_for_selector(f"#wall-t-{tb} >> text=Tema B1: mad og spild")
    tablet.wait_for_selector("#fwall >> text=Tema A2: transport")
    assert tablet.locator("#fwall >> text=Tema B1: mad og spild").count() == 0  # other table
    phones[1].wait_for_selector("#table-notes >> text=Tema A1: lokale fællesskaber")
    assert phones[2].locator("#table-notes >> text=Tema A1").count() == 0

    # a hidden note disappears from the projector and the table, not from the console
    item = console.locator("#fwall li", has_text="Tema A2: transport")
    item.get_by_role("button", name="Skjul").click()
    projector.wait_for_selector("text=Tema A2: transport", state="detached")
    phones[0].wait_for_selector("#table-notes >> text=Tema A2: transport", state="detached")
    console.wait_for_selector("#fwall .hidden-note >> text=Tema A2: transport")

    for page in [console, tablet, projector, *phones]:
        assert_accessible(page)
    assert re.search(r"\d\d:\d\d", projector.locator("time.timer").inner_text())

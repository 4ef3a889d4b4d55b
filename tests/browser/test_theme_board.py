"""The theme board on a tablet: a suggested group becomes a theme, notes move with the
"move to…" select (no dragging needed) and by dragging, undo, show to the room; axe clean."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from app.actions import do_add_note
from app.db import make_engine, session_scope
from app.models import AgendaItem, Member
from tests.browser.conftest import PHONE, TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(180)

TEXTS = [
    "Billigere busser og tog",
    "Flere cykelstier og sikker cykelparkering",
    "Gratis busser for unge",
    "Isolér alle almene boliger",
    "Varmepumper i nye huse",
    "Tilskud til at isolere gamle huse",
]


def seed(live: Any, demo: dict[str, Any]) -> tuple[int, list[int]]:
    engine = make_engine(live.env["DATABASE_URL"])
    with session_scope(engine, write=True) as db:
        ids = []
        for i, text in enumerate(TEXTS):
            member = db.get(Member, demo["members"][i % len(demo["members"])]["id"])
            ids.append(do_add_note(db, member, "value", text, f"board-{i:04d}").note.id)
        item = db.exec(
            select(AgendaItem).where(
                AgendaItem.assembly_id == demo["assembly_id"], AgendaItem.phase_kind == "value"
            )
        ).one()
        item_id = item.id
    engine.dispose()
    return item_id, ids


def theme_ids(page: Any) -> list[int]:
    return [
        int(x.split("-")[1])
        for x in page.eval_on_selector_all("section.theme-card", "els => els.map(e => e.id)")
    ]


def test_board_with_the_move_to_control(new_page, live, demo) -> None:
    item, notes = seed(live, demo)
    page = new_page(TABLET)
    login(page, live, demo)
    page.goto(f"{demo['console_url']}/themes?item={item}")
    assert page.locator("li.board-note").count() == len(TEXTS)
    assert_accessible(page)

    # a suggested group becomes a theme, then a second theme by hand
    page.locator("form:has(input[name=action][value=group]) button[type=submit]").first.click()
    page.wait_for_selector("section.theme-card")
    page.fill("form:has(input[name=action][value=create]) input[name=name]", "Bolig")
    page.locator("form:has(input[name=action][value=create]) button").click()
    page.wait_for_selector("section.theme-card >> nth=1")
    first, second = theme_ids(page)[:2]

    # move a note with the select, no dragging
    note = next(n for n in notes if page.locator(f"#t-{second} #n-{n}").count() == 0)
    page.select_option(f"#mv-{note}", str(second))
    page.locator(f"#n-{note} form[data-move] button").click()
    page.wait_for_selector(f"#t-{second} #n-{note}")
    assert_accessible(page)

    # undo puts it back where it was
    page.locator("form:has(input[name=action][value=undo]) button").click()
    page.wait_for_selector(f"#t-{second} #n-{note}", state="detached")

    # dragging does the same as the select
    page.locator(f"#n-{note}").drag_to(
        page.locator(f"#t-{second} h2"), source_position={"x": 12, "y": 10}
    )
    page.wait_for_selector(f"#t-{second} #n-{note}")

    # an unplaced note shows a suggestion chip that can be accepted in one tap
    chips = page.locator("li.board-note .chip")
    if chips.count():
        chip_note = chips.first.locator("xpath=..").get_attribute("data-note-id")
        target = chips.first.get_attribute("data-suggestion")
        chips.first.locator("form:has(input[value=accept]) button").click()
        page.wait_for_selector(f"#t-{target} #n-{chip_note}")

    # show to the room, then the room confirms: the board marks it
    page.locator(f"#t-{first} form:has(input[value=show]) button").click()
    page.locator(f"#t-{first} form:has(input[value=confirm]) button").click()
    page.wait_for_selector(f"#t-{first} .confirmed-badge")
    projector = new_page({"width": 1280, "height": 800})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#spotlight:not([hidden])")
    assert_accessible(page)

    # a draft from the theme, opened to table 1, worked on from a phone there
    page.locator(f"#t-{first} details summary").click()
    page.locator(f"#t-{first} form[action$='/drafts'] button").click()
    page.wait_for_url(lambda url: "/drafts/" in url)
    assert_accessible(page)
    draft_url = page.url
    for path in ("/provenance", ""):
        page.goto(draft_url + path)
        assert_accessible(page)
    page.goto(f"{demo['console_url']}/drafts")
    assert_accessible(page)
    page.goto(f"{demo['console_url']}/notes/{note}")
    assert_accessible(page)
    page.goto(draft_url)
    page.locator("input[name=tables]").first.check()
    page.locator("form:has(input[value=tables]) button").click()
    table = page.locator("input[name=tables]").first.get_attribute("value")
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    member = next(m for m in demo["members"] if _table_of(live, m["id"]) == int(table or 0))
    phone.goto(member["join_url"])
    phone.goto(f"{live.base}/p/drafts")
    phone.wait_for_selector("article.draft-card")
    assert_accessible(phone)
    phone.locator("form:has(input[value=support]) button").click()
    phone.wait_for_selector("p.ok")


def _table_of(live: Any, member_id: int) -> int | None:
    from app.themes_drafts import member_table

    engine = make_engine(live.env["DATABASE_URL"])
    with session_scope(engine) as db:
        table = member_table(db, db.get(Member, member_id))
    engine.dispose()
    return table

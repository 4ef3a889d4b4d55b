"""The projector (storskærm) with 36 members and 150 notes: every scene, switched from the
console, fits 1920×1080 and 1280×720 without scrolling, and pages what does not fit."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(300)

SCREENS = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1280x720": {"width": 1280, "height": 720},
    "1024x768": {"width": 1024, "height": 768},  # a 4:3 projector
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"
# a few small screenshots for docs/screens (the test's own go to a temporary directory)
FOR_DOCS = {("1920x1080", "now"), ("1280x720", "plan"), ("1280x720", "wall")}
WORDS = (
    "Tryghed i hverdagen",
    "At vi kan cykle sikkert til skole og arbejde, også om vinteren",
    "Fællesskab",
    "Billigere reparationer, så det kan betale sig at bruge tingene længere i stedet for nyt",
    "Mindre spild",
    "Lokale fødevarer i kantinerne på skoler, plejehjem og hospitaler i hele regionen",
    "Tid til hinanden",
    "Gennemsigtighed: at man kan se, hvad ens penge bliver brugt til, og hvem der beslutter",
)


@pytest.fixture
def room(live: Any) -> dict[str, Any]:
    """A demo with 36 members and 150 notes written through the real action (the server picks
    the events up by its poll), and a theme in the spotlight."""
    from sqlmodel import select

    from app.agenda import do_spotlight
    from app.db import make_engine, session_scope
    from app.models import Assembly, Member
    from app.notes import do_add_note

    demo = json.loads(live.cli("demo", "--members", "36", "--json"))
    engine = make_engine(live.env["DATABASE_URL"])
    with session_scope(engine, write=True) as db:
        members = list(db.exec(select(Member).where(Member.assembly_id == demo["assembly_id"])))
        for i in range(150):
            text = WORDS[i % len(WORDS)] + f" ({i + 1})"
            do_add_note(db, members[i % len(members)], "value", text, f"projector-{i:05d}")
    spot = {
        "kind": "theme",
        "title": "Mobilitet på landet",
        "lines": [f"{WORDS[i % len(WORDS)]} ({i + 1})" for i in range(40)],
        "ask": "",
        "ref": 1,
    }
    demo["spotlight"] = spot
    demo["engine"] = engine
    demo["assembly"] = lambda db: db.get(Assembly, demo["assembly_id"])
    demo["do_spotlight"] = do_spotlight
    demo["session_scope"] = session_scope
    return demo


def inside(page: Any, selector: str) -> None:
    """Every element matching ``selector`` that is shown lies inside the window."""
    boxes = page.evaluate(
        """sel => [...document.querySelectorAll(sel)]
          .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
          .map(el => { const r = el.getBoundingClientRect();
                       return {top: r.top, left: r.left, bottom: r.bottom, right: r.right}; })""",
        selector,
    )
    assert boxes, f"nothing shown for {selector}"
    size = page.viewport_size
    for box in boxes:
        assert box["top"] >= -1 and box["left"] >= -1, box
        assert box["bottom"] <= size["height"] + 1 and box["right"] <= size["width"] + 1, box


def no_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def visible_notes(page: Any, selector: str = "#wall .note") -> None:
    """The notes on the current page of the wall are inside the window; the others are paged
    out of sight (to the side, clipped by the wall)."""
    shown = page.evaluate(
        """sel => { const wall = document.querySelector('.paged-flow').getBoundingClientRect();
          return [...document.querySelectorAll(sel)].filter(el => {
            const r = el.getBoundingClientRect();
            return r.left >= wall.left - 1 && r.right <= wall.right + 1; }).length; }""",
        selector,
    )
    assert shown >= 4, shown
    page_left = page.evaluate("document.querySelector('.paged-flow').getBoundingClientRect().left")
    size = page.viewport_size
    boxes = page.evaluate(
        """sel => { const wall = document.querySelector('.paged-flow').getBoundingClientRect();
          return [...document.querySelectorAll(sel)].map(el => el.getBoundingClientRect())
            .filter(r => r.left >= wall.left - 1 && r.right <= wall.right + 1)
            .map(r => [r.top, r.bottom, r.left, r.right]); }""",
        selector,
    )
    for top, bottom, left, right in boxes:
        assert top >= 0 and bottom <= size["height"] + 1 and left >= page_left - 1, (top, bottom)
        assert right <= size["width"] + 1


def page_indicator(page: Any, region: str) -> tuple[int, int]:
    """(page, pages) of a paged region, after the indicator says so."""
    page.wait_for_function(
        "sel => { const r = document.querySelector(sel); return r && r.dataset.pages; }",
        arg=region,
    )
    data = page.evaluate(
        "s => { const r = document.querySelector(s); return [r.dataset.page, r.dataset.pages]; }",
        region,
    )
    return int(data[0]), int(data[1])


def switch(console: Any, projector: Any, scene: str) -> None:
    console.locator(f'#scene-switch form:has(input[name=scene][value="{scene}"]) button').click()
    projector.wait_for_selector(f'#stage[data-scene="{scene}"]')
    console.wait_for_selector(
        f'#scene-switch form:has(input[value="{scene}"]) button[aria-pressed="true"]'
    )


def test_every_scene_fits_the_wall_and_pages_what_does_not(new_page, live, room) -> None:
    shots = Path(tempfile.mkdtemp(prefix="samling-projector-"))
    errors: list[str] = []
    console = new_page(TABLET)
    login(console, live, room)
    console.goto(room["console_url"])
    console.wait_for_selector("#conn[data-state=open]")
    for name, size in SCREENS.items():
        projector = new_page(size)
        projector.on(
            "console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None
        )
        projector.on("pageerror", lambda e: errors.append(str(e)))
        projector.goto(room["projector_url"])
        projector.wait_for_selector("#conn[data-state=open]")
        # now: the prompt, the timer, who has written, the join code and QR
        switch(console, projector, "now")  # the demo opens on the note wall
        # all 150 notes have reached the room (the server's poll picked them up)
        projector.locator("#progress", has_text="36 af 36").wait_for()
        projector.locator("#now-block time.timer", has_text=":").wait_for()
        assert projector.locator("#progress").inner_text() == "36 af 36 har skrevet"
        for sel in (
            "#now-h",
            "#now-block .prompt",
            "#now-block time.timer",
            "#progress",
            "#now-block .next",
            ".programme li.current",
            ".join-qr svg",
            ".join-code",
        ):
            inside(projector, sel)
        no_scroll(projector)
        shot(projector, shots, name, "now")
        if name == "1920x1080":
            assert_accessible(projector)
            # nothing under 28 px on the wall at 1920 wide
            smallest = projector.evaluate(
                """() => Math.min(...[...document.querySelectorAll('#stage *, .join-corner *')]
                  .filter(el => el.getClientRects().length && el.textContent.trim()
                            && !el.closest('.sr-only'))
                  .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
            )
            assert smallest >= 27.5, smallest

        # wall: 150 notes do not fit; a page indicator, and the pages turn by themselves
        switch(console, projector, "wall")
        current, pages = page_indicator(projector, "[data-paged]")
        assert pages >= 2 and current == 1
        assert projector.locator(".page-indicator").inner_text() == f"Side 1 af {pages}"
        inside(projector, "#wall-h")
        inside(projector, ".page-indicator")
        visible_notes(projector)
        no_scroll(projector)
        assert projector.locator("#wall .note .meta").count() == 0  # one kind: no label
        shot(projector, shots, name, "wall")
        if name == "1920x1080":
            projector.wait_for_function(  # the automatic turn (every ~9 s)
                "document.querySelector('[data-paged]').dataset.page === '2'", timeout=15_000
            )
            assert projector.locator(".page-indicator").inner_text() == f"Side 2 af {pages}"
            visible_notes(projector)
            assert_accessible(projector)

        # plan: 36 names by name and by table, paged when they do not fit
        switch(console, projector, "plan")
        assert "Runde 1: find dit bord" in projector.locator("#plan-h").inner_text()
        inside(projector, "#plan-h")
        inside(projector, ".join-qr svg")
        for region in ('[data-paged="plan-name"]', '[data-paged="plan-table"]'):
            current, pages = page_indicator(projector, region)
            if pages > 1:
                inside(projector, region + " .page-indicator")
        names = projector.evaluate(
            """() => { const flow = document.querySelector('#plan-by-name');
              const box = flow.getBoundingClientRect();
              return [...flow.querySelectorAll('li')].filter(li => {
                const r = li.getBoundingClientRect();
                return r.left >= box.left - 1 && r.right <= box.right + 1;
              }).map(li => { const r = li.getBoundingClientRect(); return [r.top, r.bottom]; });
            }"""
        )
        assert len(names) >= 12
        assert all(t >= 0 and b <= size["height"] for t, b in names)
        cards = projector.locator("#plan-by-table .plan-people").all_inner_texts()
        assert any("." in c for c in cards)  # display names ("Mads Å."), not first names
        no_scroll(projector)
        shot(projector, shots, name, "plan")
        if name == "1280x720":
            _, pages = page_indicator(projector, '[data-paged="plan-name"]')
            total = 36
            if pages > 1:  # paging moves on: the next page shows other names
                projector.keyboard.press("ArrowRight")
                assert page_indicator(projector, '[data-paged="plan-name"]')[0] == 2
            assert total == projector.locator("#plan-by-name li").count()

        # one table, one note
        console.locator("#scene-switch select[name=ref]").select_option("2")
        console.locator("#scene-switch .scene-table-form button").click()
        projector.wait_for_selector('#stage[data-scene="table"]')
        inside(projector, "#table-h")
        visible_notes(projector, ".table-wall .note")
        no_scroll(projector)
        shot(projector, shots, name, "table")
        console.locator("#fwall .note button", has_text="Vis på storskærm").first.click()
        projector.wait_for_selector('#stage[data-scene="note"]')
        inside(projector, ".big-note")
        inside(projector, ".scene-note figcaption")
        no_scroll(projector)
        shot(projector, shots, name, "note")

        # the spotlight takes the screen, and gives it back to the wall
        with room["session_scope"](room["engine"], write=True) as db:
            room["do_spotlight"](db, room["assembly"](db), room["spotlight"])
        projector.wait_for_selector('#stage[data-scene="spotlight"]', timeout=10_000)
        inside(projector, "#spotlight h2")
        inside(projector, "#spotlight .prompt")
        _, pages = page_indicator(projector, '[data-paged="spotlight"]')
        no_scroll(projector)
        shot(projector, shots, name, "spotlight")
        with room["session_scope"](room["engine"], write=True) as db:
            room["do_spotlight"](db, room["assembly"](db), None)
        projector.wait_for_selector('#stage[data-scene="wall"]', timeout=10_000)
        projector.close()
    assert not [e for e in errors if "favicon" not in e], errors
    if os.environ.get("SAMLING_KEEP_SHOTS"):
        print("screenshots in", shots)
    else:
        shutil.rmtree(shots, ignore_errors=True)


def shot(page: Any, folder: Path, screen: str, scene: str) -> None:
    page.wait_for_timeout(300)  # fonts and the pager settle
    path = folder / f"projector-{screen}-{scene}.png"
    page.screenshot(path=str(path))
    if (screen, scene) in FOR_DOCS and os.environ.get("SAMLING_DOC_SCREENS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"projector-{screen}-{scene}.png"))

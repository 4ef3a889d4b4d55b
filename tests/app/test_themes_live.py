"""The theme board and the drafts live: board and draft actions write ``board`` / ``drafts``
events (facilitators only) in the same transaction; a board or drafts page's socket gets a
signal naming what to fetch again, the console's socket gets nothing of it; a member's support
of a draft is a toggle (one per member and version), said next to the button."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlmodel import select

from app.db import session_scope
from app.events import events_after
from app.models import Assembly
from app.themes import drafts
from app.themes.forms import last_seq
from app.themes.models import DraftFeedback
from tests.app.test_hub import WS, phone, receive_until
from tests.app.test_themes import _two_tables, make_drafts, run
from tests.app.test_themes import room as room_fixture
from tests.conftest import csrf_of

pytestmark = pytest.mark.timeout(60)
room = room_fixture  # the demo room with six notes in the values phase


def new_events(room: dict[str, Any], since: int) -> list[Any]:
    with session_scope(room["engine"]) as db:
        return events_after(db, room["aid"], since)


def seq_now(room: dict[str, Any]) -> int:
    with session_scope(room["engine"]) as db:
        return last_seq(db, room["aid"])


def test_board_actions_write_board_events_for_facilitators(room, facilitator_client) -> None:  # type: ignore[no-untyped-def]
    aid, item, n = room["aid"], room["item"], room["notes"]
    url = f"/f/a/{aid}/themes/{item}"
    token = csrf_of(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    before = seq_now(room)
    facilitator_client.post(url, data={"csrf_token": token, "action": "create", "name": "Busser"})
    made = new_events(room, before)
    assert [(e.kind, e.audience, e.payload["item_id"]) for e in made] == [
        ("board", "facilitator", item)
    ]
    with session_scope(room["engine"]) as db:
        from app.themes.read import themes_of

        theme = themes_of(db, item)[0].id
    # the toolbar moves several chosen notes at once: one action, one event, undone in one step
    before = seq_now(room)
    form = {"csrf_token": token, "action": "move", "theme_id": str(theme), "note_ids": n[:3]}
    r = facilitator_client.post(url, data=form, follow_redirects=False)
    assert r.status_code == 303 and "error" not in r.headers["location"]
    assert [e.kind for e in new_events(room, before)] == ["board"]
    with session_scope(room["engine"]) as db:
        from app.themes.read import placements

        assert {k for k, v in placements(db, item).items() if v == theme} == set(n[:3])
    # no theme chosen in the bar: refused, nothing written
    before = seq_now(room)
    r = facilitator_client.post(url, data={**form, "theme_id": ""}, follow_redirects=False)
    assert "error=no_target" in r.headers["location"] and new_events(room, before) == []
    # a new theme from notes that all sit in one theme splits them off it
    before = seq_now(room)
    split = {"csrf_token": token, "action": "newfrom", "name": "Tog", "note_ids": n[1:3]}
    facilitator_client.post(url, data=split)
    with session_scope(room["engine"]) as db:
        homes = placements(db, item)
        names = {t.id: t.name for t in themes_of(db, item)}
    assert names[homes[n[1]]] == "Tog" and homes[n[0]] == theme
    # undo takes the split back in one step; both write board events
    facilitator_client.post(url, data={"csrf_token": token, "action": "undo"})
    with session_scope(room["engine"]) as db:
        assert {placements(db, item)[x] for x in n[:3]} == {theme}
    assert [e.kind for e in new_events(room, before)] == ["board", "board"]
    # out of every theme with the bar's "(not in a theme)"
    facilitator_client.post(url, data={**form, "theme_id": "out", "note_ids": [n[0]]})
    with session_scope(room["engine"]) as db:
        assert n[0] not in placements(db, item)


def test_board_page_socket_gets_a_signal_and_the_console_nothing(
    app, room, facilitator_client
) -> None:  # type: ignore[no-untyped-def]
    aid, item = room["aid"], room["item"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    board_ws = f"/ws/facilitator/{aid}?page=board"
    drafts_ws = f"/ws/facilitator/{aid}?page=drafts"
    with (
        facilitator_client.websocket_connect(board_ws, headers=WS) as board,
        facilitator_client.websocket_connect(drafts_ws, headers=WS) as dr,
        facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as console,
    ):
        for ws in (board, dr, console):
            ws.send_text(json.dumps({"msg": "hello"}))
        first = board.receive_text()
        # a board page's snapshot is a signal to fetch everything, never the console's view
        assert 'id="page-signal"' in first and 'data-topics="*"' in first
        assert 'id="stage"' not in first
        dr.receive_text()
        assert 'id="stage"' in console.receive_text()
        facilitator_client.post(
            f"/f/a/{aid}/themes/{item}",
            data={"csrf_token": token, "action": "create", "name": "Busser"},
        )
        signal = receive_until(board, "page-signal")
        assert f'data-topics="board:{item}"' in signal and 'id="cursor"' in signal
        seq = int(re.search(r'data-seq="(\d+)"', signal).group(1))
        # the console and the drafts page get nothing for it: the next thing they hear is the
        # draft started from the theme, which the board ignores
        with session_scope(room["engine"]) as db:
            from app.themes.read import themes_of

            theme = themes_of(db, item)[0].id
        facilitator_client.post(
            f"/f/a/{aid}/drafts",
            data={"csrf_token": token, "action": "start", "theme_ids": theme, "title": ""},
        )
        heard = dr.receive_text()
        assert 'data-topics="drafts:* drafts:' in heard
        assert int(re.search(r'data-seq="(\d+)"', heard).group(1)) == seq + 1
        # the console ignored both (no event template for them): its next message is a note
        with session_scope(room["engine"], write=True) as db:
            from app.models import Facilitator
            from app.notes import do_paper_note

            fac = db.exec(select(Facilitator)).first()
            do_paper_note(db, fac, aid, 1, None, "value", "Papir", "live-paper-1")
        # the paper note was written outside the hub: the safety poll delivers it within ~1 s
        got = console.receive_text()
        assert "page-signal" not in got and "Papir" in got
        got = board.receive_text()  # the board hears the new note of its phase
        assert f'data-topics="board:{item}"' in got


def test_support_is_a_toggle_per_member_and_said_next_to_the_button(
    app, demo, room, facilitator_client
) -> None:  # type: ignore[no-untyped-def]
    a, _b, _x = make_drafts(room)
    mine, _theirs = _two_tables(room, demo)
    run(room, lambda db, s, f: drafts.do_set_open_tables(db, s, a.id, [mine["table"]], f))
    aid = room["aid"]
    with (
        phone(app, mine) as p,
        facilitator_client.websocket_connect(
            f"/ws/facilitator/{aid}?page=drafts", headers=WS
        ) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        token = csrf_of(p, "/p/drafts")

        def tap() -> str:
            page = p.get("/p/drafts").text
            card = page.split(f'id="support-{a.id}"')[1].split("</form>")[0]
            on = re.search(r'name="on" value="(\d)"', card).group(1)
            r = p.post(
                f"/p/drafts/{a.id}",
                data={"csrf_token": token, "kind": "support", "on": on},
                follow_redirects=False,
            )
            assert r.status_code == 303
            assert r.headers["location"].endswith(f"#support-{a.id}")  # back to the button
            return p.get(r.headers["location"]).text

        def supports() -> int:
            with session_scope(room["engine"]) as db:
                rows = db.exec(
                    select(DraftFeedback).where(
                        DraftFeedback.draft_id == a.id,
                        DraftFeedback.kind == "support",
                        DraftFeedback.status == "open",
                    )
                ).all()
            return len(rows)

        page = p.get("/p/drafts").text
        assert 'aria-pressed="false"' in page and "version" not in page.lower().split("<main")[1]
        after_first = tap()
        assert supports() == 1
        block = after_first.split(f'id="support-{a.id}"')[1].split("</div>")[0]
        assert 'aria-pressed="true"' in block and 'role="status"' in block  # beside the button
        assert "✓" in block
        signal = receive_until(ws, "page-signal")
        assert f"drafts:{a.id}" in signal  # the console's drafts pages hear it at once
        after_second = tap()
        assert supports() == 0
        assert 'aria-pressed="false"' in after_second.split(f'id="support-{a.id}"')[1]
        # the same request twice (a double tap on a slow network) changes nothing more
        for _ in range(2):
            p.post(f"/p/drafts/{a.id}", data={"csrf_token": token, "kind": "support", "on": "1"})
        assert supports() == 1
        # htmx: the answer is the page the redirect lands on; the card is swapped from it
        r = p.post(
            f"/p/drafts/{a.id}",
            data={"csrf_token": token, "kind": "support", "on": "0"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and f'id="d-{a.id}"' in r.text and supports() == 0
    page = facilitator_client.get(f"/f/a/{aid}/drafts/{a.id}").text
    assert 'id="feedback"' in page and "data-refresh" in page
    with session_scope(room["engine"]) as db:
        assert db.get(Assembly, aid) is not None

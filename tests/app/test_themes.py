"""Themes and drafts: board actions and undo, the room's confirmation, drafts with versions,
lineage through merge → split → merge, permissions, unattributed provenance, exports."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.db import make_engine, session_scope
from app.errors import ActionError
from app.models import AgendaItem, Assembly, Facilitator, Member, Note
from app.notes import do_add_note, do_paper_note
from app.seating import do_publish_round
from app.themes import board as theme_board
from app.themes import drafts
from app.themes.diff import word_diff
from app.themes.models import BoardAction, Draft
from app.themes.provenance import draft_provenance, export_markdown, note_trail
from app.themes.read import load_board, placements, themes_of
from tests.app.test_hub import phone
from tests.conftest import ORIGIN, csrf_of

pytestmark = pytest.mark.timeout(60)

TEXTS = [
    "Cheaper buses and trains for everyone",
    "More cycle lanes and safer bike parking",
    "Free buses for young people",
    "Insulate all council homes",
    "Heat pumps for new houses",
    "Better insulation grants for old houses",
]


@pytest.fixture
def room(settings, demo) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo room with six notes in the values phase, the last one typed on paper."""
    engine = make_engine(settings.database_url)
    with session_scope(engine, write=True) as db:
        ids = []
        for i, text in enumerate(TEXTS[:-1]):
            member = db.get(Member, demo["members"][i % len(demo["members"])]["id"])
            ids.append(do_add_note(db, member, "value", text, f"key-{i:05d}").note.id)
        fac = db.exec(select(Facilitator)).first()
        paper = do_paper_note(db, fac, demo["assembly_id"], 1, None, "value", TEXTS[-1], "p-00001")
        ids.append(paper.note.id)
        item = db.exec(select(AgendaItem).where(AgendaItem.phase_kind == "value")).one()
    return {"engine": engine, "notes": ids, "item": item.id, "aid": demo["assembly_id"]}


def run(room: dict[str, Any], work: Any) -> Any:
    with session_scope(room["engine"], write=True) as db:
        assembly = db.get(Assembly, room["aid"])
        return work(db, assembly, db.exec(select(Facilitator)).first())


def placed(room: dict[str, Any]) -> dict[int, int]:
    with session_scope(room["engine"]) as db:
        return placements(db, room["item"])


def test_board_actions_and_undo(room) -> None:  # type: ignore[no-untyped-def]
    n = room["notes"]
    item = room["item"]
    transport = run(
        room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Transport", f, n[:2])
    )
    housing = run(
        room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Housing", f, n[3:5])
    )
    with pytest.raises(ActionError, match="name_taken"):
        run(room, lambda db, a, f: theme_board.do_create_theme(db, a, item, " transport ", f))
    # the engine suggests Transport for the free-buses note and Housing for insulation grants
    board = run(room, lambda db, a, f: load_board(db, a, item))
    assert board.suggestions[n[2]].best[0] == transport.id
    assert board.suggestions[n[5]].best[0] == housing.id
    run(room, lambda db, a, f: theme_board.do_place_note(db, a, n[2], transport.id, f, "accept"))
    run(room, lambda db, a, f: theme_board.do_reject_suggestion(db, a, n[5], housing.id, f))
    board = run(room, lambda db, a, f: load_board(db, a, item))
    assert all(tid != housing.id for tid, _s in board.suggestions[n[5]].ranked)
    run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f))  # the rejection goes
    board = run(room, lambda db, a, f: load_board(db, a, item))
    assert board.suggestions[n[5]].best[0] == housing.id
    # confirm, then a change to the theme asks the room again; undo brings the mark back
    run(room, lambda db, a, f: theme_board.do_confirm_theme(db, a, housing.id, True, f))
    run(room, lambda db, a, f: theme_board.do_place_note(db, a, n[5], housing.id, f))
    with session_scope(room["engine"]) as db:
        assert db.get(type(housing), housing.id).confirmed_at is None
    run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f))
    with session_scope(room["engine"]) as db:
        assert db.get(type(housing), housing.id).confirmed_at is not None
    assert n[5] not in placed(room)
    # rename, merge and split, each undone in turn
    run(
        room, lambda db, a, f: theme_board.do_rename_theme(db, a, transport.id, "Getting around", f)
    )
    run(room, lambda db, a, f: theme_board.do_merge_themes(db, a, housing.id, transport.id, f))
    assert set(placed(room).values()) == {transport.id}
    run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f))
    assert placed(room)[n[3]] == housing.id
    new = run(
        room, lambda db, a, f: theme_board.do_split_theme(db, a, housing.id, [n[4]], "Heat", f)
    )
    assert placed(room)[n[4]] == new.id
    run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f))
    assert placed(room)[n[4]] == housing.id
    with session_scope(room["engine"]) as db:
        assert [t.name for t in themes_of(db, item)] == ["Getting around", "Housing"]
        log = db.exec(select(BoardAction).where(BoardAction.item_id == item)).all()
        assert {a.kind for a in log} >= {"create", "accept", "reject", "undo", "merge", "split"}


def test_show_theme_puts_it_before_the_room(room) -> None:  # type: ignore[no-untyped-def]
    n, item = room["notes"], room["item"]
    theme = run(
        room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Transport", f, n[:2])
    )
    events = run(room, lambda db, a, f: theme_board.do_show_theme(db, a, theme.id, "Fits?", f))
    spot = events[0].payload["spotlight"]
    assert spot["kind"] == "theme" and spot["ref"] == theme.id and TEXTS[0] in spot["lines"]
    events = run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f)[1])
    assert events[0].payload["spotlight"] is None


def test_groups_suggested_when_no_themes(room, facilitator_client) -> None:  # type: ignore[no-untyped-def]
    board = run(room, lambda db, a, f: load_board(db, a, room["item"], k=2))
    assert len(board.groups) == 2
    assert sorted(i for g in board.groups for i in g.note_ids) == sorted(room["notes"])
    aid, item = room["aid"], room["item"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}/themes?item={item}&k=2")
    form = {"csrf_token": token, "action": "groups"}
    for i, g in enumerate(board.groups, start=1):
        form[f"name_{i}"], form[f"notes_{i}"] = g.label, ",".join(map(str, g.note_ids))
    facilitator_client.post(f"/f/a/{aid}/themes/{item}", data=form)
    assert len(set(placed(room).values())) == 2 and len(placed(room)) == len(room["notes"])
    run(room, lambda db, a, f: theme_board.do_undo_last(db, a, item, f))  # one step undoes all
    assert placed(room) == {}
    with session_scope(room["engine"]) as db:
        assert themes_of(db, item) == []


def make_drafts(room: dict[str, Any]) -> tuple[Any, Any, Any]:
    n, item = room["notes"], room["item"]
    t1 = run(room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Transport", f, n[:3]))
    t2 = run(room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Housing", f, n[3:5]))
    t3 = run(room, lambda db, a, f: theme_board.do_create_theme(db, a, item, "Heat", f, n[5:]))
    a = run(room, lambda db, s, f: drafts.do_start_draft(db, s, [t1.id], "", f, "Cheap buses."))
    b = run(room, lambda db, s, f: drafts.do_start_draft(db, s, [t2.id], "Homes", f, "Insulate."))
    x = run(room, lambda db, s, f: drafts.do_start_draft(db, s, [t3.id], "Heat", f))
    return a, b, x


def test_lineage_survives_merge_split_merge(room, facilitator_client) -> None:  # type: ignore[no-untyped-def]
    a, b, x = make_drafts(room)
    c = run(room, lambda db, s, f: drafts.do_merge_drafts(db, s, a.id, b.id, f, "Green living"))
    d, e = run(room, lambda db, s, f: drafts.do_split_draft(db, s, c.id, ("Move", "Live"), f))
    g = run(room, lambda db, s, f: drafts.do_merge_drafts(db, s, d.id, x.id, f))
    with pytest.raises(ActionError):
        run(room, lambda db, s, f: drafts.do_edit_draft(db, s, c.id, "Late", "", ""))
    with session_scope(room["engine"]) as db:
        came = {k.draft.id: (k.kind, k.depth) for k in drafts.ancestors(db, g.id)}
        assert came == {
            d.id: ("merge", 1),
            x.id: ("merge", 1),
            c.id: ("split", 2),
            a.id: ("merge", 3),
            b.id: ("merge", 3),
        }
        went = {k.draft.id for k in drafts.descendants(db, a.id)}
        assert went == {c.id, d.id, e.id, g.id}
        p = draft_provenance(db, db.get(Draft, g.id))
        assert {t.name for t in p.themes} == {"Transport", "Housing", "Heat"}
        assert p.note_count == 6
        assert [x.status for x in (db.get(Draft, i) for i in (a.id, c.id, d.id, e.id, g.id))] == [
            "merged",
            "split",
            "merged",
            "active",
            "active",
        ]
        trail = note_trail(db, db.get(Note, room["notes"][0]))
        assert {dd.id for dd in trail.current} == {e.id, g.id}
    aid = room["aid"]
    for path in (f"/drafts/{c.id}", f"/drafts/{g.id}/provenance", "/drafts"):
        page = facilitator_client.get(f"/f/a/{aid}{path}")
        assert page.status_code == 200 and f"#{a.id}" in page.text, path
    trail_page = facilitator_client.get(f"/f/a/{aid}/notes/{room['notes'][0]}").text
    assert f"/drafts/{g.id}" in trail_page and f"/drafts/{e.id}" in trail_page


def test_versions_and_diff(room) -> None:  # type: ignore[no-untyped-def]
    a, _b, _x = make_drafts(room)
    v = run(
        room, lambda db, s, f: drafts.do_edit_draft(db, s, a.id, a.title, "Cheap buses.", "", f)
    )
    assert v is None  # nothing changed, no version
    run(room, lambda db, s, f: drafts.do_edit_draft(db, s, a.id, a.title, "Free buses now.", "", f))
    with session_scope(room["engine"]) as db:
        versions = drafts.versions_of(db, a.id)
    assert [v.number for v in versions] == [1, 2] and versions[0].text == "Cheap buses."
    pieces = word_diff("Cheap buses.", "Free buses now.")
    assert [(p.change, p.text) for p in pieces if p.change != "same"] == [
        ("removed", "Cheap"),
        ("added", "Free"),
        ("removed", "buses."),
        ("added", "buses now."),
    ]


def _two_tables(room: dict[str, Any], demo: dict[str, Any]) -> tuple[dict, dict]:
    """Seat the demo's members at two tables; one member of each."""
    ids = [m["id"] for m in demo["members"]]
    run(room, lambda db, a, f: do_publish_round(db, a, [ids[::2], ids[1::2]]))
    first, second = demo["members"][0], demo["members"][1]
    return {**first, "table": 1}, {**second, "table": 2}


def test_tables_work_on_drafts_only_when_opened(app, demo, room, facilitator_client) -> None:  # type: ignore[no-untyped-def]
    a, _b, _x = make_drafts(room)
    mine, theirs = _two_tables(room, demo)
    with phone(app, mine) as p, phone(app, theirs) as q:
        token = csrf_of(p, "/p/drafts")
        assert "Cheap buses." not in p.get("/p/drafts").text  # not opened yet
        form = {"csrf_token": token, "kind": "proposal", "text": "Buses free for all."}
        assert p.post(f"/p/drafts/{a.id}", data=form).status_code == 403
        boosted = p.post(f"/p/drafts/{a.id}", data=form, headers={"HX-Request": "true"})
        assert boosted.status_code == 200 and 'id="refused"' in boosted.text
        # participants cannot move notes or touch the board
        board = p.post(
            f"/f/a/{room['aid']}/themes/{room['item']}",
            data={"csrf_token": token, "action": "place", "note_id": room["notes"][0]},
        )
        assert board.status_code == 403
        run(room, lambda db, s, f: drafts.do_set_open_tables(db, s, a.id, [mine["table"]], f))
        page = p.get("/p/drafts").text
        assert "Cheap buses." in page and "Transport" in page
        assert 'id="mine-h"' in page and TEXTS[0] in page  # where my own notes went
        for name in (m["name"] for m in demo["members"]):
            assert name not in page  # provenance without names
        r = p.post(f"/p/drafts/{a.id}", data=form, follow_redirects=False)
        assert r.status_code == 303
        support = {"csrf_token": token, "kind": "support", "text": ""}
        assert p.post(f"/p/drafts/{a.id}", data=support, follow_redirects=False).status_code == 303
        q_token = csrf_of(q, "/p/drafts")
        assert "Cheap buses." not in q.get("/p/drafts").text
        other = {**form, "csrf_token": q_token}
        assert q.post(f"/p/drafts/{a.id}", data=other).status_code == 403
    with session_scope(room["engine"]) as db:
        feedback = drafts.feedback_of(db, a.id)
    assert [(f.kind, f.table_no) for f in feedback] == [
        ("proposal", mine["table"]),
        ("support", mine["table"]),
    ]
    listing = facilitator_client.get(f"/f/a/{room['aid']}/drafts")
    assert listing.status_code == 200
    assert "1 table backs it" in listing.text or "1 bord bakker op" in listing.text
    version = run(room, lambda db, s, f: drafts.do_settle_feedback(db, s, feedback[0].id, True, f))
    assert version.author_kind == "table" and version.table_no == mine["table"]
    assert version.text == "Buses free for all."


def login_page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def test_board_and_draft_pages(facilitator_client, room, demo) -> None:  # type: ignore[no-untyped-def]
    aid, item, n = room["aid"], room["item"], room["notes"]
    url = f"/f/a/{aid}/themes/{item}"
    page = login_page(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    assert "Make it a theme" in page or "Gør det til et tema" in page
    token = csrf_of(facilitator_client, f"/f/a/{aid}/themes")
    post = facilitator_client.post
    r = post(url, data={"csrf_token": token, "action": "create", "name": "Transport"})
    assert r.status_code == 200
    with session_scope(room["engine"]) as db:
        transport = themes_of(db, item)[0].id
    r = post(
        url,
        data={
            "csrf_token": token,
            "action": "place",
            "note_id": n[0],
            "theme_id": transport,
            "back": f"n-{n[0]}",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"#n-{n[0]}")
    assert placed(room) == {n[0]: transport}
    page = login_page(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    assert "data-suggestion" not in page  # one theme: nothing to choose between
    post(url, data={"csrf_token": token, "action": "create", "name": "Housing"})
    page = login_page(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    assert f'data-suggestion="{transport}"' in page and f'id="n-{n[1]}"' in page
    assert 'id="move-to"' in page and page.count('name="theme_id" required') == 1  # one bar
    r = post(
        url,
        data={"csrf_token": token, "action": "create", "name": "transport"},
        follow_redirects=False,
    )
    assert "error=name_taken" in r.headers["location"]
    post(url, data={"csrf_token": token, "action": "show", "theme_id": transport})
    with session_scope(room["engine"]) as db:
        assert db.get(Assembly, aid).spotlight["ref"] == transport
    post(url, data={"csrf_token": token, "action": "confirm", "theme_id": transport})
    page = login_page(facilitator_client, f"/f/a/{aid}/themes?item={item}")
    assert "confirmed-badge" in page
    post(url, data={"csrf_token": token, "action": "undo"})
    assert "confirmed-badge" not in login_page(facilitator_client, f"/f/a/{aid}/themes")
    # drafts: start, edit, compare, provenance with names only in the console, exports
    r = post(
        f"/f/a/{aid}/drafts",
        data={"csrf_token": token, "action": "start", "theme_ids": transport, "title": ""},
        follow_redirects=False,
    )
    draft_url = r.headers["location"]
    draft_id = int(draft_url.rsplit("/", 1)[1])
    post(
        draft_url,
        data={
            "csrf_token": token,
            "action": "edit",
            "title": "Transport",
            "text": "Cheaper buses.",
            "rationale": "Fair.",
        },
    )
    post(
        draft_url,
        data={
            "csrf_token": token,
            "action": "edit",
            "title": "Transport",
            "text": "Free buses.",
            "rationale": "Fair.",
        },
    )
    page = login_page(facilitator_client, f"{draft_url}?a=2&b=3")
    assert "<del>Cheaper</del>" in page and "<ins>Free</ins>" in page
    post(draft_url, data={"csrf_token": token, "action": "restore", "number": "2"})
    with session_scope(room["engine"]) as db:
        restored = db.get(Draft, draft_id)
        assert (restored.version, restored.text) == (4, "Cheaper buses.")
    author = demo["members"][0]["name"]
    assert author in login_page(facilitator_client, f"{draft_url}/provenance")
    assert author in login_page(facilitator_client, f"/f/a/{aid}/notes/{n[0]}")
    md = facilitator_client.get(f"/f/a/{aid}/drafts.md")
    assert md.status_code == 200 and "## Transport" in md.text and author not in md.text
    assert TEXTS[0] in md.text
    rows = list(
        csv.DictReader(
            io.StringIO(
                facilitator_client.get(
                    f"/f/a/{aid}/drafts.csv", headers={"accept-language": "en"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0]["draft_id"] == str(draft_id) and rows[0]["note_text"] == TEXTS[0]
    assert rows[0]["theme"] == "Transport" and rows[0]["table"]
    assert author not in facilitator_client.get(f"/f/a/{aid}/drafts.csv").text
    with TestClient(facilitator_client.app, base_url=ORIGIN) as anonymous:
        assert anonymous.get(f"/f/a/{aid}/drafts.csv", follow_redirects=False).status_code == 303
        assert anonymous.post(url, data={"action": "undo"}).status_code == 403


def test_markdown_is_escaped(room) -> None:  # type: ignore[no-untyped-def]
    a, _b, _x = make_drafts(room)
    run(room, lambda db, s, f: drafts.do_edit_draft(db, s, a.id, "# Buses *now*", "[x](y)", "", f))
    with session_scope(room["engine"]) as db:
        md = export_markdown(db, room["aid"], "Assembly", lambda s: s)
    assert "## \\# Buses \\*now\\*" in md and "\\[x\\](y)" in md
    assert re.search(r"typed on behalf", md)


def test_hidden_notes_stay_out_of_public_provenance(room) -> None:  # type: ignore[no-untyped-def]
    a, _b, _x = make_drafts(room)
    with session_scope(room["engine"], write=True) as db:
        note = db.get(Note, room["notes"][0])
        note.hidden = True
        db.add(note)
    with session_scope(room["engine"]) as db:
        draft = db.get(Draft, a.id)
        shown = {n.text for t in draft_provenance(db, draft).themes for n in t.notes}
        console = {n.text for t in draft_provenance(db, draft, True).themes for n in t.notes}
    assert TEXTS[0] not in shown and TEXTS[0] in console and TEXTS[1] in shown


def test_a_phone_hears_when_its_table_may_work_on_a_draft(
    app, demo, room, facilitator_client
) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.app.test_hub import WS, receive_until

    a, _b, _x = make_drafts(room)
    mine, _theirs = _two_tables(room, demo)
    with phone(app, mine) as p, p.websocket_connect("/ws/participant", headers=WS) as ws:
        ws.send_text(json.dumps({"msg": "hello"}))
        first = ws.receive_text()
        assert (
            'id="drafting-notice"' in first
            and "/p/drafts" not in first.split('id="drafting-notice"')[1].split("</p>")[0]
        )
        token = csrf_of(facilitator_client, f"/f/a/{room['aid']}/drafts/{a.id}")
        r = facilitator_client.post(
            f"/f/a/{room['aid']}/drafts/{a.id}",
            data={"csrf_token": token, "action": "tables", "tables": [str(mine["table"])]},
            follow_redirects=False,
        )
        assert r.status_code == 303
        notice = receive_until(ws, 'id="drafting-notice"')
        assert 'href="/p/drafts"' in notice

"""The websocket hub through TestClient: snapshot, ack, idempotency, resume, security."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.db import make_engine, session_scope
from app.events import events_after
from app.models import Note
from app.snapshot import load_room
from facilitation.room import apply_event
from tests.conftest import ORIGIN, path_of

pytestmark = pytest.mark.timeout(30)
WS = {"origin": ORIGIN}


def phone(app, member) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url=ORIGIN)
    client.get(path_of(member["join_url"]))
    return client


def hello(ws) -> str:  # type: ignore[no-untyped-def]
    """Open the conversation; the answer is the snapshot."""
    ws.send_text(json.dumps({"msg": "hello"}))
    return str(ws.receive_text())


def assert_events_rebuild_snapshot(engine, assembly_id: int, action) -> None:  # type: ignore[no-untyped-def]
    """The equivalence test: run ``action(db)`` in one write transaction; the events it wrote,
    applied to the snapshot before, must give the snapshot after."""
    with session_scope(engine) as db:
        before = load_room(db, assembly_id)
    with session_scope(engine, write=True) as db:
        action(db)
    with session_scope(engine) as db:
        after = load_room(db, assembly_id)
        events = events_after(db, assembly_id, before.seq)
    assert events, "the action wrote no event"
    state = before
    for e in events:
        state = apply_event(state, e.seq, e.kind, e.payload)
    assert state == after


def receive_until(ws, pattern: str, limit: int = 20) -> str:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        text = ws.receive_text()
        if re.search(pattern, text):
            return text
    raise AssertionError(f"no message matching {pattern!r}")


def note(key: str, text: str = "Fællesskab", kind: str = "value") -> str:
    return json.dumps(
        {
            "msg": "note",
            "kind": kind,
            "text": text,
            "client_key": key,
            "HEADERS": {"HX-Request": "true"},
        }
    )


def notes(settings) -> list[Note]:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return list(db.exec(select(Note)))


def test_snapshot_then_note_ack_and_projector_live(app, demo, settings) -> None:
    with TestClient(app, base_url=ORIGIN) as screen, phone(app, demo["members"][0]) as p:
        with screen.websocket_connect(
            path_of(demo["projector_url"]).replace("/projector", "/ws/projector"), headers=WS
        ) as proj:
            proj.send_text(json.dumps({"msg": "hello", "cursor": None}))
            snapshot = proj.receive_text()
            assert 'id="stage"' in snapshot and 'id="cursor"' in snapshot
            with p.websocket_connect("/ws/participant", headers=WS) as ws:
                ws.send_text(json.dumps({"msg": "hello"}))
                assert 'id="my-notes"' in ws.receive_text()
                ws.send_text(note("key-0001"))
                ack = receive_until(ws, r'id="note-key-0001"')
                assert 'class="note saved"' in ack
                # the projector's scene (the demo's wall) is rendered afresh with the note
                wall = receive_until(proj, r'id="stage"[\s\S]*Fællesskab')
                assert 'data-scene="wall"' in wall
                assert demo["members"][0]["name"] not in wall  # authors hidden on the projector


def test_duplicate_client_key_gives_same_ack_and_one_row(app, demo, settings) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        ws.send_text(note("dup-key-01", "Tillid"))
        first = receive_until(ws, 'id="note-dup-key-01"')
        ws.send_text(note("dup-key-01", "Tillid"))
        second = receive_until(ws, 'id="note-dup-key-01"')
        item = re.compile(r'<li id="note-dup-key-01".*?</li>', re.S)
        assert item.search(first).group(0) == item.search(second).group(0)
    assert [n.text for n in notes(settings)] == ["Tillid"]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("not json", "bad_message"),
        (json.dumps({"msg": "nope"}), "bad_message"),
        (
            json.dumps({"msg": "note", "kind": "value", "text": "   ", "client_key": "empty-001"}),
            "empty",
        ),
        (
            json.dumps(
                {"msg": "note", "kind": "value", "text": "x" * 600, "client_key": "long-0001"}
            ),
            "too_long",
        ),
        (
            json.dumps({"msg": "note", "kind": "wish", "text": "x", "client_key": "kind-0001"}),
            "bad_kind",
        ),
        (
            json.dumps({"msg": "note", "kind": "value", "text": "x", "client_key": "<b>"}),
            "bad_message",
        ),
        (json.dumps({"msg": "note_hide", "note_id": 1, "hidden": True}), "not_allowed"),
        ("x" * 70000, "too_large"),
    ],
)
def test_bad_messages_get_an_error_and_change_nothing(app, demo, settings, message, code) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        ws.send_text(message)
        reply = receive_until(ws, 'id="errors"')
        assert f'data-code="{code}"' in reply
        ws.send_text(note("still-up-1"))  # the connection stays up
        receive_until(ws, 'id="note-still-up-1"')
    assert [n.client_key for n in notes(settings)] == ["still-up-1"]


def test_wrong_origin_and_anonymous_sockets_are_refused(app, demo) -> None:
    with phone(app, demo["members"][0]) as p:
        with (
            pytest.raises(WebSocketDisconnect),
            p.websocket_connect(
                "/ws/participant", headers={"origin": "https://evil.example"}
            ) as ws,
        ):
            ws.receive_text()
        with pytest.raises(WebSocketDisconnect), p.websocket_connect("/ws/participant") as ws:
            ws.receive_text()
        # a participant cannot open the facilitator socket
        with (
            pytest.raises(WebSocketDisconnect),
            p.websocket_connect(f"/ws/facilitator/{demo['assembly_id']}", headers=WS) as ws,
        ):
            ws.receive_text()
    with TestClient(app, base_url=ORIGIN) as anonymous:
        for path in (
            "/ws/participant",
            f"/ws/facilitator/{demo['assembly_id']}",
            f"/ws/projector/{demo['assembly_id']}/forged",
        ):
            with (
                pytest.raises(WebSocketDisconnect),
                anonymous.websocket_connect(path, headers=WS) as ws,
            ):
                ws.receive_text()


def test_participant_cannot_reach_another_assembly(app, demo, settings) -> None:
    from app.demo import create_demo

    other = create_demo(settings, members=2, seed=2)
    with TestClient(app, base_url=ORIGIN) as fac:
        from tests.conftest import login

        login(fac, other["facilitator"]["email"], other["facilitator"]["password"])
        with fac.websocket_connect(f"/ws/facilitator/{other['assembly_id']}", headers=WS) as fws:
            fws.send_text(json.dumps({"msg": "hello"}))
            fws.receive_text()
            with (
                phone(app, demo["members"][0]) as p,
                p.websocket_connect("/ws/participant", headers=WS) as ws,
            ):
                ws.send_text(json.dumps({"msg": "hello"}))
                ws.receive_text()
                ws.send_text(note("mine-0001", "Kun i min samling"))
                receive_until(ws, 'id="note-mine-0001"')
            fws.send_text(
                json.dumps({"msg": "note_hide", "note_id": notes(settings)[0].id, "hidden": True})
            )
            reply = receive_until(fws, 'id="errors"')
            assert 'data-code="no_such_note"' in reply
    assert not notes(settings)[0].hidden


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }} <b hx-get='/f'>x</b>",
    "</textarea><iframe src=//evil>",
]


def test_xss_corpus_renders_as_text_on_every_surface(
    app, demo, settings, facilitator_client
) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        for i, text in enumerate(XSS):
            ws.send_text(note(f"xss-key-{i:02d}", text))
            ack = receive_until(ws, f'id="note-xss-key-{i:02d}"')
            assert "<script>" not in ack and "<img" not in ack and "<svg onload" not in ack
    from app.agenda import do_set_scene
    from app.models import Assembly

    with session_scope(make_engine(settings.database_url), write=True) as db:
        do_set_scene(db, db.get(Assembly, demo["assembly_id"]), "wall")  # the projector's wall
    surfaces = {
        "facilitator": (facilitator_client, f"/ws/facilitator/{demo['assembly_id']}"),
        "projector": (
            TestClient(app, base_url=ORIGIN),
            path_of(demo["projector_url"]).replace("/projector", "/ws/projector"),
        ),
        "participant": (phone(app, demo["members"][0]), "/ws/participant"),
    }
    for _role, (client, path) in surfaces.items():
        with client.websocket_connect(path, headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            snapshot = ws.receive_text()
            for text in XSS:
                assert text not in snapshot or text in ("javascript:alert(1)",)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snapshot
            assert "<iframe" not in snapshot and "onerror=alert" not in snapshot.replace(
                "onerror=alert(1)&gt;", ""
            )


def test_resume_sends_missed_events_in_order_and_bad_cursors_get_a_snapshot(
    app, demo, settings
) -> None:
    from app.agenda import do_set_scene
    from app.models import Assembly

    with session_scope(make_engine(settings.database_url), write=True) as db:
        do_set_scene(db, db.get(Assembly, demo["assembly_id"]), "wall")  # the projector's wall
    proj_path = path_of(demo["projector_url"]).replace("/projector", "/ws/projector")
    with TestClient(app, base_url=ORIGIN) as screen, phone(app, demo["members"][0]) as p:
        with screen.websocket_connect(proj_path, headers=WS) as proj:
            proj.send_text(json.dumps({"msg": "hello"}))
            cursor = int(re.search(r'data-seq="(\d+)"', proj.receive_text()).group(1))
        with p.websocket_connect("/ws/participant", headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            ws.receive_text()
            for i in range(3):
                ws.send_text(note(f"missed-{i:03d}", f"Seddel {i}"))
                receive_until(ws, f'id="note-missed-{i:03d}"')
        with screen.websocket_connect(proj_path, headers=WS) as proj:
            proj.send_text(json.dumps({"msg": "hello", "cursor": cursor}))
            # the missed events are read back together: the projector's scene, the same for
            # each of them but for the cursor, is rendered and sent once, at the newest
            scene = proj.receive_text()
            seq = int(re.findall(r'id="cursor"[^>]*data-seq="(\d+)"', scene)[-1])
            with session_scope(make_engine(settings.database_url)) as db:
                missed = events_after(db, demo["assembly_id"], cursor)
                newest = max(e.seq for e in missed if e.kind == "note_saved")
            assert cursor < seq == newest  # (presence events are not for it)
            assert all(f"Seddel {i}" in scene for i in range(3))
        for bad in (10_000, "x1", -5):
            with screen.websocket_connect(proj_path, headers=WS) as proj:
                proj.send_text(json.dumps({"msg": "hello", "cursor": bad}))
                first = proj.receive_text()
                assert 'id="stage"' in first and first.count("Seddel") == 3


def test_equivalence_events_applied_to_snapshot_give_the_next_snapshot(app, demo, settings) -> None:
    """For each live action: apply(events, snapshot before) == snapshot after."""
    from app import agenda
    from app.models import AgendaItem, Assembly, AssemblySession, Facilitator, Member
    from app.notes import (
        do_add_note,
        do_edit_own_note,
        do_moderate_note,
        do_paper_note,
        do_presence,
        do_withdraw_own_note,
    )
    from app.seating import do_publish_round

    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    ids = [m["id"] for m in demo["members"]]

    def check(action) -> None:  # type: ignore[no-untyped-def]
        assert_events_rebuild_snapshot(engine, aid, action)

    def assembly(db):  # type: ignore[no-untyped-def]
        return db.get(Assembly, aid)

    def member(db, index=0):  # type: ignore[no-untyped-def]
        return db.get(Member, ids[index])

    def item_id(db, phase):  # type: ignore[no-untyped-def]
        return (
            db.exec(
                select(AgendaItem).where(
                    AgendaItem.assembly_id == aid, AgendaItem.phase_kind == phase
                )
            )
            .first()
            .id
        )

    check(
        lambda db: do_add_note(
            db, member(db), "value", "  Mobilitet \n\n\n på landet ", "equiv-0001"
        )
    )
    note_id = notes(settings)[0].id
    check(lambda db: do_edit_own_note(db, member(db), note_id, "Mobilitet for alle"))
    for action in ("hide", "show", "edit"):
        check(lambda db, a=action: do_moderate_note(db, aid, None, note_id, a, "Mobilitet!"))
    check(lambda db: do_withdraw_own_note(db, member(db), note_id))
    check(
        lambda db: do_paper_note(
            db,
            db.exec(select(Facilitator)).first(),
            aid,
            2,
            ids[1],
            "value",
            "Skrevet på papir",
            "paper-0001",
        )
    )
    check(lambda db: do_presence(db, "proc-a", aid, ids[1], +1))
    check(lambda db: do_presence(db, "proc-a", aid, ids[1], -1))
    check(lambda db: agenda.do_close_item(db, assembly(db), item_id(db, "value")))
    check(lambda db: agenda.do_open_item(db, assembly(db), item_id(db, "theme")))
    check(lambda db: agenda.do_adjust_timer(db, assembly(db), item_id(db, "theme"), 5))
    check(lambda db: agenda.do_move_item(db, assembly(db), item_id(db, "solution"), -1))
    check(
        lambda db: agenda.do_edit_item(
            db,
            assembly(db),
            item_id(db, "solution"),
            "round",
            "Løsninger nu",
            35,
            "solution",
            "Hvad kan vi gøre?",
        )
    )
    check(
        lambda db: agenda.do_add_item(
            db, assembly(db), db.exec(select(AssemblySession)).first(), "break", "Frokost", 45
        )
    )
    check(lambda db: agenda.do_room_settings(db, assembly(db), "approve", True, "kind"))
    check(lambda db: do_add_note(db, member(db, 2), "theme", "Fællesskab", "equiv-0002"))
    check(lambda db: do_moderate_note(db, aid, None, notes(settings)[-1].id, "approve"))
    check(lambda db: do_publish_round(db, assembly(db), [ids[:3], ids[3:]], {ids[0]}))
    spot = {
        "kind": "theme",
        "title": "Mobilitet",
        "lines": ["Busser", "Cykler"],
        "ask": "Passer det?",
    }
    check(lambda db: agenda.do_spotlight(db, assembly(db), spot))  # and the spotlight scene
    check(lambda db: agenda.do_spotlight(db, assembly(db), None))  # and back to the wall
    # the projector's scenes (a settings event each)
    check(lambda db: agenda.do_set_scene(db, assembly(db), "plan"))
    check(lambda db: agenda.do_set_scene(db, assembly(db), "table", 2))
    check(lambda db: agenda.do_set_scene(db, assembly(db), "note", notes(settings)[-1].id))
    check(lambda db: agenda.do_set_scene(db, assembly(db), "now"))

    # the roster and the links: members added, renamed, deactivated and back, a new join link,
    # the projector link revoked (``roster`` and ``access`` events)
    from app import members
    from facilitation.roster import MemberSpec

    spec = MemberSpec("late-01", "Nadia L.", {"age": "30-44"})
    check(lambda db: members.do_add_members(db, settings, assembly(db), [spec]))
    check(lambda db: members.do_edit_member(db, member(db, 1), MemberSpec("equiv-ib", "Ib Ny", {})))
    check(lambda db: members.do_set_active(db, member(db, 1), False))
    check(lambda db: members.do_set_active(db, member(db, 1), True))
    check(lambda db: members.do_deactivate_members(db, [member(db, 4), member(db, 5)]))
    check(lambda db: members.do_new_join_link(db, settings, member(db, 2)))
    check(lambda db: members.do_revoke_projector_link(db, assembly(db)))

    # the board and the drafts: the real actions (a ``drafting`` event when the tables a draft
    # is open to change; ``board`` / ``drafts`` events leave the room as it was)
    from app.themes import board as theme_board
    from app.themes import drafts

    def start(db):  # type: ignore[no-untyped-def]
        theme = theme_board.do_create_theme(db, assembly(db), item_id(db, "value"), "Busser")
        theme_board.do_place_notes(
            db, assembly(db), item_id(db, "value"), [note_id], theme.id, None
        )
        drafts.do_start_draft(db, assembly(db), [theme.id], "", None)

    def draft_id(db):  # type: ignore[no-untyped-def]
        return drafts.drafts_of(db, aid, active_only=True)[0].id

    check(start)
    check(lambda db: drafts.do_set_open_tables(db, assembly(db), draft_id(db), [2], None))
    check(lambda db: drafts.do_split_draft(db, assembly(db), draft_id(db), ("A", "B"), None))
    check(lambda db: drafts.do_set_open_tables(db, assembly(db), draft_id(db), [1, 2], None))
    check(
        lambda db: drafts.do_merge_drafts(
            db, assembly(db), *[d.id for d in drafts.drafts_of(db, aid, True)[:2]], None
        )
    )

    check(lambda db: theme_board.do_undo_last(db, assembly(db), item_id(db, "value"), None))


def test_facilitator_sees_presence_live(app, demo, facilitator_client) -> None:
    member = demo["members"][2]
    with facilitator_client.websocket_connect(
        f"/ws/facilitator/{demo['assembly_id']}", headers=WS
    ) as fws:
        fws.send_text(json.dumps({"msg": "hello"}))
        assert f'id="presence-{member["id"]}" class="person offline"' in fws.receive_text()
        with phone(app, member) as p, p.websocket_connect("/ws/participant", headers=WS) as ws:
            ws.send_text(json.dumps({"msg": "hello"}))
            ws.receive_text()
            online = receive_until(fws, f'id="presence-{member["id"]}"')
            assert 'class="person online"' in online
        offline = receive_until(fws, f'id="presence-{member["id"]}"')
        assert 'class="person offline"' in offline


def _closed_with(ws, code: int) -> None:  # type: ignore[no-untyped-def]
    """Read until the server closes the socket; it must close with ``code``."""
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(20):
            ws.receive_text()
    assert closed.value.code == code


@pytest.mark.parametrize("action", ["deactivate", "reissue"])
def test_a_signed_out_phone_is_closed_and_leaves_the_room(
    app, demo, facilitator_client, action
) -> None:
    """Deactivating a member or giving them a new join link closes their phone's socket (1008)
    and, once deactivated, the live console's room no longer lists them; a table mate's phone
    stays connected."""
    from tests.conftest import csrf_of

    aid = demo["assembly_id"]
    gone, stays = demo["members"][0], demo["members"][1]
    with (
        phone(app, gone) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
        phone(app, stays) as q,
        q.websocket_connect("/ws/participant", headers=WS) as other,
        facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fws,
    ):
        for socket in (ws, other, fws):
            socket.send_text(json.dumps({"msg": "hello"}))
            receive_until(socket, 'id="stage"')
        token = csrf_of(facilitator_client, f"/f/a/{aid}/members")
        response = facilitator_client.post(
            f"/f/a/{aid}/members/{gone['id']}/{action}",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        _closed_with(ws, 1008)
        row = f'id="presence-{gone["id"]}"'
        if action == "deactivate":  # the console's room follows the roster at once
            receive_until(fws, rf'id="stage"(?![\s\S]*{row})')
        else:
            assert row in receive_until(fws, 'id="stage"')
        other.send_text(note("still-here-1"))
        receive_until(other, 'id="note-still-here-1"')
    # the old session cannot come back
    with (
        pytest.raises(WebSocketDisconnect),
        p.websocket_connect("/ws/participant", headers=WS) as again,
    ):
        again.receive_text()


def test_a_revoked_projector_is_closed(app, demo, facilitator_client) -> None:
    from tests.conftest import csrf_of

    aid = demo["assembly_id"]
    proj_path = path_of(demo["projector_url"]).replace("/projector", "/ws/projector")
    with (
        TestClient(app, base_url=ORIGIN) as screen,
        screen.websocket_connect(proj_path, headers=WS) as proj,
    ):
        proj.send_text(json.dumps({"msg": "hello"}))
        receive_until(proj, 'id="stage"')
        token = csrf_of(facilitator_client, f"/f/a/{aid}/settings")
        response = facilitator_client.post(
            f"/f/a/{aid}/projector/revoke", data={"csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303
        _closed_with(proj, 1008)
        with (
            pytest.raises(WebSocketDisconnect),
            screen.websocket_connect(proj_path, headers=WS) as again,
        ):
            again.receive_text()

"""Live notes through the websocket: phases, grace period, permissions, walls, paper notes."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app import agenda
from app.clock import utcnow
from app.db import make_engine, session_scope
from app.errors import ActionError
from app.models import AgendaItem, Assembly, Member, Note, Seat
from app.notes import do_add_note
from tests.app.test_hub import WS, hello, note, phone, receive_until
from tests.conftest import ORIGIN, csrf_of, path_of

pytestmark = pytest.mark.timeout(60)


def items(settings, phase: str) -> AgendaItem:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return db.exec(select(AgendaItem).where(AgendaItem.phase_kind == phase)).one()


def all_notes(settings) -> list[Note]:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return list(db.exec(select(Note).order_by(Note.id)))


def table_of(settings, member_id: int) -> int:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return db.exec(select(Seat.table_no).where(Seat.member_id == member_id)).one()


def test_demo_is_a_live_room(app, demo, settings) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        snapshot = hello(ws)
        assert "Værdier: hvad er vigtigt for dig?" in snapshot
        assert "Hvad er vigtigt for dig, når du tænker på bæredygtigt forbrug?" in snapshot
        assert re.search(r"Gå til bord \d", snapshot)
        assert 'name="kind" value="value"' in snapshot and 'class="timer"' in snapshot
        ws.send_text(note("live-00001", "Fællesskab"))
        ack = receive_until(ws, 'id="note-live-00001"')
        assert "saved" in ack
    stored = all_notes(settings)[0]
    assert stored.table_no == table_of(settings, demo["members"][0]["id"])
    assert stored.item_id == items(settings, "value").id and not stored.late


def test_closed_phase_grace_then_refused(app, demo, settings) -> None:
    engine = make_engine(settings.database_url)
    value = items(settings, "value")
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        hello(ws)
        with session_scope(engine, write=True) as db:
            agenda.do_close_item(db, db.get(Assembly, demo["assembly_id"]), value.id)
        ws.send_text(note("late-00001", "Kom lige med"))
        receive_until(ws, 'id="note-late-00001"')
        assert all_notes(settings)[-1].late
        with session_scope(engine, write=True) as db:
            item = db.get(AgendaItem, value.id)
            item.closed_at = utcnow() - timedelta(minutes=5)
            db.add(item)
        ws.send_text(note("late-00002", "For sent"))
        reply = receive_until(ws, 'id="errors"')
        assert 'data-code="closed"' in reply and "For sent" in reply  # the text comes back
    assert [n.client_key for n in all_notes(settings)] == ["late-00001"]


def test_wrong_kind_and_edit_rules(app, demo, settings) -> None:
    a, b = demo["members"][0], demo["members"][1]
    with phone(app, a) as pa, pa.websocket_connect("/ws/participant", headers=WS) as wa:
        hello(wa)
        wa.send_text(note("kind-00001", "Et tema", kind="theme"))  # kept as its author labelled it
        receive_until(wa, 'id="note-kind-00001"')
        wa.send_text(note("kind-00002", "Et ønske", kind="wish"))
        assert 'data-code="bad_kind"' in receive_until(wa, 'id="errors"')
        wa.send_text(note("mine-00001", "Min seddel"))
        receive_until(wa, 'id="note-mine-00001"')
        note_id = [n for n in all_notes(settings) if n.client_key == "mine-00001"][0].id
        with phone(app, b) as pb, pb.websocket_connect("/ws/participant", headers=WS) as wb:
            hello(wb)
            wb.send_text(json.dumps({"msg": "note_edit", "note_id": note_id, "text": "Hacket"}))
            assert 'data-code="no_such_note"' in receive_until(wb, 'id="errors"')
            wb.send_text(json.dumps({"msg": "note_withdraw", "note_id": note_id}))
            assert 'data-code="no_such_note"' in receive_until(wb, 'id="errors"')
        wa.send_text(json.dumps({"msg": "note_edit", "note_id": note_id, "text": "Min nye seddel"}))
        assert "Min nye seddel" in receive_until(wa, "Min nye seddel")
        wa.send_text(json.dumps({"msg": "note_withdraw", "note_id": note_id}))
        receive_until(wa, "withdrawn")
    stored = [n for n in all_notes(settings) if n.client_key == "mine-00001"][0]
    assert stored.text == "Min nye seddel" and stored.withdrawn
    assert [n.kind for n in all_notes(settings) if n.client_key == "kind-00001"] == ["theme"]


def test_participant_cannot_use_facilitator_messages(app, demo, settings) -> None:
    value = items(settings, "value")
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        hello(ws)
        for message in (
            {"msg": "item_close", "item_id": value.id},
            {"msg": "timer_adjust", "item_id": value.id, "minutes": 5},
            {
                "msg": "paper_note",
                "table_no": 1,
                "kind": "value",
                "text": "x",
                "client_key": "abcdefgh1",
            },
            {"msg": "room_settings", "moderation": "approve"},
            {"msg": "note_moderate", "note_id": 1, "action": "hide"},
        ):
            ws.send_text(json.dumps(message))
            assert 'data-code="not_allowed"' in receive_until(ws, 'id="errors"')
    assert items(settings, "value").state == "open"


def test_walls_tables_projector_and_moderation(app, demo, settings, facilitator_client) -> None:
    a = demo["members"][0]
    table_a = table_of(settings, a["id"])
    mates = [m for m in demo["members"] if table_of(settings, m["id"]) == table_a and m != a]
    proj = TestClient(app, base_url=ORIGIN)
    proj_path = "/ws" + path_of(demo["projector_url"])
    fac_path = f"/ws/facilitator/{demo['assembly_id']}"
    with (
        proj,
        proj.websocket_connect(proj_path, headers=WS) as pws,
        facilitator_client.websocket_connect(fac_path, headers=WS) as fws,
        phone(app, a) as pa,
        pa.websocket_connect("/ws/participant", headers=WS) as wa,
    ):
        hello(pws)
        hello(fws)
        hello(wa)
        stack = contextlib.ExitStack()
        mate_ws = None
        if mates:
            mate = stack.enter_context(phone(app, mates[0]))
            mate_ws = stack.enter_context(mate.websocket_connect("/ws/participant", headers=WS))
            hello(mate_ws)
        wa.send_text(note("wall-00001", "Natur og stilhed"))
        receive_until(wa, 'id="note-wall-00001"')
        # the projector's scene (the demo shows the wall) is drawn again with the note in it
        shown = receive_until(pws, "Natur og stilhed")
        assert f'id="wall-t-{table_a}"' in shown and 'data-scene="wall"' in shown
        assert "beforeend:#fwall" in receive_until(fws, "Natur og stilhed")
        if mate_ws is not None:
            assert "beforeend:#table-notes" in receive_until(mate_ws, "Natur og stilhed")
        note_id = all_notes(settings)[0].id
        # moderation: hide removes it from the projector and the table; facilitator keeps it
        fws.send_text(json.dumps({"msg": "note_hide", "note_id": note_id, "hidden": True}))
        assert "Natur og stilhed" not in receive_until(pws, 'data-scene="wall"')
        assert "hidden-note" in receive_until(fws, f"n-{note_id}")
        # approval mode: new notes wait for the facilitator
        fws.send_text(
            json.dumps(
                {
                    "msg": "room_settings",
                    "moderation": "approve",
                    "show_names": "true",
                    "wall_group": "kind",
                }
            )
        )
        # the only note is hidden: the wall grouped by kind has no group yet
        assert "wall-k-value" not in receive_until(pws, 'data-scene="wall"')
        wa.send_text(note("wall-00002", "Venter på godkendelse"))
        receive_until(wa, 'id="note-wall-00002"')
        assert "unapproved" in receive_until(fws, "Venter på godkendelse")
        second = all_notes(settings)[-1]
        assert not second.approved
        fws.send_text(
            json.dumps({"msg": "note_moderate", "note_id": second.id, "action": "approve"})
        )
        shown = receive_until(pws, "Venter på godkendelse")
        assert 'id="wall-k-value"' in shown and a["name"].split()[0] in shown
        # a facilitator edit keeps the original words
        fws.send_text(
            json.dumps(
                {
                    "msg": "note_moderate",
                    "note_id": second.id,
                    "action": "edit",
                    "text": "Godkendt og rettet",
                }
            )
        )
        receive_until(pws, "Godkendt og rettet")
        stack.close()
    stored = all_notes(settings)[-1]
    assert stored.text == "Godkendt og rettet" and stored.original_text == "Venter på godkendelse"
    assert stored.edited_by is not None


def test_paper_note_on_behalf_and_table_view(app, demo, settings, facilitator_client) -> None:
    member = demo["members"][3]
    table = table_of(settings, member["id"])
    path = f"/ws/facilitator/{demo['assembly_id']}?table={table}"
    with facilitator_client.websocket_connect(path, headers=WS) as fws:
        snapshot = hello(fws)
        assert f"Bord {table}" in snapshot
        message = {
            "msg": "paper_note",
            "table_no": table,
            "member_id": member["id"],
            "kind": "value",
            "text": "Fra papir",
            "client_key": "paper-00001",
        }
        fws.send_text(json.dumps(message))
        receive_until(fws, "Fra papir")
        fws.send_text(json.dumps(message))  # typed twice: stored once
        receive_until(fws, "Fra papir")
    stored = all_notes(settings)
    assert len(stored) == 1 and stored[0].member_id == member["id"]
    assert stored[0].entered_by is not None and stored[0].table_no == table
    page = facilitator_client.get(f"/f/a/{demo['assembly_id']}/table/{table}")
    assert page.status_code == 200 and f"?table={table}" in page.text
    english = {"accept-language": "en"}  # the header is in the viewer's language
    export = facilitator_client.get(f"/f/a/{demo['assembly_id']}/notes.csv", headers=english)
    assert export.status_code == 200 and "Fra papir" in export.text
    header = export.text.lstrip("\ufeff").splitlines()[0]
    assert header.startswith(
        "id,session,round,table,phase,kind,text,created,late,entered_on_behalf,hidden"
    )
    assert "facilitator@demo.samling.dk for" in export.text


def test_runsheet_planning_over_http(app, demo, settings, facilitator_client) -> None:
    aid = demo["assembly_id"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}")
    with Session(make_engine(settings.database_url)) as db:
        session_id = db.exec(select(AgendaItem.session_id)).first()
    r = facilitator_client.post(
        f"/f/a/{aid}/sessions/{session_id}/items",
        data={
            "csrf_token": token,
            "kind": "round",
            "title": "Ekstra runde",
            "minutes": "15",
            "phase_kind": "free",
            "prompt": "Hvad mangler?",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    bad = facilitator_client.post(
        f"/f/a/{aid}/sessions/{session_id}/items",
        data={"csrf_token": token, "kind": "round", "title": "", "minutes": "0"},
    )
    assert bad.status_code == 400
    extra = items(settings, "free")
    r = facilitator_client.post(
        f"/f/a/{aid}/items/{extra.id}/move",
        data={"csrf_token": token, "step": "up"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and items(settings, "free").position < extra.position
    value = items(settings, "value")
    refused = facilitator_client.post(
        f"/f/a/{aid}/items/{value.id}/delete", data={"csrf_token": token}
    )
    assert refused.status_code == 400  # it ran: it stays
    r = facilitator_client.post(
        f"/f/a/{aid}/items/{extra.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    with Session(make_engine(settings.database_url)) as db:
        assert db.get(AgendaItem, extra.id) is None
    with TestClient(app, base_url=ORIGIN) as anonymous:
        assert anonymous.post(f"/f/a/{aid}/items/{value.id}/delete").status_code == 403


def test_timer_controls_and_reopen(app, demo, settings, facilitator_client) -> None:
    value = items(settings, "value")
    before = value.ends_at
    with facilitator_client.websocket_connect(
        f"/ws/facilitator/{demo['assembly_id']}", headers=WS
    ) as fws:
        hello(fws)
        fws.send_text(json.dumps({"msg": "timer_adjust", "item_id": value.id, "minutes": "5"}))
        receive_until(fws, 'id="stage"')
        assert items(settings, "value").ends_at - before == timedelta(minutes=5)
        theme = items(settings, "theme")
        fws.send_text(json.dumps({"msg": "item_open", "item_id": theme.id}))
        receive_until(fws, 'id="stage"')
        assert (
            items(settings, "value").state == "closed" and items(settings, "theme").state == "open"
        )
        fws.send_text(json.dumps({"msg": "item_open", "item_id": value.id}))
        receive_until(fws, 'id="stage"')
        assert (
            items(settings, "value").state == "open" and items(settings, "theme").state == "closed"
        )


def test_action_level_other_assembly_is_refused(app, demo, settings) -> None:
    from app.demo import create_demo

    other = create_demo(settings, members=3, seed=9)
    engine = make_engine(settings.database_url)
    with session_scope(engine, write=True) as db:
        theirs = db.exec(
            select(AgendaItem).where(
                AgendaItem.assembly_id == other["assembly_id"], AgendaItem.phase_kind == "value"
            )
        ).one()
        member = db.get(Member, demo["members"][0]["id"])
        with pytest.raises(ActionError):
            do_add_note(db, member, "value", "Forkert samling", "cross-0001", item_id=theirs.id)


def test_review_fixes_edit_after_approval_revoked_socket_and_resends(
    app, demo, settings, facilitator_client
) -> None:
    member = demo["members"][0]
    with facilitator_client.websocket_connect(
        f"/ws/facilitator/{demo['assembly_id']}", headers=WS
    ) as fws:
        hello(fws)
        fws.send_text(json.dumps({"msg": "room_settings", "moderation": "approve"}))
        receive_until(fws, 'id="stage"')
        with phone(app, member) as p, p.websocket_connect("/ws/participant", headers=WS) as ws:
            hello(ws)
            # a resend of a stored note is acked again and never rate limited
            for _ in range(14):
                ws.send_text(note("resend-0001", "Samme seddel"))
                assert 'data-code="rate_limited"' not in receive_until(ws, "note-resend-0001")
            stored = all_notes(settings)[0]
            fws.send_text(
                json.dumps({"msg": "note_moderate", "note_id": stored.id, "action": "approve"})
            )
            receive_until(fws, f"n-{stored.id}")
            ws.send_text(json.dumps({"msg": "note_edit", "note_id": stored.id, "text": "Ny tekst"}))
            receive_until(ws, "Ny tekst")
            assert not all_notes(settings)[0].approved  # reworded: waits for approval again
            # the join link is revoked while the socket is open: the socket is closed (1008)
            token = csrf_of(facilitator_client, f"/f/a/{demo['assembly_id']}")
            facilitator_client.post(
                f"/f/a/{demo['assembly_id']}/members/{member['id']}/reissue",
                data={"csrf_token": token},
            )
            with pytest.raises(WebSocketDisconnect) as closed:
                for _ in range(20):
                    ws.receive_text()
            assert closed.value.code == 1008
    assert [n.client_key for n in all_notes(settings)] == ["resend-0001"]

"""The projector's scenes: the facilitator's `scene` message, what it refuses, and the actions
that switch scenes on their own (publishing a round, the spotlight)."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.db import make_engine, session_scope
from app.events import events_after
from app.models import Assembly, Member, Note
from tests.app.test_hub import WS, note, phone, receive_until
from tests.conftest import ORIGIN, path_of

pytestmark = pytest.mark.timeout(30)


def scene_of(settings, aid: int) -> tuple[str, int | None, int]:  # type: ignore[no-untyped-def]
    with session_scope(make_engine(settings.database_url)) as db:
        assembly = db.get(Assembly, aid)
        return assembly.scene, assembly.scene_ref, assembly.last_seq


def scene(name: str, ref: object = None) -> str:
    message = {"msg": "scene", "scene": name, "HEADERS": {"HX-Request": "true"}}
    if ref is not None:
        message["ref"] = ref
    return json.dumps(message)


def write_notes(app, demo, count: int = 2) -> None:  # type: ignore[no-untyped-def]
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        for i in range(count):
            ws.send_text(note(f"scene-key-{i:03d}", f"Seddel nummer {i}"))
            receive_until(ws, f'id="note-scene-key-{i:03d}"')


def projector_path(demo) -> str:  # type: ignore[no-untyped-def]
    return path_of(demo["projector_url"]).replace("/projector", "/ws/projector")


def test_facilitator_switches_every_scene_and_the_projector_follows(
    app, demo, settings, facilitator_client
) -> None:
    write_notes(app, demo)
    aid = demo["assembly_id"]
    with session_scope(make_engine(settings.database_url)) as db:
        first = db.exec(select(Note).order_by(Note.id)).first()
        note_id, table_no = first.id, first.table_no
    with (
        TestClient(app, base_url=ORIGIN) as screen,
        screen.websocket_connect(projector_path(demo), headers=WS) as proj,
        facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fac,
    ):
        proj.send_text(json.dumps({"msg": "hello"}))
        assert 'data-scene="wall"' in proj.receive_text()  # the demo shows the live wall
        fac.send_text(json.dumps({"msg": "hello"}))
        fac.receive_text()
        shows = {
            ("plan", None): 'id="plan-by-name"',
            ("note", note_id): "Seddel nummer 0",
            ("table", table_no): f'data-paged="table-{table_no}"',
            ("now", None): 'id="now-block"',
            ("wall", None): "Seddel nummer 1",
        }
        for (name, ref), shown in shows.items():
            fac.send_text(scene(name, ref))
            view = receive_until(proj, f'data-scene="{name}"')
            assert shown in view
            assert scene_of(settings, aid)[:2] == (name, ref)
        # choosing the scene already shown writes nothing
        seq = scene_of(settings, aid)[2]
        fac.send_text(scene("wall"))
        fac.send_text(scene("nonsense"))
        receive_until(fac, 'data-code="bad_scene"', limit=50)
        assert scene_of(settings, aid)[2] == seq


@pytest.mark.parametrize(
    "message",
    [
        scene("nonsense"),
        scene("note"),  # a note scene needs its note
        scene("note", 10_000),  # no such note
        scene("table", 99),  # no such table
        scene("wall", 3),  # a ref where none belongs
        scene("spotlight"),  # nothing in the spotlight
    ],
)
def test_bad_scenes_are_refused_and_change_nothing(
    app, demo, settings, facilitator_client, message
) -> None:
    aid = demo["assembly_id"]
    before = scene_of(settings, aid)
    with facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fac:
        fac.send_text(json.dumps({"msg": "hello"}))
        fac.receive_text()
        fac.send_text(message)
        assert 'data-code="bad_scene"' in receive_until(fac, 'id="errors"')
    assert scene_of(settings, aid) == before


def test_a_hidden_note_cannot_be_put_on_the_big_screen(
    app, demo, settings, facilitator_client
) -> None:
    write_notes(app, demo, 1)
    aid = demo["assembly_id"]
    with session_scope(make_engine(settings.database_url), write=True) as db:
        hidden = db.exec(select(Note)).first()
        hidden.hidden = True
        db.add(hidden)
        note_id = hidden.id
    with facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fac:
        fac.send_text(json.dumps({"msg": "hello"}))
        fac.receive_text()
        fac.send_text(scene("note", note_id))
        assert 'data-code="bad_scene"' in receive_until(fac, 'id="errors"')
    assert scene_of(settings, aid)[0] == "wall"


def test_participants_and_the_projector_cannot_switch_scenes(app, demo, settings) -> None:
    aid = demo["assembly_id"]
    before = scene_of(settings, aid)
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        ws.send_text(json.dumps({"msg": "hello"}))
        ws.receive_text()
        ws.send_text(scene("wall"))
        assert 'data-code="not_allowed"' in receive_until(ws, 'id="errors"')
    with (
        TestClient(app, base_url=ORIGIN) as screen,
        screen.websocket_connect(projector_path(demo), headers=WS) as proj,
    ):
        proj.send_text(json.dumps({"msg": "hello"}))
        proj.receive_text()
        proj.send_text(scene("wall"))
        assert 'data-code="not_allowed"' in receive_until(proj, 'id="errors"')
    assert scene_of(settings, aid)[:2] == before[:2]  # (the phone's presence wrote events)


def test_publishing_a_round_puts_the_plan_on_the_big_screen(app, demo, settings) -> None:
    from app.rounds import do_publish
    from app.seating import next_number, store_round

    aid = demo["assembly_id"]
    engine = make_engine(settings.database_url)
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        ids = [m.id for m in db.exec(select(Member).where(Member.assembly_id == aid))]
        draft = store_round(db, assembly, next_number(db, aid), [ids[:3], ids[3:]], set())
        draft_id = draft.id
    seq = scene_of(settings, aid)[2]
    with session_scope(engine, write=True) as db:
        do_publish(db, db.get(Assembly, aid), draft_id)
    with session_scope(engine) as db:
        kinds = [(e.kind, e.payload) for e in events_after(db, aid, seq)]
    assert [k for k, _ in kinds] == ["seating", "settings"]
    assert kinds[1][1]["settings"]["scene"] == "plan"
    assert scene_of(settings, aid)[:2] == ("plan", None)


def test_the_spotlight_takes_the_big_screen_and_gives_it_back_to_the_wall(
    app, demo, settings
) -> None:
    from app.agenda import do_spotlight

    aid = demo["assembly_id"]
    engine = make_engine(settings.database_url)
    spot = {"kind": "theme", "title": "Mobilitet", "lines": ["Busser"], "ask": "", "ref": 1}
    with session_scope(engine, write=True) as db:
        do_spotlight(db, db.get(Assembly, aid), spot)
    assert scene_of(settings, aid)[0] == "spotlight"
    with session_scope(engine, write=True) as db:
        do_spotlight(db, db.get(Assembly, aid), None)
    assert scene_of(settings, aid)[0] == "wall"


def test_the_projector_page_has_the_join_code_and_qr(client, demo) -> None:
    page = client.get(path_of(demo["projector_url"])).text
    assert "/static/js/projector.js" in page and "/static/css/projector.css" in page
    assert demo["assembly_code"] in page and "<svg" in page
    assert "style=" not in page.split("<body", 1)[1]  # the CSP allows no inline style


def test_the_console_switch_says_which_scene_is_live(app, demo, settings) -> None:
    from dataclasses import replace

    from app.snapshot import load_room
    from app.templating import render_fragment
    from app.views import Viewer

    with session_scope(make_engine(settings.database_url)) as db:
        state = load_room(db, demo["assembly_id"])
    viewer = Viewer("facilitator", "da", demo["assembly_id"], facilitator_id=1)
    for name, ref in (("now", None), ("wall", None), ("plan", None), ("table", 1)):
        live = replace(state, settings=replace(state.settings, scene=name, scene_ref=ref))
        html = render_fragment("da", "live/scene_switch.html", state=live, viewer=viewer)
        pressed = re.findall(
            r'value="(\w+)">\s*(?:<label[^>]*>.*?</label>\s*)?<button[^>]*aria-pressed="true"',
            html,
            re.S,
        )
        assert pressed == [name], (name, pressed)
        assert "Storskærm:" in html
    # nothing in the spotlight: its button cannot be pressed
    assert re.search(r'value="spotlight">\s*<button[^>]*disabled', html)

"""The programme through its contract: `samling demo --stage questions`, the phone's question
form and ack, resend, upvotes (one per member), the projector's order by votes, moderation
(approve, merge, answered, park, the written answer), self check-in with the projector's code,
the attendance CSV, material bounds and downloads, the public programme, equivalence."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.db import make_engine, session_scope
from app.models import Assembly, AssemblySession, Event, Facilitator, Member
from app.programme import actions
from app.programme.models import Attendance, Question, Upvote
from app.snapshot import load_room
from tests.app.test_cli_demo import run_cli
from tests.app.test_hub import WS, assert_events_rebuild_snapshot, hello, phone, receive_until
from tests.conftest import ORIGIN, csrf_of, path_of

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def demo(settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from app.demo import create_demo

    return create_demo(settings, members=8, seed=5, stage="questions")


def question(key: str, text: str) -> str:
    return json.dumps(
        {"msg": "question", "text": text, "client_key": key, "HEADERS": {"HX-Request": "true"}}
    )


def upvote(question_id: int | str) -> str:
    return json.dumps({"msg": "upvote", "question_id": str(question_id)})


def forms_of(html: str, msg: str) -> list[dict[str, str]]:
    """Each ws-send form's fields for ``msg``, read from the HTML as an outside check would."""
    found = []
    for form in re.findall(r"<form[^>]*ws-send[^>]*>.*?</form>", html, re.S):
        fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
        if fields.get("msg") != msg:
            continue
        fields.update({n: "" for n in re.findall(r'<textarea[^>]*name="(\w+)"', form)})
        found.append(fields)
    return found


def projector_order(html: str) -> list[tuple[int, int]]:
    """(question id, votes) of the projector's listed questions, in page order."""
    return [
        (int(q), int(v))
        for q, v in re.findall(r'data-question-id="(\d+)" data-votes="(\d+)"', html)
    ]


def projector_path(demo: dict) -> str:  # type: ignore[type-arg]
    return path_of(demo["projector_url"]).replace("/projector", "/ws/projector")


def test_demo_stage_questions_cli_leaves_an_open_talk_with_the_question_form(
    tmp_path: Path,
) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "demo", "--members", "5", "--json", "--stage", "questions")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["members"]) == 5
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with session_scope(engine) as db:
        assembly = db.get(Assembly, data["assembly_id"])
        assert assembly is not None and assembly.scene == "questions"
        assert assembly.moderation == "open"  # questions reach the projector unapproved
        item = actions.talk_item(db, assembly)
        assert item is not None and item.kind == "talk" and item.state == "open"
    engine.dispose()


def test_question_form_ack_resend_upvote_and_projector_order(app, demo, settings) -> None:
    a, b, c = demo["members"][:3]
    with (
        TestClient(app, base_url=ORIGIN) as screen,
        screen.websocket_connect(projector_path(demo), headers=WS) as proj,
        phone(app, a) as pa,
        pa.websocket_connect("/ws/participant", headers=WS) as wa,
        phone(app, b) as pb,
        pb.websocket_connect("/ws/participant", headers=WS) as wb,
        phone(app, c) as pc,
        pc.websocket_connect("/ws/participant", headers=WS) as wc,
    ):
        proj.send_text(json.dumps({"msg": "hello", "cursor": None}))
        assert 'data-scene="questions"' in proj.receive_text()
        snapshot = hello(wa)
        hello(wb)
        hello(wc)
        (form,) = forms_of(snapshot, "question")
        assert set(form) >= {"msg", "text", "client_key"}
        wa.send_text(question("qa-key-0001", "Hvad koster en varmepumpe?"))
        ack = receive_until(wa, r'id="question-qa-key-0001"')
        assert re.search(r'<li id="question-qa-key-0001" class="question saved', ack)
        # the same key again: the same ack, one stored question, no new event
        with session_scope(make_engine(settings.database_url)) as db:
            seq = db.get(Assembly, demo["assembly_id"]).last_seq
        wa.send_text(question("qa-key-0001", "Hvad koster en varmepumpe?"))
        again = receive_until(wa, r'id="question-qa-key-0001"')
        assert 'class="question saved' in again
        wb.send_text(question("qb-key-0001", "Hvor kommer strømmen fra?"))
        receive_until(wb, r'id="question-qb-key-0001"')
        wc.send_text(question("qc-key-0001", "Kan kommunen hjælpe med isolering?"))
        receive_until(wc, r'id="question-qc-key-0001"')
        with Session(make_engine(settings.database_url)) as db:
            rows = list(db.exec(select(Question).order_by(Question.id)))
            assert [q.text for q in rows][:1] == ["Hvad koster en varmepumpe?"]
            assert len(rows) == 3
            ids = [q.id for q in rows]
            events = list(
                db.exec(
                    select(Event).where(
                        Event.assembly_id == demo["assembly_id"],
                        Event.seq > seq,
                        Event.kind == "question",
                    )
                )
            )
            assert len(events) == 2  # b's and c's: the resend wrote nothing
        # every phone lists the room's questions, each with an upvote form
        listed = receive_until(wc, r'(?s)id="programme-live".*qc-key-0001')
        upvotes = forms_of(listed, "upvote")
        assert {int(f["question_id"]) for f in upvotes} == set(ids)
        # c's question gets two upvotes, b's one; a repeat changes nothing
        for ws in (wa, wb):
            ws.send_text(upvote(ids[2]))
        wa.send_text(upvote(ids[1]))
        wa.send_text(upvote(ids[1]))
        order = []
        for _ in range(30):
            frame = proj.receive_text()
            if 'data-scene="questions"' in frame:
                order = projector_order(frame)
                if order and order[0] == (ids[2], 2) and (ids[1], 1) in order:
                    break
        assert order == [(ids[2], 2), (ids[1], 1), (ids[0], 0)]
        votes = [v for _q, v in order]
        assert votes == sorted(votes, reverse=True)
    with Session(make_engine(settings.database_url)) as db:
        assert len(list(db.exec(select(Upvote)))) == 3


def test_moderation_merge_answered_park_and_approve_mode(app, demo, settings) -> None:
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    ids = [m["id"] for m in demo["members"]]
    with session_scope(engine, write=True) as db:
        members = [db.get(Member, i) for i in ids]
        q = [
            actions.do_add_question(db, members[i], text, f"mod-key-000{i}").question.id
            for i, text in enumerate(
                [
                    "Hvad koster en varmepumpe til et parcelhus?",
                    "Hvad koster en varmepumpe til et hus?",
                    "Hvem betaler for nye cykelstier?",
                ]
            )
        ]
        for m in members[3:6]:
            actions.do_upvote(db, m, q[1])
        actions.do_upvote(db, members[6], q[0])
    with session_scope(engine) as db:
        room = load_room(db, aid).programme
        pairs = actions.duplicate_suggestions(room, room.questions[q[0]].item_id)
    assert pairs and (pairs[0][0].id, pairs[0][1].id) == (q[0], q[1])
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        actions.do_moderate_question(db, assembly, q[1], "merge", into=q[0])
        actions.do_moderate_question(db, assembly, q[2], "park", owner="Lise")
    with session_scope(engine) as db:
        room = load_room(db, aid).programme
        # the merged question's upvotes count for the one it went into (each member once)
        assert room.votes(q[0]) == 4
        assert [x.id for x in room.for_item(room.questions[q[0]].item_id, ("approved",))] == [q[0]]
        assert [p.text for p in actions.parking_of(db, aid)] == ["Hvem betaler for nye cykelstier?"]
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        actions.do_moderate_question(db, assembly, q[0], "answered")
        actions.do_moderate_question(
            db, assembly, q[2], "answer", answer="Staten og kommunen deler.", public=True
        )
        with pytest.raises(actions.ActionError):
            actions.do_upvote(db, db.get(Member, ids[7]), q[0])  # answered: no more upvotes
        assembly.moderation = "approve"
        db.add(assembly)
        pending = actions.do_add_question(db, db.get(Member, ids[7]), "Et nyt?", "mod-key-0009")
        assert pending.question.status == "pending"
    client = TestClient(app, base_url=ORIGIN)
    page = client.get(f"/a/{demo['assembly_code']}").text
    assert "Staten og kommunen deler." in page  # the public answer
    assert "Forbrug og klima: baggrundsnotat" in page  # the public material


def test_self_check_in_with_the_projectors_code(app, demo, settings) -> None:
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        gathering = actions.gatherings_of(db, aid)[0]
        actions.do_open_self_checkin(db, assembly, gathering.id, code="4711")
    with (
        TestClient(app, base_url=ORIGIN) as screen,
        screen.websocket_connect(projector_path(demo), headers=WS) as proj,
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        proj.send_text(json.dumps({"msg": "hello", "cursor": None}))
        assert "4711" in proj.receive_text()
        snapshot = hello(ws)
        assert 'name="msg" value="checkin"' in snapshot and "4711" not in snapshot
        ws.send_text(json.dumps({"msg": "checkin", "code": "1234"}))
        assert 'data-code="wrong_code"' in receive_until(ws, "wrong_code")
        ws.send_text(json.dumps({"msg": "checkin", "code": "47 11"}))
        done = receive_until(ws, 'id="checked-in"')
        assert 'value="checkin"' not in done
    with session_scope(engine) as db:
        (row,) = list(db.exec(select(Attendance)))
        assert row.member_id == demo["members"][0]["id"] and row.method == "phone"


def test_attendance_csv_clamped_hours_and_totals(app, demo, settings, facilitator_client) -> None:
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    ids = [m["id"] for m in demo["members"]]
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        first, second = actions.gatherings_of(db, aid)[:2]
        start = actions.local_dt(first.day, time(9, 0))
        # member 0: 08:30–12:00 (counts from 09:00: 3 h); member 1: 10:00–17:00 (to 16:00: 6 h)
        actions.do_check_in(db, assembly, first.id, ids[0], now=start - timedelta(minutes=30))
        actions.do_check_out(db, assembly, first.id, ids[0], now=start + timedelta(hours=3))
        actions.do_check_in(db, assembly, first.id, ids[1], now=start + timedelta(hours=1))
        actions.do_check_out(db, assembly, first.id, ids[1], now=start + timedelta(hours=8))
        actions.do_adjust_hours(db, assembly, None, second.id, ids[0], 120, "Kom til eftermiddagen")
        with pytest.raises(actions.ActionError):
            actions.do_adjust_hours(db, assembly, None, second.id, ids[0], 60, "  ")
    response = facilitator_client.get(f"/f/a/{aid}/attendance.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    codes = {m["id"]: m["code"] for m in demo["members"]}
    by = {(r["member_code"], r["gathering_id"]): r for r in rows}
    assert by[(codes[ids[0]], str(first.id))]["minutes"] == "180"
    arrived = by[(codes[ids[0]], str(first.id))]["checked_in"]
    assert arrived.startswith(f"{first.day.isoformat()}T08:30")
    assert by[(codes[ids[1]], str(first.id))]["hours"] == "6.00"
    assert by[(codes[ids[0]], str(second.id))]["adjusted_reason"] == "Kom til eftermiddagen"
    assert by[(codes[ids[0]], "total")]["minutes"] == "300"
    assert by[(codes[ids[1]], "total")]["minutes"] == "360"
    assert by[(codes[ids[2]], "total")]["minutes"] == "0"
    gatherings = {r["gathering_id"] for r in rows} - {"total"}
    assert len(rows) == len(ids) * (len(gatherings) + 1)  # one per member and gathering + total
    assert TestClient(app, base_url=ORIGIN).get(
        f"/f/a/{aid}/attendance.csv", follow_redirects=False
    ).status_code in (302, 303, 401, 403)
    page = facilitator_client.get(f"/f/a/{aid}/attendance?g={first.id}").text
    assert 'id="att-search"' in page and f'id="att-{ids[0]}"' in page


def test_check_in_by_list_and_by_scanned_join_card(app, demo, settings, facilitator_client):  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    engine = make_engine(settings.database_url)
    with session_scope(engine) as db:
        gathering = actions.current_gathering(db, aid, datetime.now().astimezone())
    token = csrf_of(facilitator_client, f"/f/a/{aid}/attendance")
    one = facilitator_client.post(
        f"/f/a/{aid}/attendance/act",
        data={
            "csrf_token": token,
            "action": "in",
            "session_id": gathering.id,
            "member_id": demo["members"][0]["id"],
        },
        headers={"HX-Request": "true"},
    )
    assert one.status_code == 200 and 'class="att-row present' in one.text
    scanned = facilitator_client.post(
        f"/f/a/{aid}/attendance/scan",
        data={
            "csrf_token": token,
            "session_id": gathering.id,
            "scanned": demo["members"][1]["join_url"],
        },
    )
    assert 'data-code="ok"' in scanned.text and demo["members"][1]["name"] in scanned.text
    bad = facilitator_client.post(
        f"/f/a/{aid}/attendance/scan",
        data={"csrf_token": token, "session_id": gathering.id, "scanned": ORIGIN + "/join/nope"},
    )
    assert 'data-code="unknown_card"' in bad.text
    with session_scope(engine) as db:
        methods = {r.member_id: r.method for r in db.exec(select(Attendance))}
    assert methods == {demo["members"][0]["id"]: "list", demo["members"][1]["id"]: "scan"}


def test_material_bounds_and_downloads(app, demo, settings, facilitator_client) -> None:
    aid = demo["assembly_id"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}/programme")

    def upload(name: str, data: bytes, public: bool = False):  # type: ignore[no-untyped-def]
        fields = {"csrf_token": token, "action": "material", "title": f"Fil {name}"}
        if public:
            fields["public"] = "1"
        return facilitator_client.post(
            f"/f/a/{aid}/programme/act",
            data=fields,
            files={"file": (name, data, "application/octet-stream")},
            follow_redirects=False,
        )

    assert "error=file_type" in upload("evil.html", b"<script>x</script>").headers["location"]
    assert "error=file_type" in upload("fake.pdf", b"<html>").headers["location"]
    big = upload("big.pdf", b"%PDF" + b"0" * (actions.MAX_FILE + 10))
    assert "error=" in big.headers["location"]
    ok = upload('rapport "1".pdf', b"%PDF-1.4 data", public=True)
    assert "done=material" in ok.headers["location"]
    with session_scope(make_engine(settings.database_url)) as db:
        material = [m for m in actions.materials_of(db, aid) if m.filename][0]
    public = TestClient(app, base_url=ORIGIN).get(
        f"/a/{demo['assembly_code']}/material/{material.id}"
    )
    assert public.status_code == 200 and public.content == b"%PDF-1.4 data"
    assert public.headers["content-type"] == "application/pdf"
    assert public.headers["content-disposition"].startswith("attachment;")
    assert '"' not in public.headers["content-disposition"].split('filename="')[1].split('";')[0]
    with phone(app, demo["members"][0]) as p:
        assert p.get(f"/p/material/{material.id}").status_code == 200
        page = p.get("/p/programme").text
        assert "Fil rapport" in page and "Mette Sørensen" in page
    assert TestClient(app, base_url=ORIGIN).get(f"/p/material/{material.id}").status_code == 403


def test_console_pages_render_with_tabs(app, demo, facilitator_client) -> None:
    aid = demo["assembly_id"]
    for path in ("programme", "attendance", "questions"):
        page = facilitator_client.get(f"/f/a/{aid}/{path}")
        assert page.status_code == 200, path
        assert 'data-section="programme" aria-current="page"' in page.text  # one tab, three pages
        assert f'href="/f/a/{aid}/{path}" aria-current="page"' in page.text


def test_equivalence_for_programme_events(app, demo, settings) -> None:
    """apply(events, snapshot before) == snapshot after, for every programme action."""
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    ids = [m["id"] for m in demo["members"]]

    def check(action) -> None:  # type: ignore[no-untyped-def]
        assert_events_rebuild_snapshot(engine, aid, action)

    def assembly(db):  # type: ignore[no-untyped-def]
        return db.get(Assembly, aid)

    def member(db, i=0):  # type: ignore[no-untyped-def]
        return db.get(Member, ids[i])

    def gathering(db):  # type: ignore[no-untyped-def]
        return actions.gatherings_of(db, aid)[0].id

    check(lambda db: actions.do_add_question(db, member(db), "Hvad med bussen?", "eq-key-0001"))
    check(lambda db: actions.do_add_question(db, member(db, 1), "Og bussen?", "eq-key-0002"))
    with session_scope(engine) as db:
        q1, q2 = [q.id for q in actions.questions_of(db, aid)][:2]
    check(lambda db: actions.do_upvote(db, member(db, 2), q1))
    check(lambda db: actions.do_upvote(db, member(db, 3), q2))
    check(lambda db: actions.do_moderate_question(db, assembly(db), q2, "merge", into=q1))
    check(lambda db: actions.do_moderate_question(db, assembly(db), q2, "reopen"))
    for verb in ("hide", "approve", "answered", "park"):
        check(lambda db, v=verb: actions.do_moderate_question(db, assembly(db), q1, v))
    check(lambda db: actions.do_moderate_question(db, assembly(db), q1, "answer", answer="Ja."))
    check(lambda db: actions.do_check_in(db, assembly(db), gathering(db), ids[0]))
    check(lambda db: actions.do_check_out(db, assembly(db), gathering(db), ids[0]))
    check(lambda db: actions.do_check_in(db, assembly(db), gathering(db), ids[0], "scan"))
    check(lambda db: actions.do_open_self_checkin(db, assembly(db), gathering(db), "1234"))
    check(lambda db: actions.do_self_check_in(db, member(db, 4), "1234"))
    check(lambda db: actions.do_open_self_checkin(db, assembly(db), None))
    check(
        lambda db: actions.do_adjust_hours(db, assembly(db), None, gathering(db), ids[0], 60, "x")
    )
    check(lambda db: actions.do_add_parking(db, assembly(db), "Parkering ved rådhuset", "Lise"))
    check(lambda db: actions.do_add_wish(db, member(db), "En trafikforsker"))
    check(
        lambda db: actions.do_record_replacement(
            db, assembly(db), ids[5], ids[6], gathering(db), "reserve 1"
        )
    )
    check(
        lambda db: actions.do_save_expert(
            db, assembly(db), "Ib Holm", "Borgmester", "", "stakeholder", True
        )
    )
    with session_scope(engine) as db:
        facilitators = list(db.exec(select(Facilitator)))
        assert facilitators  # the demo's account
        sessions = list(db.exec(select(AssemblySession)))
        assert len(sessions) >= 2

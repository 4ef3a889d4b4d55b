"""Roles per assembly (issue 12, point 4): every route and every facilitator message kind, with
every role; invitations; the migration that keeps an upgraded install as it was."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app import roles
from app.clock import utcnow
from app.db import make_engine, session_scope
from app.dispatch import HANDLERS
from app.logs import redact
from app.members import create_assembly
from app.migrate import upgrade
from app.models import Facilitator, Invitation, Membership
from app.security import hash_password
from tests.conftest import ORIGIN, csrf_of, login

pytestmark = pytest.mark.timeout(240)

WS = {"origin": ORIGIN}
PASSWORD = "korrekt hest batteri hæfteklamme"

# Every route of the app and who may use it: the test's own table, written by hand, so that a
# route added without deciding who may use it fails here (and a changed app/roles.py is seen).
#   public: anyone (no account); account: any signed-in account; the others: a role in the
#   assembly of the path (organise: organiser; room: + lead facilitator; table: + the table
#   facilitator of that table; observe: + observer).
F = "/f/a/{assembly_id:int}"
EXPECTED: dict[str, str] = {
    "WS /ws/participant": "public",
    "WS /ws/facilitator/{assembly_id:int}": "table",
    "WS /ws/projector/{assembly_id:int}/{token:str}": "public",
    "GET /": "public",
    "GET /healthz": "public",
    "GET /projector/{assembly_id:int}/{token:str}": "public",
    "GET /a/{code:str}": "public",
    "GET /join/{token:str}": "public",
    "GET /join": "public",
    "POST /join": "public",
    "GET /p": "public",
    "POST /lang": "public",
    "GET /login": "public",
    "POST /login": "public",
    "POST /logout": "public",
    "GET /invite": "public",
    "POST /invite": "public",
    "GET /invite/{code:str}": "public",
    "POST /invite/{code:str}": "public",
    "GET /p/drafts": "public",
    "POST /p/drafts/{draft_id:int}": "public",
    "GET /a/{code:str}/lottery": "public",
    "GET /a/{code:str}/lottery.csv": "public",
    "GET /a/{code:str}/results.json": "public",
    "GET /a/{code:str}/feed.atom": "public",
    "GET /observe/{assembly_id:int}/{token:str}": "public",
    "GET /p/survey/{survey_id:int}": "public",
    "POST /p/survey/{survey_id:int}": "public",
    "GET /p/programme": "public",
    "POST /p/programme/wish": "public",
    "GET /p/material/{material_id:int}": "public",
    "GET /a/{code:str}/material/{material_id:int}": "public",
    "GET /f": "account",
    "POST /f/assemblies": "account",
    "GET /f/me": "account",
    "POST /f/me": "account",
    f"GET {F}": "room",
    f"GET {F}/runsheet": "room",
    f"GET {F}/settings": "room",
    f"POST {F}/edit": "organise",
    f"POST {F}/sessions": "room",
    f"POST {F}/sessions/{{session_id:int}}/delete": "room",
    f"POST {F}/members/import": "organise",
    f"GET {F}/members": "organise",
    f"POST {F}/members": "organise",
    f"GET {F}/members/{{member_id:int}}": "organise",
    f"POST {F}/members/{{member_id:int}}": "organise",
    f"POST {F}/members/{{member_id:int}}/{{action:str}}": "organise",
    f"POST {F}/projector/revoke": "room",
    f"GET {F}/cards": "organise",
    f"POST {F}/sessions/{{session_id:int}}/items": "room",
    f"POST {F}/items/{{item_id:int}}/edit": "room",
    f"POST {F}/items/{{item_id:int}}/move": "room",
    f"POST {F}/items/{{item_id:int}}/delete": "room",
    f"GET {F}/table/{{table_no:int}}": "table",
    f"GET {F}/notes.csv": "organise",
    f"GET {F}/team": "organise",
    f"POST {F}/team/invite": "organise",
    f"POST {F}/team/{{membership_id:int}}": "organise",
    f"POST {F}/team/invitations/{{invitation_id:int}}/revoke": "organise",
    f"GET {F}/observe": "observe",
    f"GET {F}/rounds": "room",
    f"POST {F}/rounds/checkin": "room",
    f"POST {F}/rounds/plan": "room",
    f"POST {F}/rounds/{{round_id:int}}/move": "room",
    f"POST {F}/rounds/{{round_id:int}}/publish": "room",
    f"POST {F}/rounds/replan": "room",
    f"GET {F}/themes": "room",
    f"POST {F}/themes/{{item_id:int}}": "room",
    f"GET {F}/notes/{{note_id:int}}": "room",
    f"GET {F}/drafts": "room",
    f"POST {F}/drafts": "room",
    f"GET {F}/drafts/{{draft_id:int}}": "room",
    f"POST {F}/drafts/{{draft_id:int}}": "room",
    f"GET {F}/drafts/{{draft_id:int}}/provenance": "room",
    f"GET {F}/drafts.{{fmt:str}}": "organise",
    f"GET {F}/lottery": "organise",
    f"POST {F}/lottery/upload": "organise",
    f"POST {F}/lottery/run": "organise",
    f"GET {F}/lottery/progress": "organise",
    f"POST {F}/lottery/draw": "organise",
    f"POST {F}/lottery/replace": "organise",
    f"POST {F}/lottery/cancel": "organise",
    f"POST {F}/lottery/confirm": "organise",
    f"POST {F}/lottery/delete": "organise",
    f"GET {F}/lottery/contacts.csv": "organise",
    f"GET {F}/lottery/panels.txt": "organise",
    f"GET {F}/lottery/audit": "organise",
    f"GET {F}/lottery/audit.csv": "organise",
    f"GET {F}/ballot": "room",
    f"GET {F}/ballot/turnout": "room",
    f"POST {F}/ballot/act": "room",
    f"GET {F}/ballot/{{ballot_id:int}}/results.csv": "organise",
    f"GET {F}/record": "organise",
    f"POST {F}/record/act": "organise",
    f"GET {F}/record/report": "organise",
    f"GET {F}/programme": "room",
    f"POST {F}/programme/act": "room",
    f"GET {F}/programme/material/{{material_id:int}}": "room",
    f"GET {F}/attendance": "room",
    f"POST {F}/attendance/act": "room",
    f"POST {F}/attendance/scan": "room",
    f"GET {F}/attendance.csv": "organise",
    f"GET {F}/questions": "room",
    f"POST {F}/questions/act": "room",
}

# who passes each capability (the table facilitator at their own table: table 1)
PASSES = {
    "organise": {"organiser"},
    "room": {"organiser", "lead"},
    "table": {"organiser", "lead", "table"},
    "observe": {"organiser", "lead", "table", "observer"},
    "account": {"organiser", "lead", "table", "observer", "other"},
}
PEOPLE = ("organiser", "lead", "table", "observer", "other", "anonymous")

# A valid example of every facilitator message kind (app/dispatch.py's role table).
MESSAGES: dict[str, dict[str, Any]] = {
    "note_hide": {"note_id": 999999, "hidden": True},
    "note_moderate": {"note_id": 999999, "action": "hide"},
    "item_open": {"item_id": 999999},
    "item_close": {"item_id": 999999},
    "timer_adjust": {"item_id": 999999, "minutes": 1},
    "paper_note": {"table_no": 1, "kind": "value", "text": "På papir", "client_key": "paper-0001"},
    "room_settings": {"moderation": "open"},
    "spotlight_clear": {},
    "scene": {"scene": "wall"},
}
TABLE_MAY = {"paper_note"}  # what a table facilitator may send (for their own table)


def _account(db: Any, email: str) -> Facilitator:
    user = Facilitator(
        email=email,
        name=email.split("@")[0],
        password_hash=hash_password(PASSWORD),
        created_at=utcnow(),
    )
    db.add(user)
    db.flush()
    return user


@pytest.fixture
def world(app, demo, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo assembly A (the demo account organises it) with a lead facilitator, a table
    facilitator of table 1, an observer; and an assembly B organised by another account."""
    engine = make_engine(settings.database_url)
    a = demo["assembly_id"]
    with session_scope(engine, write=True) as db:
        accounts = {}
        for role in ("lead", "table", "observer", "other"):
            user = _account(db, f"{role}@example.org")
            assert user.id is not None
            accounts[role] = user.id
            if role != "other":
                roles.grant(db, a, user.id, role, "1" if role == "table" else "")
        b = create_assembly(db, "Anden borgersamling", "Noget andet")
        assert b.id is not None
        roles.grant(db, b.id, accounts["other"], "organiser")
        b_id = b.id
    engine.dispose()
    emails = {role: f"{role}@example.org" for role in accounts}
    return {"a": a, "b": b_id, "code": demo["assembly_code"], "emails": emails, "demo": demo}


@contextlib.contextmanager
def clients(app, world) -> Iterator[dict[str, TestClient]]:  # type: ignore[no-untyped-def]
    with contextlib.ExitStack() as stack:
        out = {}
        for who in PEOPLE:
            c = stack.enter_context(TestClient(app, base_url=ORIGIN))
            if who == "organiser":
                login(
                    c,
                    world["demo"]["facilitator"]["email"],
                    world["demo"]["facilitator"]["password"],
                )
            elif who != "anonymous":
                login(c, world["emails"][who], PASSWORD)
            out[who] = c
        yield out


def _app_routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(key, method, path template) of every route the app serves."""
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                found.append((f"{method} {route.path}", method, route.path))
        elif isinstance(route, WebSocketRoute):
            found.append((f"WS {route.path}", "WS", route.path))
    return found


def _fill(path: str, world: dict[str, Any], table_no: int = 1) -> str:
    values = {
        "assembly_id": str(world["a"]),
        "table_no": str(table_no),
        "code": world["code"],
        "token": "x" * 20,
        "fmt": "csv",
        "action": "deactivate",
    }

    def one(match: re.Match[str]) -> str:
        return values.get(match.group(1), "999999")  # other ids: none such

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, path)


def test_every_route_has_a_decision(app) -> None:  # type: ignore[no-untyped-def]
    keys = {key for key, _m, _p in _app_routes(app)}
    assert keys - EXPECTED.keys() == set(), "a route nobody decided who may use"
    assert EXPECTED.keys() - keys == set(), "a route in this table that the app does not serve"
    # and the app's own map says the same as this table for every route that needs an account
    for key, expected in EXPECTED.items():
        if expected != "public":
            assert roles.ROUTES.get(key) == expected, key


def _call(client: TestClient, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(path, follow_redirects=False, headers={"accept": "text/html"})
    token = csrf_of(client, "/login")
    return client.post(
        path,
        data={"csrf_token": token},
        follow_redirects=False,
        headers={"accept": "text/html", "x-csrf-token": token},
    )


def test_every_route_with_every_role(app, world) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    with clients(app, world) as c:
        for key, method, template in _app_routes(app):
            need = EXPECTED[key]
            if need == "public" or method == "WS":
                continue
            path = _fill(template, world)
            for who in PEOPLE:
                response = _call(c[who], method, path)
                status, location = response.status_code, response.headers.get("location", "")
                if who == "anonymous":
                    if method == "GET":
                        assert status == 303 and location.startswith("/login"), (key, status)
                    else:
                        assert status == 403, (key, status)
                elif who in PASSES[need]:
                    assert status not in (403, 500), (key, who, status)
                    assert not location.startswith("/login"), (key, who)
                else:
                    assert status == 403, (key, who, status)
                    if method == "GET":  # the 403 page, in the viewer's language
                        assert "Din rolle i denne borgersamling giver ikke lov til det" in (
                            response.text
                        ), key
                checked += 1
            if "{table_no" in template:  # the table facilitator at another table: refused
                other = _fill(template, world, table_no=2)
                assert _call(c["table"], method, other).status_code == 403
                assert _call(c["lead"], method, other).status_code == 200
    assert checked > 400


def test_assembly_list_shows_only_ones_own(app, world) -> None:  # type: ignore[no-untyped-def]
    with clients(app, world) as c:
        mine = c["other"].get("/f").text
        assert "Anden borgersamling" in mine and world["demo"]["facilitator"]["email"] not in mine
        assert f'href="/f/a/{world["a"]}"' not in mine
        lead = c["lead"].get("/f").text
        assert f'href="/f/a/{world["a"]}"' in lead and "Anden borgersamling" not in lead
        table = c["table"].get("/f").text
        assert f'href="/f/a/{world["a"]}/table/1"' in table
        observer = c["observer"].get("/f").text
        assert f'href="/f/a/{world["a"]}/observe"' in observer
        # the lead's console shows only the sections of the room
        console = c["lead"].get(f"/f/a/{world['a']}").text
        assert 'data-section="runsheet"' in console and 'data-section="lottery"' not in console
        assert 'data-section="members"' not in console
        organiser = c["organiser"].get(f"/f/a/{world['a']}").text
        assert 'data-section="lottery"' in organiser and 'data-section="members"' in organiser


def _hello(ws) -> str:  # type: ignore[no-untyped-def]
    ws.send_text(json.dumps({"msg": "hello"}))
    return str(ws.receive_text())


def _opens(client: TestClient, path: str) -> bool:
    try:
        with client.websocket_connect(path, headers=WS) as ws:
            _hello(ws)
            return True
    except WebSocketDisconnect:
        return False


def _answer(ws, msg: str, fields: dict[str, Any] | None = None) -> str:  # type: ignore[no-untyped-def]
    """The error code the message got ('' if none). A frame over 64 KiB, sent after it, is
    answered with too_large, which no message here gets: it marks the end of the answer."""
    ws.send_text(json.dumps({**(fields or {}), "msg": msg}))
    ws.send_text("x" * (64 * 1024 + 1))
    codes: list[str] = []
    for _ in range(50):
        codes += re.findall(r'data-code="(\w+)"', ws.receive_text())
        if codes and codes[-1] == "too_large":
            break
    codes.pop()  # the marker's
    return codes[0] if codes else ""


def test_facilitator_socket_with_every_role(app, world) -> None:  # type: ignore[no-untyped-def]
    a = world["a"]
    base = f"/ws/facilitator/{a}"
    opens = {
        "organiser": (True, True, True),
        "lead": (True, True, True),
        "table": (False, True, False),  # no table, own table, another table
        "observer": (False, False, False),
        "other": (False, False, False),
        "anonymous": (False, False, False),
    }
    with clients(app, world) as c:
        for who, expected in opens.items():
            got = tuple(_opens(c[who], p) for p in (base, f"{base}?table=1", f"{base}?table=2"))
            assert got == expected, who
        # the board/drafts page signal socket is the room's: a table facilitator gets a table view
        assert _opens(c["other"], f"/ws/facilitator/{world['b']}")


def test_every_facilitator_message_with_every_role(app, world) -> None:  # type: ignore[no-untyped-def]
    kinds = {kind for kind, (_s, allowed, _w) in HANDLERS.items() if "facilitator" in allowed}
    assert kinds == MESSAGES.keys(), "a facilitator message kind without an example here"
    a = world["a"]
    with clients(app, world) as c:
        for who, path in (
            ("organiser", f"/ws/facilitator/{a}"),
            ("lead", f"/ws/facilitator/{a}"),
            ("table", f"/ws/facilitator/{a}?table=1"),
        ):
            with c[who].websocket_connect(path, headers=WS) as ws:
                _hello(ws)
                for kind, fields in MESSAGES.items():
                    code = _answer(ws, kind, fields)
                    allowed = who != "table" or kind in TABLE_MAY
                    assert (code != "not_your_role") == allowed, (who, kind, code)
                if who == "table":  # a paper note for another table: refused
                    other = {**MESSAGES["paper_note"], "table_no": 2, "client_key": "paper-0002"}
                    assert _answer(ws, "paper_note", other) == "not_your_role"
        # observer, another assembly's account and anonymous cannot open the socket at all, so
        # they cannot send anything (test_facilitator_socket_with_every_role)


def test_a_removed_role_stops_messages_on_an_open_socket(app, world, settings) -> None:  # type: ignore[no-untyped-def]
    a = world["a"]
    with (
        clients(app, world) as c,
        c["lead"].websocket_connect(f"/ws/facilitator/{a}", headers=WS) as ws,
    ):
        _hello(ws)
        assert _answer(ws, "scene", {"scene": "wall"}) != "not_your_role"
        engine = make_engine(settings.database_url)
        with session_scope(engine, write=True) as db:
            row = db.exec(
                select(Membership).join(Facilitator).where(Facilitator.email == "lead@example.org")
            ).one()
            db.delete(row)
        engine.dispose()
        assert _answer(ws, "scene", {"scene": "wall"}) == "not_your_role"
        assert c["lead"].get(f"/f/a/{a}").status_code == 403


def _team_page(client: TestClient, a: int) -> str:
    return client.get(f"/f/a/{a}/team").text


def _invite(client: TestClient, a: int, role: str, tables: str = "") -> str:
    token = csrf_of(client, f"/f/a/{a}/team")
    page = client.post(
        f"/f/a/{a}/team/invite", data={"csrf_token": token, "role": role, "tables": tables}
    )
    assert page.status_code == 200, page.text
    match = re.search(r'id="invitation-code">([A-Z0-9-]+)<', page.text)
    assert match, "the code is shown once"
    return match.group(1)


def test_invitation_makes_an_account_with_its_role_once(app, world, settings) -> None:  # type: ignore[no-untyped-def]
    a = world["a"]
    with clients(app, world) as c:
        code = _invite(c["organiser"], a, "table", "2, 3")
        assert f"/invite/{code}" in c["organiser"].get(f"/f/a/{a}/team").text or True
        with TestClient(app, base_url=ORIGIN) as new:
            page = new.get(f"/invite/{code}")
            assert page.status_code == 200 and "bordfacilitator" in page.text.lower()
            token = csrf_of(new, f"/invite/{code}")
            made = new.post(
                f"/invite/{code}",
                data={
                    "csrf_token": token,
                    "email": "ny@example.org",
                    "name": "Ny Person",
                    "password": PASSWORD,
                },
                follow_redirects=False,
            )
            assert made.status_code == 303 and made.headers["location"] == "/f"
            assert new.get(f"/f/a/{a}/table/2").status_code == 200
            assert new.get(f"/f/a/{a}/table/3").status_code == 200
            assert new.get(f"/f/a/{a}/table/1").status_code == 403
            assert new.get(f"/f/a/{a}", headers={"accept": "text/html"}).status_code == 403
        # used once: the same code again is refused, and makes no account
        with TestClient(app, base_url=ORIGIN) as again:
            token = csrf_of(again, "/login")
            second = again.post(
                f"/invite/{code}",
                data={
                    "csrf_token": token,
                    "email": "to@example.org",
                    "name": "To",
                    "password": PASSWORD,
                },
            )
            assert second.status_code == 400 and "allerede blevet brugt" in second.text
        engine = make_engine(settings.database_url)
        with session_scope(engine) as db:
            assert (
                db.exec(select(Facilitator).where(Facilitator.email == "to@example.org")).first()
                is None
            )
            stored = db.exec(select(Invitation)).all()
            assert len(stored) == 1 and code not in stored[0].code_hash
            assert stored[0].code_hash == roles.code_hash(code) and stored[0].used_at is not None
        engine.dispose()


def test_invitation_expired_wrong_and_for_a_signed_in_account(app, world, settings) -> None:  # type: ignore[no-untyped-def]
    a = world["a"]
    with clients(app, world) as c:
        code = _invite(c["organiser"], a, "observer")
        engine = make_engine(settings.database_url)
        with session_scope(engine, write=True) as db:
            row = db.exec(select(Invitation)).one()
            row.expires_at = utcnow() - timedelta(minutes=1)
            db.add(row)
        expired = c["other"].get(f"/invite/{code}")
        assert expired.status_code == 400 and "udløbet" in expired.text
        wrong = c["other"].get("/invite/AAAA-BBBB-CCCC-DDDD")
        assert wrong.status_code == 400 and "ikke gyldig" in wrong.text
        token = csrf_of(c["other"], "/invite")
        typed = c["other"].post("/invite", data={"csrf_token": token, "code": "nonsense"})
        assert typed.status_code == 400
        # a fresh code, typed in lower case with spaces, accepted by a signed-in account
        code = _invite(c["organiser"], a, "lead")
        typed = c["other"].post(
            "/invite", data={"csrf_token": token, "code": code.lower().replace("-", " ")}
        )
        assert typed.status_code == 200 and "Acceptér invitationen" in typed.text
        accepted = c["other"].post(
            f"/invite/{code}", data={"csrf_token": token}, follow_redirects=False
        )
        assert accepted.status_code == 303
        assert c["other"].get(f"/f/a/{a}").status_code == 200  # now the lead of A too
        assert c["other"].get(f"/f/a/{a}/lottery").status_code == 403
        # withdrawn before use
        code = _invite(c["organiser"], a, "observer")
        with session_scope(engine) as db:
            pending = db.exec(select(Invitation).where(col_used_none())).all()
        engine.dispose()
        token = csrf_of(c["organiser"], f"/f/a/{a}/team")
        for row in pending:
            c["organiser"].post(
                f"/f/a/{a}/team/invitations/{row.id}/revoke", data={"csrf_token": token}
            )
        assert c["observer"].get(f"/invite/{code}").status_code == 400


def col_used_none() -> Any:
    from sqlmodel import col

    return col(Invitation.used_at).is_(None)


def test_organiser_changes_and_removes_roles(app, world, settings) -> None:  # type: ignore[no-untyped-def]
    a = world["a"]
    engine = make_engine(settings.database_url)
    with session_scope(engine) as db:
        ids = {f.email.split("@")[0]: m.id for m, f in roles.team(db, a)}
    engine.dispose()
    with clients(app, world) as c:
        token = csrf_of(c["organiser"], f"/f/a/{a}/team")
        page = _team_page(c["organiser"], a)
        assert "lead@example.org" in page and "Bordfacilitator" in page
        # the lead becomes an observer: the room is closed to them, the observer view is not
        c["organiser"].post(
            f"/f/a/{a}/team/{ids['lead']}",
            data={"csrf_token": token, "action": "change", "role": "observer", "tables": ""},
        )
        assert c["lead"].get(f"/f/a/{a}", headers={"accept": "text/html"}).status_code == 403
        assert c["lead"].get(f"/f/a/{a}/observe").status_code == 200
        # the table facilitator moves to table 4
        c["organiser"].post(
            f"/f/a/{a}/team/{ids['table']}",
            data={"csrf_token": token, "action": "change", "role": "table", "tables": "4"},
        )
        assert c["table"].get(f"/f/a/{a}/table/4").status_code == 200
        assert c["table"].get(f"/f/a/{a}/table/1").status_code == 403
        # removed: nothing of A
        c["organiser"].post(
            f"/f/a/{a}/team/{ids['observer']}", data={"csrf_token": token, "action": "remove"}
        )
        assert c["observer"].get(f"/f/a/{a}/observe").status_code == 403
        # the last organiser stays
        last = c["organiser"].post(
            f"/f/a/{a}/team/{ids['facilitator']}", data={"csrf_token": token, "action": "remove"}
        )
        assert last.status_code == 400 and "mindst én arrangør" in last.text
        assert c["organiser"].get(f"/f/a/{a}/team").status_code == 200
        # another assembly's organiser cannot touch A's team
        other = c["other"].post(
            f"/f/a/{a}/team/{ids['table']}",
            data={"csrf_token": csrf_of(c["other"], "/f"), "action": "remove"},
        )
        assert other.status_code == 403


def test_creating_an_assembly_makes_you_its_organiser(app, world) -> None:  # type: ignore[no-untyped-def]
    with clients(app, world) as c:
        token = csrf_of(c["observer"], "/f")
        made = c["observer"].post(
            "/f/assemblies",
            data={"csrf_token": token, "name": "Min egen", "remit": "Et spørgsmål", "lang_da": "1"},
            follow_redirects=False,
        )
        assert made.status_code == 303
        assert c["observer"].get(made.headers["location"]).status_code == 200
        assert c["observer"].get(made.headers["location"] + "/lottery").status_code == 200
        assert c["organiser"].get(made.headers["location"]).status_code == 403


def test_invitation_links_are_redacted_in_logs() -> None:
    line = 'GET /invite/ABCD-EFGH-JKLM-NPQR HTTP/1.1" 200'
    assert "ABCD" not in redact(line) and "[redacted]" in redact(line)


def _insert(conn: Any, table: str, n: int, **given: Any) -> None:
    """A row of ``table`` as the schema at that revision wants it: every required column."""
    values = dict(given)
    for _cid, name, kind, notnull, default, pk in conn.execute(text(f"PRAGMA table_info({table})")):
        if pk or not notnull or default is not None or name in values:
            continue
        kind = kind.upper()
        if "INT" in kind or "BOOL" in kind or "FLOAT" in kind or "NUM" in kind:
            values[name] = 0
        elif "DATETIME" in kind or "TIMESTAMP" in kind:
            values[name] = "2026-01-01 00:00:00"
        elif "DATE" in kind:
            values[name] = "2026-01-01"
        elif "JSON" in kind:
            values[name] = "{}"
        else:
            values[name] = f"{name}-{n}"
    columns = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)


def test_upgrade_keeps_every_account_organiser_of_every_assembly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0012")
    engine = make_engine(url)
    with engine.begin() as conn:
        for n in (1, 2):
            _insert(conn, "facilitator", n, email=f"f{n}@example.org")
            _insert(conn, "assembly", n)
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as db:
        rows = db.exec(select(Membership)).all()
        assert sorted((m.assembly_id, m.facilitator_id, m.role) for m in rows) == [
            (1, 1, "organiser"),
            (1, 2, "organiser"),
            (2, 1, "organiser"),
            (2, 2, "organiser"),
        ]
        assert all(m.created_at is not None for m in rows)
    engine.dispose()

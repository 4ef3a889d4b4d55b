"""The tablet console: its section pages, the table view's own count, facilitators' names."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from app.cli.users import upsert_facilitator
from app.db import make_engine
from app.models import Facilitator, Member
from app.snapshot import typist_name
from app.views import Viewer, render_snapshot
from facilitation.room import RoomState, Seating
from tests.app.test_hub import WS, receive_until
from tests.app.test_live_notes import hello
from tests.conftest import csrf_of

SECTIONS = {  # tab → path under /f/a/<id>
    "live": "",
    "runsheet": "/runsheet",
    "rounds": "/rounds",
    "themes": "/themes",
    "drafts": "/drafts",
    "members": "/members",
    "lottery": "/lottery",
    "settings": "/settings",
}


def current_tab(html: str) -> list[str]:
    return re.findall(r'data-section="(\w+)" aria-current="page"', html)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_has_the_tabs_with_itself_current(facilitator_client, demo, section) -> None:
    base = f"/f/a/{demo['assembly_id']}"
    page = facilitator_client.get(base + SECTIONS[section])
    assert page.status_code == 200
    assert current_tab(page.text) == [section]
    for other, suffix in SECTIONS.items():
        assert f'href="{base}{suffix}" data-section="{other}"' in page.text


def test_the_room_is_no_longer_one_long_page(facilitator_client, demo) -> None:
    base = f"/f/a/{demo['assembly_id']}"
    room = facilitator_client.get(base).text
    assert 'ws-connect="/ws/facilitator/' in room
    assert 'name="file"' not in room and "/sessions" not in room  # members, run-sheet: elsewhere
    assert 'name="file"' in facilitator_client.get(base + "/members").text
    assert f'action="{base}/sessions"' in facilitator_client.get(base + "/runsheet").text
    settings_page = facilitator_client.get(base + "/settings").text
    assert "/projector/revoke" in settings_page and "notes.csv" in settings_page
    assert facilitator_client.get(f"/f/a/{demo['assembly_id']}/table/1").status_code == 200
    assert current_tab(facilitator_client.get(f"{base}/table/1").text) == ["live"]


def test_forms_land_back_on_their_section(facilitator_client, demo, settings) -> None:
    aid = demo["assembly_id"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}")
    r = facilitator_client.post(
        f"/f/a/{aid}/members",
        data={"csrf_token": token, "code": "Q1", "name": "Ib Q."},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/f/a/{aid}/members#roster"
    with Session(make_engine(settings.database_url)) as db:
        ib = db.exec(select(Member).where(Member.code == "Q1")).one()
    r = facilitator_client.post(
        f"/f/a/{aid}/members/{ib.id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"] == f"/f/a/{aid}/members#member-{ib.id}"
    r = facilitator_client.post(
        f"/f/a/{aid}/projector/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"] == f"/f/a/{aid}/settings#links"
    dup = facilitator_client.post(
        f"/f/a/{aid}/members", data={"csrf_token": token, "code": "Q1", "name": "Other"}
    )
    assert dup.status_code == 400 and 'id="roster-h"' in dup.text  # shown again on its section


def _room(online: set[int]) -> RoomState:
    """Nine people at three tables of three."""
    seats = {m: ((m - 1) // 3 + 1, False) for m in range(1, 10)}
    return RoomState(
        assembly_id=1,
        seq=1,
        members={m: f"Person {m}" for m in range(1, 10)},
        online=frozenset(online),
        seating=Seating(round_id=1, number=1, seats=seats),
    )


def counts(html: str) -> list[str]:
    """Every "connected: n/m" on the page, in order."""
    return re.findall(r"forbundet: <span[^>]*data-online-count>(\d+)</span>/(\d+)", html)


def test_the_table_view_counts_its_own_table_not_the_room() -> None:
    state = _room({1, 2, 4, 9})  # table 1: two online, table 2: one, table 3: one
    table_view = render_snapshot(state, Viewer("facilitator", "da", 1, table_no=2))
    assert counts(table_view)[0] == ("1", "3")  # the table's people, not 4/9
    assert "4</span>/9" not in table_view
    room = render_snapshot(state, Viewer("facilitator", "da", 1))
    assert counts(room) == [("4", "9"), ("2", "3"), ("1", "3"), ("1", "3")]  # room, then tables


def test_typist_name_never_shows_an_address() -> None:
    assert typist_name("Lise Holm", "lise@kommune.dk") == "Lise Holm"
    assert typist_name("  ", "ane.b@kommune.dk") == "ane.b"


def test_user_add_sets_the_name(settings) -> None:
    assert upsert_facilitator(settings.database_url, "ane@kommune.dk", "a-long-password", "Ane B")
    assert not upsert_facilitator(settings.database_url, "ane@kommune.dk", "another-password")
    with Session(make_engine(settings.database_url)) as db:
        ane = db.exec(select(Facilitator).where(Facilitator.email == "ane@kommune.dk")).one()
    assert ane.name == "Ane B"  # a new password keeps the name


def test_paper_notes_show_the_facilitators_name(app, demo, settings, facilitator_client) -> None:
    aid = demo["assembly_id"]
    member = demo["members"][0]
    assert demo["facilitator"]["name"] == "Lise Holm"

    def typed(text: str, key: str) -> str:
        with facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fws:
            hello(fws)
            message = {
                "msg": "paper_note",
                "table_no": 1,
                "member_id": member["id"],
                "kind": "value",
                "text": text,
                "client_key": key,
            }
            fws.send_text(json.dumps(message))
            return receive_until(fws, text)

    shown = typed("Fra papir", "paper-name-01")
    assert "skrevet ind af Lise Holm" in shown
    assert demo["facilitator"]["email"] not in shown
    # the facilitator changes their own name; new notes and a fresh snapshot carry it
    me = facilitator_client.get("/f/me")
    assert me.status_code == 200 and 'value="Lise Holm"' in me.text
    token = csrf_of(facilitator_client, "/f/me")
    empty = facilitator_client.post("/f/me", data={"csrf_token": token, "name": "  "})
    assert empty.status_code == 400
    r = facilitator_client.post(
        "/f/me", data={"csrf_token": token, "name": " Lise  M. Holm "}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/f/me?saved=1"
    with facilitator_client.websocket_connect(f"/ws/facilitator/{aid}", headers=WS) as fws:
        snapshot = hello(fws)
    assert "Lise M. Holm" in snapshot and demo["facilitator"]["email"] not in snapshot

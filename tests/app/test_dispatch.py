"""app/dispatch.py on its own (no socket): every message kind's roles, the frame checks, and
that a refused message changes nothing and rings nothing."""

from __future__ import annotations

import asyncio
import json
from dataclasses import fields
from typing import Any

import pytest
from sqlmodel import select

from app.db import make_engine, session_scope
from app.dispatch import (
    FACILITATOR,
    HANDLERS,
    MAX_MESSAGE,
    PARTICIPANT,
    Outcome,
    dispatch,
    note_limiter,
)
from app.models import AgendaItem, Assembly, Facilitator
from app.views import Viewer


def send(settings: Any, viewer: Viewer, message: Any) -> Outcome:
    from app.hub import Hub

    raw = message if isinstance(message, str) else json.dumps(message)

    async def run() -> Outcome:
        hub = Hub(settings, make_engine(settings.database_url), note_limiter())
        return await dispatch(hub, viewer, raw)

    return asyncio.run(run())


def viewers(settings: Any, demo: dict[str, Any]) -> dict[str, Viewer]:
    aid = demo["assembly_id"]
    with session_scope(make_engine(settings.database_url)) as db:
        email = demo["facilitator"]["email"]
        me = db.exec(select(Facilitator.id).where(Facilitator.email == email)).one()
    # the demo's facilitator organises the demo assembly (a socket's viewer carries that role
    # when roles per assembly exist: ``access``)
    role = {"access": "organiser"} if "access" in {f.name for f in fields(Viewer)} else {}
    return {
        "participant": Viewer("participant", "da", aid, demo["members"][0]["id"], "A"),
        "projector": Viewer("projector", "da", aid),
        "facilitator": Viewer("facilitator", "da", aid, facilitator_id=me, **role),
    }


def code(outcome: Outcome) -> str:
    assert len(outcome.replies) == 1, outcome.replies
    return outcome.replies[0].split('data-code="')[1].split('"')[0]


def test_every_kind_is_refused_to_the_roles_it_is_not_for(settings, demo) -> None:  # type: ignore[no-untyped-def]
    who = viewers(settings, demo)
    for kind, (_schema, roles, _work) in HANDLERS.items():
        assert roles in (PARTICIPANT, FACILITATOR), kind
        for role, viewer in who.items():
            if role in roles:
                continue
            outcome = send(settings, viewer, {"msg": kind})
            assert not outcome.events and code(outcome) in ("not_allowed", "not_your_role"), kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{not json", "bad_message"),
        ("[1, 2]", "bad_message"),
        (json.dumps({"msg": "no_such_kind"}), "bad_message"),
        (json.dumps({"msg": "timer_adjust", "item_id": 2**40, "minutes": 1}), "bad_message"),
        (json.dumps({"msg": "scene", "scene": "x" * 100}), "bad_message"),
        ("x" * (MAX_MESSAGE + 1), "too_large"),
    ],
)
def test_bad_frames_are_answered_and_change_nothing(settings, demo, raw, expected) -> None:  # type: ignore[no-untyped-def]
    outcome = send(settings, viewers(settings, demo)["facilitator"], raw)
    assert code(outcome) == expected and outcome.events == []


def test_a_refused_action_rolls_back_and_rings_nothing(settings, demo) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    with session_scope(engine) as db:
        before = db.get(Assembly, aid).last_seq
    # a table scene for a table nobody sits at: the action says no
    outcome = send(
        settings,
        viewers(settings, demo)["facilitator"],
        {"msg": "scene", "scene": "table", "ref": 99},
    )
    assert outcome.refused and outcome.events == [] and code(outcome) == "bad_scene"
    with session_scope(engine) as db:
        assert db.get(Assembly, aid).last_seq == before


def test_an_accepted_action_returns_its_committed_events(settings, demo) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    with session_scope(engine) as db:
        item = db.exec(
            select(AgendaItem).where(AgendaItem.assembly_id == aid, AgendaItem.state == "open")
        ).first()
        assert item is not None
    outcome = send(
        settings,
        viewers(settings, demo)["facilitator"],
        {"msg": "timer_adjust", "item_id": item.id, "minutes": 2},
    )
    assert not outcome.refused and outcome.replies == []
    assert [e.kind for e in outcome.events] == ["agenda"]
    with session_scope(engine) as db:
        assert db.get(Assembly, aid).last_seq == outcome.events[-1].seq

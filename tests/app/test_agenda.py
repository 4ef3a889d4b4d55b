"""app/agenda.py: the run-sheet's and the projector's actions at their edges — what writes no
event, what is refused, and that opening an item closes the one before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from app import agenda
from app.db import make_engine, session_scope
from app.errors import ActionError
from app.models import AgendaItem, Assembly


def act(settings: Any, demo: dict[str, Any], work: Callable[[Session, Assembly], Any]) -> Any:
    with session_scope(make_engine(settings.database_url), write=True) as db:
        return work(db, db.get(Assembly, demo["assembly_id"]))


def items(db: Session, assembly: Assembly) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.assembly_id == assembly.id)
    return sorted(db.exec(query), key=lambda i: (i.session_id, i.position))


def test_nothing_changed_writes_no_event(settings, demo) -> None:  # type: ignore[no-untyped-def]
    scene = act(settings, demo, lambda db, a: a.scene)
    assert act(settings, demo, lambda db, a: agenda.do_set_scene(db, a, scene)) == []
    first = act(settings, demo, lambda db, a: items(db, a)[0].id)
    assert act(settings, demo, lambda db, a: agenda.do_move_item(db, a, first, -1)) == []
    planned = act(settings, demo, lambda db, a: [i.id for i in items(db, a) if i.state != "open"])
    closed = act(settings, demo, lambda db, a: agenda.do_close_item(db, a, planned[-1]))
    assert closed == []  # an item that is not open has nothing to close


@pytest.mark.parametrize("minutes", [0, 61, -61])
def test_the_timer_moves_by_at_most_an_hour(settings, demo, minutes) -> None:  # type: ignore[no-untyped-def]
    item = act(settings, demo, lambda db, a: a.current_item_id)
    with pytest.raises(ActionError, match="bad_message"):
        act(settings, demo, lambda db, a: agenda.do_adjust_timer(db, a, item, minutes))


def test_opening_an_item_closes_the_open_one(settings, demo) -> None:  # type: ignore[no-untyped-def]
    before = act(settings, demo, lambda db, a: a.current_item_id)
    later = act(settings, demo, lambda db, a: [i.id for i in items(db, a) if i.id != before][-1])
    events = act(settings, demo, lambda db, a: agenda.do_open_item(db, a, later))
    assert [e.kind for e in events] == ["agenda"]
    with session_scope(make_engine(settings.database_url)) as db:
        assert db.get(AgendaItem, before).state == "closed"
        assert db.get(AgendaItem, later).state == "open"
        assert db.get(Assembly, demo["assembly_id"]).current_item_id == later


def test_the_item_that_is_running_cannot_be_deleted(settings, demo) -> None:  # type: ignore[no-untyped-def]
    current = act(settings, demo, lambda db, a: a.current_item_id)
    with pytest.raises(ActionError, match="item_in_use"):
        act(settings, demo, lambda db, a: agenda.do_delete_item(db, a, current))


def test_the_spotlight_takes_the_projector_and_gives_it_back(settings, demo) -> None:  # type: ignore[no-untyped-def]
    spot = {"kind": "theme", "title": "Mobilitet", "lines": ["Busser"], "ask": "Passer det?"}
    events = act(settings, demo, lambda db, a: agenda.do_spotlight(db, a, spot))
    assert [e.kind for e in events] == ["spotlight", "settings"]
    assert act(settings, demo, lambda db, a: a.scene) == "spotlight"
    events = act(settings, demo, lambda db, a: agenda.do_spotlight(db, a, None))
    assert [e.kind for e in events] == ["spotlight", "settings"]
    assert act(settings, demo, lambda db, a: a.scene) == "wall"
    # the spotlight scene needs something in the spotlight
    with pytest.raises(ActionError, match="bad_scene"):
        act(settings, demo, lambda db, a: agenda.do_set_scene(db, a, "spotlight"))

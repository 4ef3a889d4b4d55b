"""app/writes.py and app/events.py: one write transaction hands back exactly the events it
committed — none from a transaction that was rolled back, none twice."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.db import make_engine, session_scope
from app.errors import ActionError
from app.events import record, recorded
from app.models import Assembly, Event
from app.writes import commit


def test_commit_hands_back_the_value_and_every_event_in_order(settings, demo) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]

    def work(db):  # type: ignore[no-untyped-def]
        first = record(db, aid, "spotlight", {"spotlight": None})
        record(db, aid, "drafting", {"tables": []})
        return first.seq

    written = commit(engine, work)
    assert [e.kind for e in written.events] == ["spotlight", "drafting"]
    assert written.value == written.events[0].seq and written.events[1].seq == written.value + 1
    with session_scope(engine) as db:
        stored = db.exec(select(Event.seq).where(Event.assembly_id == aid)).all()
        assert written.events[-1].seq == max(stored)
    # the next transaction starts with nothing recorded
    assert commit(engine, lambda db: len(recorded(db))).value == 0


def test_a_refused_write_commits_and_rings_nothing(settings, demo) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    with session_scope(engine) as db:
        before = db.get(Assembly, aid).last_seq

    def refused(db):  # type: ignore[no-untyped-def]
        record(db, aid, "spotlight", {"spotlight": None})
        raise ActionError("closed")

    with pytest.raises(ActionError):
        commit(engine, refused)

    def said_no(db):  # type: ignore[no-untyped-def]
        record(db, aid, "spotlight", {"spotlight": None})
        db.rollback()  # a page that catches the refusal and shows the form again
        return "shown"

    written = commit(engine, said_no)
    assert written.value == "shown" and written.events == []
    with session_scope(engine) as db:
        assert db.get(Assembly, aid).last_seq == before

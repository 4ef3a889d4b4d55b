"""app/notes.py: the note and presence actions on their own — what a note is refused for, where
it lands, that a repeat is stored once, and that presence speaks only when it changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from app.db import make_engine, session_scope
from app.errors import ActionError
from app.models import Member, Note
from app.notes import do_add_note, do_presence
from app.snapshot import published_round, seating_of
from facilitation.room import MAX_NOTE_LENGTH


def in_db(settings: Any, work: Any) -> Any:
    with session_scope(make_engine(settings.database_url), write=True) as db:
        return work(db)


def member(db: Session, demo: dict[str, Any], index: int = 0) -> Member:
    found = db.get(Member, demo["members"][index]["id"])
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("kind", "text", "code"),
    [
        ("value", "   \n\n  ", "empty"),
        ("value", "x" * (MAX_NOTE_LENGTH + 1), "too_long"),
        ("nonsense", "Fællesskab", "bad_kind"),
    ],
)
def test_a_note_is_refused_for_what_it_is(settings, demo, kind, text, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ActionError, match=code):
        in_db(settings, lambda db: do_add_note(db, member(db, demo), kind, text, "refused-01"))
    with session_scope(make_engine(settings.database_url)) as db:
        assert db.exec(select(Note)).first() is None


def test_a_note_lands_at_the_members_table_once(settings, demo) -> None:  # type: ignore[no-untyped-def]
    text = "  Mobilitet \n\n\n på landet "
    first = in_db(
        settings, lambda db: do_add_note(db, member(db, demo), "value", text, "once-0001")
    )
    assert first.created and [e.kind for e in first.events] == ["note_saved"]
    assert first.note.text == "Mobilitet\n\n på landet"  # ends trimmed, blank lines collapsed
    again = in_db(
        settings, lambda db: do_add_note(db, member(db, demo), "value", "other", "once-0001")
    )
    assert not again.created and again.events == [] and again.note.id == first.note.id

    def table(db: Session) -> int | None:
        round_ = published_round(db, demo["assembly_id"])
        return seating_of(db, round_).table_of(demo["members"][0]["id"]) if round_ else None

    assert first.note.table_no == in_db(settings, table) is not None


def test_presence_speaks_only_when_a_member_comes_or_goes(settings, demo) -> None:  # type: ignore[no-untyped-def]
    aid, mid = demo["assembly_id"], demo["members"][1]["id"]

    def presence(process: str, delta: int) -> list[str]:
        events = in_db(settings, lambda db: do_presence(db, process, aid, mid, delta))
        return [f"{e.kind}:{e.payload['online']}" for e in events]

    assert presence("proc-a", +1) == ["presence:True"]
    assert presence("proc-b", +1) == []  # a second process: still just online
    assert presence("proc-a", -1) == []  # proc-b still holds a socket
    assert presence("proc-b", -1) == ["presence:False"]

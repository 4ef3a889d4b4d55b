"""Reading the live room from the database: the snapshot every (re)connect starts from."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.clock import utcnow
from app.models import Assembly, Member, Note, Presence
from facilitation.room import NoteView, RoomState

PRESENCE_TTL = timedelta(seconds=45)  # three missed refreshes of a live process


def note_view(note: Note, author: str) -> NoteView:
    assert note.id is not None
    return NoteView(
        id=note.id,
        client_key=note.client_key,
        member_id=note.member_id,
        author=author,
        table_no=note.table_no,
        kind=note.kind,
        text=note.text,
        hidden=note.hidden,
        created_at=note.created_at.isoformat(timespec="seconds"),
    )


def online_members(db: Session, assembly_id: int) -> frozenset[int]:
    fresh = utcnow() - PRESENCE_TTL
    rows = db.exec(
        select(Presence.member_id).where(
            Presence.assembly_id == assembly_id,
            Presence.connections > 0,
            Presence.seen_at >= fresh,
        )
    )
    return frozenset(int(m) for m in rows)


def load_room(db: Session, assembly_id: int) -> RoomState:
    """The whole room as of the assembly's newest event, read in one transaction."""
    assembly = db.get(Assembly, assembly_id)
    assert assembly is not None
    rows = db.exec(select(Member.id, Member.name).where(Member.assembly_id == assembly_id))
    names = {member_id: name for member_id, name in rows}
    notes = db.exec(
        select(Note).where(Note.assembly_id == assembly_id).order_by(Note.id)  # type: ignore[arg-type]
    )
    return RoomState(
        assembly_id=assembly_id,
        seq=assembly.last_seq,
        notes={n.id: note_view(n, names.get(n.member_id, "")) for n in notes if n.id is not None},
        online=online_members(db, assembly_id),
    )

"""State changes of the live room. Each checks, changes and writes its events in the caller's
transaction (Zulip's ``do_*``); the caller commits, then rings the doorbell."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.clock import utcnow
from app.events import LoggedEvent, record
from app.models import Member, Note, Presence
from app.snapshot import PRESENCE_TTL, note_view
from facilitation.room import MAX_NOTE_LENGTH, NOTE_KINDS, clean_note_text


class ActionError(ValueError):
    """A refused action; ``code`` picks the message shown to the person."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NoteResult:
    note: Note
    created: bool
    events: list[LoggedEvent]


def do_add_note(db: Session, member: Member, kind: str, text: str, client_key: str) -> NoteResult:
    """Store a participant's note once per ``client_key``; a repeat returns the stored note."""
    existing = db.exec(
        select(Note).where(Note.member_id == member.id, Note.client_key == client_key)
    ).first()
    if existing is not None:
        return NoteResult(existing, False, [])
    if kind not in NOTE_KINDS:
        raise ActionError("bad_kind")
    cleaned = clean_note_text(text)
    if not cleaned:
        raise ActionError("empty")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise ActionError("too_long")
    note = Note(
        assembly_id=member.assembly_id,
        member_id=member.id,
        client_key=client_key,
        kind=kind,
        text=cleaned,
        table_no=None,
        created_at=utcnow(),
    )
    db.add(note)
    db.flush()
    event = record(
        db, member.assembly_id, "note_saved", {"note": note_view(note, member.name).to_payload()}
    )
    return NoteResult(note, True, [event])


def do_set_note_hidden(
    db: Session, assembly_id: int, note_id: int, hidden: bool
) -> list[LoggedEvent]:
    """A facilitator hides a note from the walls (or shows it again); the text is kept."""
    note = db.get(Note, note_id)
    if note is None or note.assembly_id != assembly_id:
        raise ActionError("no_such_note")
    if note.hidden == hidden:
        return []
    note.hidden = hidden
    db.add(note)
    db.flush()
    author = db.get(Member, note.member_id) if note.member_id else None
    view = note_view(note, author.name if author else "")
    return [record(db, assembly_id, "note_saved", {"note": view.to_payload()})]


def do_presence(
    db: Session, process: str, assembly_id: int, member_id: int, delta: int
) -> list[LoggedEvent]:
    """Count this process's sockets for a member; log a presence event when the member's
    online status across all processes changes."""
    fresh = utcnow() - PRESENCE_TTL

    def online() -> bool:
        rows = db.exec(
            select(Presence).where(
                Presence.member_id == member_id, Presence.connections > 0, Presence.seen_at >= fresh
            )
        )
        return rows.first() is not None

    before = online()
    row = db.exec(
        select(Presence).where(Presence.process == process, Presence.member_id == member_id)
    ).first()
    if row is None:
        row = Presence(
            assembly_id=assembly_id,
            member_id=member_id,
            process=process,
            connections=0,
            seen_at=utcnow(),
        )
    row.connections = max(0, row.connections + delta)
    row.seen_at = utcnow()
    db.add(row)
    db.flush()
    after = online()
    if before == after:
        return []
    member = db.get(Member, member_id)
    payload = {"member_id": member_id, "online": after, "name": member.name if member else ""}
    return [record(db, assembly_id, "presence", payload, audience="facilitator")]


def do_sweep_presence(db: Session) -> list[LoggedEvent]:
    """Forget sockets of processes that stopped refreshing (killed), logging who went offline."""
    fresh = utcnow() - PRESENCE_TTL
    stale = list(db.exec(select(Presence).where(Presence.seen_at < fresh)))
    events = []
    for row in stale:
        db.delete(row)
    db.flush()
    for assembly_id, member_id in {(r.assembly_id, r.member_id) for r in stale if r.connections}:
        still = db.exec(
            select(Presence).where(Presence.member_id == member_id, Presence.connections > 0)
        ).first()
        if still is None:
            member = db.get(Member, member_id)
            payload = {
                "member_id": member_id,
                "online": False,
                "name": member.name if member else "",
            }
            events.append(record(db, assembly_id, "presence", payload, "facilitator"))
    return events

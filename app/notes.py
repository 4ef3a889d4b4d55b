"""State changes of notes and presence, the live room's ``do_*`` actions. Each checks,
changes and writes its events in the caller's transaction (Zulip's ``do_*``); the write path
(``app/writes.py``) commits, then rings the doorbell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import AgendaItem, Assembly, Facilitator, Member, Note, Presence
from app.snapshot import PRESENCE_TTL, note_view, published_round, table_in_round
from facilitation.phases import PhaseClock, admission
from facilitation.room import MAX_NOTE_LENGTH, NOTE_KINDS, clean_note_text


@dataclass(frozen=True)
class NoteResult:
    note: Note
    created: bool
    events: list[LoggedEvent]


def phase_clock(item: AgendaItem) -> PhaseClock:
    return PhaseClock(item.state, item.opened_at, item.closed_at, item.ends_at)


def _target_phase(
    db: Session, assembly: Assembly, item_id: int | None, now: datetime
) -> tuple[AgendaItem, bool]:
    """The phase a note goes to and whether it is late; ActionError when none accepts it."""
    item = None
    if item_id is not None:
        item = db.get(AgendaItem, item_id)
        if item is None or item.assembly_id != assembly.id:
            raise ActionError("closed")
    elif assembly.current_item_id is not None:
        item = db.get(AgendaItem, assembly.current_item_id)
        if item is not None and (item.state != "open" or not item.phase_kind):
            item = None  # a break or a talk is "now": the phase just closed may still take it
    if item is None:  # just closed? a note sent in the grace period still counts, as late
        item = db.exec(
            select(AgendaItem)
            .where(AgendaItem.assembly_id == assembly.id, AgendaItem.state == "closed")
            .order_by(col(AgendaItem.closed_at).desc())
        ).first()
    if item is None or not item.phase_kind:
        raise ActionError("closed")
    state = admission(phase_clock(item), now)
    if state == "closed":
        raise ActionError("closed")
    return item, state == "late"


def _clean(text: str) -> str:
    cleaned = clean_note_text(text)
    if not cleaned:
        raise ActionError("empty")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise ActionError("too_long")
    return cleaned


def _note_event(db: Session, note: Note) -> LoggedEvent:
    assembly = db.get(Assembly, note.assembly_id)
    assert assembly is not None
    payload = {
        "note": note_view(db, note).to_payload(),
        "wall_group": assembly.wall_group,
        "show_names": assembly.show_names,
    }
    return record(db, note.assembly_id, "note_saved", payload)


def do_add_note(
    db: Session,
    member: Member,
    kind: str,
    text: str,
    client_key: str,
    item_id: int | None = None,
    now: datetime | None = None,
) -> NoteResult:
    """Store a participant's note once per ``client_key``; a repeat returns the stored note.

    The note joins the open phase (or, within the grace period, the phase just closed, marked
    late), at the member's table in the published round.
    """
    existing = db.exec(
        select(Note).where(Note.member_id == member.id, Note.client_key == client_key)
    ).first()
    if existing is not None:
        return NoteResult(existing, False, [])
    now = now or utcnow()
    assembly = db.get(Assembly, member.assembly_id)
    assert assembly is not None
    item, late = _target_phase(db, assembly, item_id, now)
    # The phase sets the form's kind; a note of another kind (an early idea for a solution
    # in a values round) is kept as its author labelled it, not refused.
    if kind not in NOTE_KINDS:
        raise ActionError("bad_kind")
    cleaned = _clean(text)
    assert assembly.id is not None
    round_ = published_round(db, assembly.id)
    table_no = table_in_round(db, round_, member.id) if round_ is not None else None
    note = Note(
        assembly_id=member.assembly_id,
        member_id=member.id,
        client_key=client_key,
        kind=kind,
        text=cleaned,
        table_no=table_no,
        item_id=item.id,
        round_id=round_.id if round_ is not None else None,
        late=late,
        approved=assembly.moderation != "approve",
        created_at=now,
    )
    db.add(note)
    db.flush()
    return NoteResult(note, True, [_note_event(db, note)])


def _own_open_note(db: Session, member: Member, note_id: int, now: datetime) -> Note:
    note = db.get(Note, note_id)
    if note is None or note.member_id != member.id or note.withdrawn:
        raise ActionError("no_such_note")
    item = db.get(AgendaItem, note.item_id) if note.item_id else None
    if item is None or admission(phase_clock(item), now) != "open":
        raise ActionError("closed")
    return note


def do_edit_own_note(
    db: Session, member: Member, note_id: int, text: str, now: datetime | None = None
) -> list[LoggedEvent]:
    """The author rewords their note while its phase is open."""
    now = now or utcnow()
    note = _own_open_note(db, member, note_id, now)
    cleaned = _clean(text)
    if cleaned == note.text:
        return []
    note.text, note.updated_at = cleaned, now
    assembly = db.get(Assembly, note.assembly_id)
    if assembly is not None and assembly.moderation == "approve":
        note.approved = False  # reworded after approval: the facilitator looks again
    db.add(note)
    db.flush()
    return [_note_event(db, note)]


def do_withdraw_own_note(
    db: Session, member: Member, note_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    """The author takes their note back while its phase is open (kept, marked withdrawn)."""
    now = now or utcnow()
    note = _own_open_note(db, member, note_id, now)
    note.withdrawn, note.updated_at = True, now
    db.add(note)
    db.flush()
    return [_note_event(db, note)]


def do_moderate_note(
    db: Session,
    assembly_id: int,
    facilitator_id: int | None,
    note_id: int,
    action: str,
    text: str = "",
) -> list[LoggedEvent]:
    """A facilitator hides, shows, approves or rewords a note; the author's words are kept."""
    note = db.get(Note, note_id)
    if note is None or note.assembly_id != assembly_id:
        raise ActionError("no_such_note")
    if action == "hide":
        changed = not note.hidden
        note.hidden = True
    elif action == "show":
        changed = note.hidden
        note.hidden = False
    elif action == "approve":
        changed = not note.approved
        note.approved = True
    elif action == "edit":
        cleaned = _clean(text)
        changed = cleaned != note.text
        if changed:
            if note.original_text is None:
                note.original_text = note.text
            note.text, note.edited_by = cleaned, facilitator_id
    else:
        raise ActionError("bad_message")
    if not changed:
        return []
    note.updated_at = utcnow()
    db.add(note)
    db.flush()
    return [_note_event(db, note)]


def do_paper_note(
    db: Session,
    facilitator: Facilitator,
    assembly_id: int,
    table_no: int,
    member_id: int | None,
    kind: str,
    text: str,
    client_key: str,
    now: datetime | None = None,
) -> NoteResult:
    """A facilitator types a note written on paper, at a table and optionally for a member."""
    now = now or utcnow()
    existing = db.exec(
        select(Note).where(Note.entered_by == facilitator.id, Note.client_key == client_key)
    ).first()
    if existing is not None:
        return NoteResult(existing, False, [])
    assembly = db.get(Assembly, assembly_id)
    assert assembly is not None
    if member_id is not None:
        member = db.get(Member, member_id)
        if member is None or member.assembly_id != assembly_id:
            raise ActionError("not_allowed")
    if kind not in NOTE_KINDS:
        raise ActionError("bad_kind")
    if table_no < 1:
        raise ActionError("bad_message")
    cleaned = _clean(text)
    try:
        item, late = _target_phase(db, assembly, None, now)
        item_id: int | None = item.id
    except ActionError:  # paper notes may be typed up after the phase
        item_id, late = assembly.current_item_id, False
    round_ = published_round(db, assembly_id)
    note = Note(
        assembly_id=assembly_id,
        member_id=member_id,
        client_key=client_key,
        kind=kind,
        text=cleaned,
        table_no=table_no,
        item_id=item_id,
        round_id=round_.id if round_ is not None else None,
        late=late,
        approved=True,
        entered_by=facilitator.id,
        created_at=now,
    )
    db.add(note)
    db.flush()
    return NoteResult(note, True, [_note_event(db, note)])


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
    count = col(Presence.connections) + delta
    bump = (
        update(Presence)
        .where(col(Presence.process) == process, col(Presence.member_id) == member_id)
        .values(connections=case((count < 0, 0), else_=count), seen_at=utcnow())
    )
    bumped = cast("CursorResult[Any]", db.execute(bump)).rowcount
    if bumped == 0:  # atomic: overlapping connects of one member never drift
        try:
            with db.begin_nested():
                db.add(
                    Presence(
                        assembly_id=assembly_id,
                        member_id=member_id,
                        process=process,
                        connections=max(0, delta),
                        seen_at=utcnow(),
                    )
                )
        except IntegrityError:  # another socket of the same member inserted it first
            db.execute(bump)
    db.expire_all()
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

"""Reading the live room from the database: the snapshot every (re)connect starts from, and
the payloads events carry (the same functions, so events and snapshots cannot disagree)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import (
    AgendaItem,
    Assembly,
    AssemblySession,
    Facilitator,
    Member,
    Note,
    Presence,
    Seat,
    SeatingRound,
)
from facilitation.room import ItemView, NoteView, RoomSettings, RoomState, Seating

PRESENCE_TTL = timedelta(seconds=45)  # three missed refreshes of a live process


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def typist_name(name: str, email: str) -> str:
    """How a facilitator is shown to a room or a table: their name, else the part of their
    e-mail address before the "@" (never the whole address)."""
    return name.strip() or email.split("@", 1)[0]


def note_view(
    db: Session,
    note: Note,
    names: dict[int, str] | None = None,
    typists: dict[int, str] | None = None,
) -> NoteView:
    """A note as screens see it; ``names``/``typists`` save a lookup per note in snapshots."""
    assert note.id is not None
    if names is None:
        author = db.get(Member, note.member_id) if note.member_id else None
        names = {note.member_id: author.name} if author and note.member_id else {}
    if typists is None:
        typist = db.get(Facilitator, note.entered_by) if note.entered_by else None
        typists = (
            {note.entered_by: typist_name(typist.name, typist.email)}
            if typist and note.entered_by
            else {}
        )
    return NoteView(
        id=note.id,
        client_key=note.client_key,
        member_id=note.member_id,
        author=names.get(note.member_id, "") if note.member_id else "",
        table_no=note.table_no,
        kind=note.kind,
        text=note.text,
        hidden=note.hidden,
        created_at=_iso(note.created_at) or "",
        item_id=note.item_id,
        round_id=note.round_id,
        late=note.late,
        approved=note.approved,
        withdrawn=note.withdrawn,
        entered_by=typists.get(note.entered_by, "") if note.entered_by else "",
        original_text=note.original_text,
    )


def item_view(item: AgendaItem) -> ItemView:
    assert item.id is not None
    return ItemView(
        id=item.id,
        session_id=item.session_id,
        position=item.position,
        kind=item.kind,
        title=item.title,
        planned_minutes=item.planned_minutes,
        phase_kind=item.phase_kind,
        prompt=item.prompt,
        state=item.state,
        ends_at=_iso(item.ends_at),
        closed_at=_iso(item.closed_at),
    )


def live_session_id(db: Session, assembly: Assembly) -> int | None:
    """The session on the room's screens: the current item's, else the first with items."""
    if assembly.current_item_id is not None:
        item = db.get(AgendaItem, assembly.current_item_id)
        if item is not None:
            return item.session_id
    row = db.exec(
        select(AssemblySession.id)
        .join(AgendaItem, col(AgendaItem.session_id) == col(AssemblySession.id))
        .where(AssemblySession.assembly_id == assembly.id)
        .order_by(col(AssemblySession.day), col(AssemblySession.starts_at))
    ).first()
    return int(row) if row is not None else None


def session_items(db: Session, session_id: int) -> list[AgendaItem]:
    return list(
        db.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )


def agenda_payload(db: Session, assembly: Assembly) -> dict[str, Any]:
    session_id = live_session_id(db, assembly)
    items = session_items(db, session_id) if session_id is not None else []
    return {
        "current_item_id": assembly.current_item_id,
        "items": [item_view(i).to_payload() for i in items],
    }


def published_round(db: Session, assembly_id: int) -> SeatingRound | None:
    return db.exec(
        select(SeatingRound)
        .where(SeatingRound.assembly_id == assembly_id, SeatingRound.published_at != None)  # noqa: E711
        .order_by(col(SeatingRound.published_at).desc(), col(SeatingRound.id).desc())
    ).first()


def seating_of(db: Session, round_: SeatingRound) -> Seating:
    assert round_.id is not None
    seats = db.exec(select(Seat).where(Seat.round_id == round_.id))
    return Seating(round_.id, round_.number, {s.member_id: (s.table_no, s.host) for s in seats})


def table_in_round(db: Session, round_: SeatingRound, member_id: int | None) -> int | None:
    """One member's table in a round (a note needs its author's seat, not the whole plan)."""
    return db.exec(
        select(Seat.table_no).where(Seat.round_id == round_.id, Seat.member_id == member_id)
    ).first()


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
    from app.ballot.actions import load_ballots
    from app.programme.actions import load_programme
    from app.record.actions import load_surveys

    assembly = db.get(Assembly, assembly_id)
    assert assembly is not None
    notes = db.exec(select(Note).where(Note.assembly_id == assembly_id).order_by(col(Note.id)))
    names = {
        m: n
        for m, n in db.exec(select(Member.id, Member.name).where(Member.assembly_id == assembly_id))
        if m is not None
    }
    typists = {
        f: typist_name(n, e)
        for f, n, e in db.exec(select(Facilitator.id, Facilitator.name, Facilitator.email))
        if f is not None
    }
    agenda = agenda_payload(db, assembly)
    round_ = published_round(db, assembly_id)
    return RoomState(
        assembly_id=assembly_id,
        seq=assembly.last_seq,
        notes={n.id: note_view(db, n, names, typists) for n in notes if n.id is not None},
        online=online_members(db, assembly_id),
        items=tuple(ItemView.from_payload(i) for i in agenda["items"]),
        current_item_id=agenda["current_item_id"],
        seating=seating_of(db, round_) if round_ is not None else None,
        settings=settings_of(assembly),
        spotlight=assembly.spotlight,
        drafting=frozenset(drafting_tables(db, assembly_id)),
        ballots=load_ballots(db, assembly_id),
        programme=load_programme(db, assembly_id),
        surveys=load_surveys(db, assembly_id),
        members={
            m: n
            for m, n in db.exec(
                select(Member.id, Member.name)
                .where(Member.assembly_id == assembly_id, Member.active == True)  # noqa: E712
                .order_by(col(Member.name), col(Member.id))  # as facilitation.room.apply_roster
            )
            if m is not None
        },
    )


def settings_of(assembly: Assembly) -> RoomSettings:
    return RoomSettings(
        assembly.moderation,
        assembly.show_names,
        assembly.wall_group,
        assembly.scene,
        assembly.scene_ref,
    )


def drafting_tables(db: Session, assembly_id: int) -> list[int]:
    """Tables that an active draft recommendation is open to (they can work on it by phone)."""
    from app.themes.models import Draft

    drafts = db.exec(
        select(Draft).where(Draft.assembly_id == assembly_id, Draft.status == "active")
    )
    return sorted({int(t) for d in drafts for t in d.open_tables})

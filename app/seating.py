"""Seating rounds: who sits at which table, published to every screen at once."""

from __future__ import annotations

from sqlmodel import Session, func, select

from app.clock import utcnow
from app.events import LoggedEvent, record
from app.models import Assembly, Member, Seat, SeatingRound
from app.snapshot import seating_of


def do_publish_round(
    db: Session, assembly: Assembly, tables: list[list[int]], hosts: set[int] | None = None
) -> tuple[SeatingRound, list[LoggedEvent]]:
    """Store a round (tables of member ids, table 1 first) and publish it."""
    assert assembly.id is not None
    hosts = hosts or set()
    members = {m for m in db.exec(select(Member.id).where(Member.assembly_id == assembly.id))}
    seated = [m for table in tables for m in table]
    if len(seated) != len(set(seated)) or not set(seated) <= members:
        raise ValueError("each member at most once, and only members of this assembly")
    number = (
        db.exec(
            select(func.max(SeatingRound.number)).where(SeatingRound.assembly_id == assembly.id)
        ).one()
        or 0
    ) + 1
    now = utcnow()
    round_ = SeatingRound(assembly_id=assembly.id, number=number, published_at=now, created_at=now)
    db.add(round_)
    db.flush()
    assert round_.id is not None
    for table_no, table in enumerate(tables, start=1):
        for member_id in table:
            db.add(
                Seat(
                    round_id=round_.id,
                    member_id=member_id,
                    table_no=table_no,
                    host=member_id in hosts,
                )
            )
    db.flush()
    event = record(db, assembly.id, "seating", {"seating": seating_of(db, round_).to_payload()})
    return round_, [event]

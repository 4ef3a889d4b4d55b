"""Seating rounds: storing who sits at which table, and publishing a round to every screen."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, func, select

from app.clock import utcnow
from app.events import LoggedEvent, record
from app.models import Assembly, Member, Seat, SeatingRound
from app.snapshot import seating_of


def next_number(db: Session, assembly_id: int) -> int:
    latest = db.exec(
        select(func.max(SeatingRound.number)).where(SeatingRound.assembly_id == assembly_id)
    ).one()
    return (latest or 0) + 1


def store_round(
    db: Session,
    assembly: Assembly,
    number: int,
    tables: Sequence[Sequence[int]],
    hosts: set[int] | frozenset[int] = frozenset(),
) -> SeatingRound:
    """Keep a round (tables of member ids, table 1 first) unpublished, as a draft."""
    assert assembly.id is not None
    members = set(db.exec(select(Member.id).where(Member.assembly_id == assembly.id)))
    seated = [m for table in tables for m in table]
    if len(seated) != len(set(seated)) or not set(seated) <= members:
        raise ValueError("each member at most once, and only members of this assembly")
    round_ = SeatingRound(assembly_id=assembly.id, number=number, created_at=utcnow())
    db.add(round_)
    db.flush()
    round_id = round_.id
    assert round_id is not None
    for table_no, table in enumerate(tables, start=1):
        for member_id in table:
            db.add(
                Seat(
                    round_id=round_id,
                    member_id=member_id,
                    table_no=table_no,
                    host=member_id in hosts,
                )
            )
    db.flush()
    return round_


def publish(db: Session, round_: SeatingRound) -> LoggedEvent:
    """Make a stored round the one everybody sits by: one ``seating`` event for every screen."""
    round_.published_at = utcnow()
    db.add(round_)
    db.flush()
    payload = {"seating": seating_of(db, round_).to_payload()}
    return record(db, round_.assembly_id, "seating", payload)


def do_publish_round(
    db: Session, assembly: Assembly, tables: list[list[int]], hosts: set[int] | None = None
) -> tuple[SeatingRound, list[LoggedEvent]]:
    """Store a round as the next one and publish it at once."""
    assert assembly.id is not None
    round_ = store_round(db, assembly, next_number(db, assembly.id), tables, hosts or set())
    return round_, [publish(db, round_)]

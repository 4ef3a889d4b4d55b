"""Changing tables in the room: check-in, planning rounds ahead with the rotation engine,
editing a draft, publishing it to every screen, and re-planning after absences or late arrivals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.agenda import do_set_scene
from app.errors import ActionError
from app.events import LoggedEvent
from app.members import members_of
from app.models import Assembly, Member, Seat, SeatingRound
from app.seating import publish, store_round
from app.snapshot import published_round, seating_of
from facilitation.rotation import (
    Constraints,
    RotationError,
    RotationProblem,
    TableLayout,
    plan_rounds,
    repair_round,
)
from facilitation.rotation import (
    Member as Seated,
)

DEFAULT_PRIORITIES = {"gender": 4.0, "age": 3.0, "education": 1.0, "area": 1.0}
PLAN_SECONDS = 8.0  # the whole horizon; the engine plans 200 people × 10 rounds within it
REPAIR_SECONDS = 0.5


@dataclass(frozen=True)
class PlanRequest:
    table_size: int
    rounds: int
    balance: dict[str, float]
    seed: int
    hosts: frozenset[int] = frozenset()  # members who stay at their current table (World Café)


def rounds_of(db: Session, assembly_id: int, drafts: bool) -> list[SeatingRound]:
    query = select(SeatingRound).where(SeatingRound.assembly_id == assembly_id)
    query = query.where(
        SeatingRound.published_at == None if drafts else SeatingRound.published_at != None  # noqa: E711
    )
    return list(db.exec(query.order_by(col(SeatingRound.number), col(SeatingRound.id))))


def tables_of(db: Session, round_: SeatingRound) -> list[list[int]]:
    """The round's tables as lists of member ids, table 1 first."""
    seating = seating_of(db, round_)
    return [seating.at_table(t) for t in seating.tables]


def history(db: Session, assembly_id: int) -> list[list[list[str]]]:
    """Every published round, as the rotation engine wants it (ids as strings)."""
    return [
        [[str(m) for m in t] for t in tables_of(db, r)] for r in rounds_of(db, assembly_id, False)
    ]


def do_set_present(db: Session, assembly: Assembly, member_id: int, present: bool) -> None:
    member = db.get(Member, member_id)
    if member is None or member.assembly_id != assembly.id:
        raise ActionError("not_allowed")
    member.present = present
    db.add(member)


def _problem(
    db: Session,
    assembly: Assembly,
    rounds: int,
    layout: TableLayout,
    balance: dict[str, float],
    extra_history: list[list[list[str]]] | None = None,
    hosts: dict[str, int] | None = None,
) -> tuple[RotationProblem, list[Member]]:
    assert assembly.id is not None
    roster = [m for m in members_of(db, assembly.id, active_only=True)]
    present = [m for m in roster if m.present]
    if len(present) < 2:
        raise ActionError("too_few_present")
    problem = RotationProblem(
        members=[Seated(str(m.id), m.attributes) for m in roster],
        rounds=rounds,
        layout=layout,
        present=frozenset(str(m.id) for m in present),
        history=[*history(db, assembly.id), *(extra_history or [])],
        balance=balance,
        constraints=Constraints(hosts=hosts or {}),
    )
    return problem, present


@dataclass(frozen=True)
class PlannedRounds:
    tables: list[list[list[int]]]  # rounds → tables → member ids
    hosts: frozenset[int]


def prepare_plan(db: Session, assembly: Assembly, request: PlanRequest) -> PlannedRounds:
    """Plan ``request.rounds`` rounds for who is present, after every published round. Only
    reads: run it outside a write transaction, the search takes seconds."""
    assert assembly.id is not None
    current = published_round(db, assembly.id)
    seated = seating_of(db, current).seats if current is not None else {}
    hosts = {str(m): seated[m][0] - 1 for m in request.hosts if m in seated}  # 0-based tables
    problem, _present = _problem(
        db,
        assembly,
        request.rounds,
        TableLayout(size=request.table_size),
        request.balance,
        hosts=hosts,
    )
    try:
        plan = plan_rounds(
            problem, seed=request.seed, time_limit=PLAN_SECONDS, clock=time.monotonic
        )
    except RotationError as exc:
        raise ActionError("rotation") from exc
    tables = [[[int(m) for m in t] for t in round_] for round_ in plan.rounds]
    return PlannedRounds(tables, frozenset(int(m) for m in hosts))


def do_store_plan(db: Session, assembly: Assembly, planned: PlannedRounds) -> list[SeatingRound]:
    """Keep planned rounds as drafts (replacing earlier drafts) for the facilitator to check."""
    assert assembly.id is not None
    for old in rounds_of(db, assembly.id, drafts=True):
        for seat in db.exec(select(Seat).where(Seat.round_id == old.id)):
            db.delete(seat)
        db.delete(old)
    db.flush()
    published = rounds_of(db, assembly.id, drafts=False)
    number = (published[-1].number if published else 0) + 1
    return [
        store_round(db, assembly, number + offset, tables, planned.hosts)
        for offset, tables in enumerate(planned.tables)
    ]


def _draft(db: Session, assembly: Assembly, round_id: int) -> SeatingRound:
    round_ = db.get(SeatingRound, round_id)
    if round_ is None or round_.assembly_id != assembly.id or round_.published_at is not None:
        raise ActionError("no_such_round")
    return round_


def do_move(db: Session, assembly: Assembly, round_id: int, member_id: int, table_no: int) -> None:
    """Move one person in a draft round to another table (a drag, or the "move to" control)."""
    round_ = _draft(db, assembly, round_id)
    seat = db.exec(
        select(Seat).where(Seat.round_id == round_.id, Seat.member_id == member_id)
    ).first()
    tables = {t for t in db.exec(select(Seat.table_no).where(Seat.round_id == round_.id))}
    if seat is None or table_no not in tables | {max(tables, default=0) + 1}:
        raise ActionError("bad_message")
    seat.table_no = table_no
    db.add(seat)


def do_publish(db: Session, assembly: Assembly, round_id: int) -> list[LoggedEvent]:
    """Publish a draft: every phone shows its table at once, the projector shows the plan."""
    events = [publish(db, _draft(db, assembly, round_id))]
    return events + do_set_scene(db, assembly, "plan")


def do_replan(db: Session, assembly: Assembly, seed: int) -> tuple[list[LoggedEvent], int]:
    """Re-seat the published round for who is present now, moving as few people as possible;
    returns the events and how many people moved."""
    assert assembly.id is not None
    current = published_round(db, assembly.id)
    if current is None:
        raise ActionError("no_such_round")
    tables = [[str(m) for m in t] for t in tables_of(db, current)]
    seats = seating_of(db, current).seats
    hosts = {m for m, (_table, host) in seats.items() if host}
    problem, _present = _problem(
        db,
        assembly,
        1,
        TableLayout(count=len(tables)),
        dict(DEFAULT_PRIORITIES),
        hosts={str(m): seats[m][0] - 1 for m in hosts},
    )
    earlier = [r for r in problem.history if r != tables]
    problem = RotationProblem(
        members=problem.members,
        rounds=1,
        layout=problem.layout,
        present=problem.present,
        history=earlier,
        balance=problem.balance,
        constraints=problem.constraints,
    )
    try:
        repair = repair_round(
            problem, tables, seed=seed, time_limit=REPAIR_SECONDS, clock=time.monotonic
        )
    except RotationError as exc:
        raise ActionError("rotation") from exc
    # hosts are a hard constraint of the repair: they keep their table and their flag
    tables_now = [[int(m) for m in t] for t in repair.tables]
    event = publish(db, store_round(db, assembly, current.number, tables_now, hosts))
    return [event], len(repair.moved) + len(repair.seated)

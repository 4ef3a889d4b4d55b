"""The event log: each state change writes an event in the same transaction, numbered per
assembly in commit order (the assembly row is the counter, so concurrent writers queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import Event


@dataclass(frozen=True)
class LoggedEvent:
    assembly_id: int
    seq: int
    kind: str
    audience: str
    payload: dict[str, Any]


def record(
    db: Session, assembly_id: int, kind: str, payload: dict[str, Any], audience: str = "all"
) -> LoggedEvent:
    """Append an event; the caller's transaction commits it together with the change."""
    seq = db.execute(
        text("UPDATE assembly SET last_seq = last_seq + 1 WHERE id = :id RETURNING last_seq"),
        {"id": assembly_id},
    ).scalar_one()
    db.add(
        Event(
            assembly_id=assembly_id,
            seq=seq,
            kind=kind,
            audience=audience,
            payload=payload,
            created_at=utcnow(),
        )
    )
    logged = LoggedEvent(assembly_id, seq, kind, audience, payload)
    db.info.setdefault(_RECORDED, []).append(logged)
    return logged


_RECORDED = "samling.recorded"


def recorded(db: Session, since: int = 0) -> list[LoggedEvent]:
    """The events recorded in this session's transaction so far, in order, from the
    ``since``-th on (what the write path rings after the commit, app/writes.py)."""
    return list(db.info.get(_RECORDED, ())[since:])


def recorded_count(db: Session) -> int:
    """How many events this session's transaction has recorded (a mark for ``recorded``)."""
    return len(db.info.get(_RECORDED, ()))


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_recorded(session: OrmSession, previous: SessionTransaction) -> None:
    """A rolled-back transaction committed none of its events: nothing to ring."""
    if not previous.nested:
        session.info.pop(_RECORDED, None)


@event.listens_for(OrmSession, "after_transaction_end")
def _ended(session: OrmSession, transaction: SessionTransaction) -> None:
    """The outermost transaction ended (committed: rung by its writer; or rolled back). A
    SAVEPOINT's end (``begin_nested``, app/groupcommit.py) keeps what the transaction holds."""
    if transaction.parent is None:
        session.info.pop(_RECORDED, None)


def forget_recorded_after(db: Session, mark: int) -> None:
    """A SAVEPOINT was rolled back: the events it recorded (after the first ``mark``) were
    never committed and must not be rung."""
    kept = db.info.get(_RECORDED)
    if kept is not None:
        del kept[mark:]


def events_after(db: Session, assembly_id: int, seq: int, limit: int = 1000) -> list[LoggedEvent]:
    rows = db.exec(
        select(Event)
        .where(Event.assembly_id == assembly_id, Event.seq > seq)
        .order_by(col(Event.seq))
        .limit(limit)
    )
    return [LoggedEvent(r.assembly_id, r.seq, r.kind, r.audience, r.payload) for r in rows]


def last_seqs(db: Session, assembly_ids: list[int]) -> dict[int, int]:
    from app.models import Assembly

    if not assembly_ids:
        return {}
    query = select(Assembly.id, Assembly.last_seq).where(col(Assembly.id).in_(assembly_ids))
    return {int(aid): int(seq) for aid, seq in db.exec(query) if aid is not None}

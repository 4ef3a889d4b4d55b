"""The one write path: who may → one write transaction → the events it recorded → the ring.

Every change anyone makes goes through here: a console form (``facilitator_write``), a phone's
form and the hub's presence (``write``), a socket message (``app/dispatch.py`` runs ``commit``
and its connection rings after the reply). ``commit`` runs ``work(db)`` in one write
transaction and hands back its value together with every event the transaction recorded
(``app.events.record`` keeps them on the session), so an event can never be committed and
then not rung. Reads do not come here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.auth import get_assembly, signed_in
from app.db import session_scope
from app.events import LoggedEvent, recorded
from app.models import Assembly, Facilitator
from app.roles import enforce

T = TypeVar("T")

# What a page asks of the person before it changes anything (app/roles.py): "facilitator" is
# whatever the capability map (``app.roles.ROUTES``) names for the request's route; the others
# name a capability outright.
Capability = Literal["facilitator", "account", "organise", "room", "table", "observe"]


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a committed write gives back: the work's value and the events it recorded."""

    value: T
    events: list[LoggedEvent]


class Bell(Protocol):
    """What the write path needs of the hub: the engine, and the doorbell after a commit."""

    engine: Engine

    async def ring(self, events: list[LoggedEvent]) -> None: ...


def commit(engine: Engine, work: Callable[[Session], T]) -> Written[T]:
    """Run ``work(db)`` in one write transaction; on success, its value and every event it
    recorded. An exception rolls everything back and propagates."""
    with session_scope(engine, write=True) as db:
        value = work(db)
        events = recorded(db)
    return Written(value, events)


async def write(bell: Bell, work: Callable[[Session], T]) -> T:
    """``commit`` in the threadpool, then ring the hub with the events it recorded."""
    written = await run_in_threadpool(commit, bell.engine, work)
    await bell.ring(written.events)
    return written.value


def require(
    conn: Request, db: Session, capability: Capability, assembly_id: int | None
) -> Facilitator:
    """The signed-in person whose role in ``assembly_id`` allows ``capability``, or: login
    (GET) / 403 (app/roles.py). ``assembly_id`` None: the route's path names it, if any."""
    facilitator = signed_in(conn, db)
    enforce(conn, db, facilitator, None if capability == "facilitator" else capability, assembly_id)
    return facilitator


async def facilitator_write(
    conn: Request,
    work: Callable[[Session, Assembly, Facilitator], T],
    capability: Capability = "facilitator",
) -> T:
    """The one way a facilitator's form changes an assembly (``/f/a/<assembly_id>/…``): who
    may, then ``work(db, assembly, facilitator)`` in one write transaction, then the ring. An
    ActionError (or HTTPException) propagates: the page decides how to say no."""
    assembly_id = int(conn.path_params["assembly_id"])

    def run(db: Session) -> T:
        facilitator = require(conn, db, capability, assembly_id)
        return work(db, get_assembly(db, assembly_id), facilitator)

    return await write(conn.app.state.hub, run)

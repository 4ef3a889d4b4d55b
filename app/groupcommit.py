"""Group commit: one writer per process commits the writes that arrive together in one
transaction.

When a whole room presses "send" at once, a transaction per note makes the notes queue for
SQLite's write lock in its busy handler, which sleeps in growing steps (up to 100 ms) between
tries, and on PostgreSQL for the assembly's row one after the other. Here they queue in the
process instead: the writer task takes everything that has arrived since its last commit and
runs it in one write transaction (one ``BEGIN IMMEDIATE``, one commit, one run of sequence
numbers), on its own thread, then rings the hub with every event of the batch at once.

What each write keeps of its own: its work runs in a SAVEPOINT, so a refusal (ActionError), a
duplicate found by the unique index (IntegrityError, tried once more) or any other error undoes
that write alone and goes back to its sender alone; the others commit. Each sender hears only
after the commit (``submit`` returns then), so an ack still means "stored"; order is still
the sequence, allocated in the one transaction in the order the writes arrived. If the commit
itself fails, every sender of the batch gets the error (the socket closes with 1011 and the
page resends its outbox, as before).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import session_scope
from app.events import LoggedEvent, forget_recorded_after, recorded, recorded_count

log = logging.getLogger("samling.groupcommit")

T = TypeVar("T")
MAX_BATCH = 1000  # writes in one transaction at most; the rest commit right after


@dataclass(frozen=True)
class Done:
    """One write of a batch: its value (or the error that undid it alone) and its events."""

    value: Any
    events: list[LoggedEvent]
    error: BaseException | None = None


@dataclass
class _Job:
    work: Callable[[Session], Any]
    done: asyncio.Future[Done]
    on_commit: Callable[[Done], None] | None = None


@dataclass
class _Lane:
    """The writer's queue and task on one event loop (a server has one; tests' clients each
    run their own, and a future belongs to its loop)."""

    queue: list[_Job] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


def commit_batch(engine: Engine, works: list[Callable[[Session], Any]]) -> list[Done]:
    """Run every work in one write transaction, each in its own savepoint; commit once.

    An exception from the commit propagates (nothing of the batch was stored)."""
    results: list[Done] = []
    with session_scope(engine, write=True) as db:
        # The session's identity map holds objects weakly: the assembly, the open phase and
        # the seating round one note loaded would be gone (and read again) for the next.
        # Held here, each is read once per batch.
        held: list[object] = []
        event.listen(db, "loaded_as_persistent", lambda _db, instance: held.append(instance))
        for work in works:
            mark = recorded_count(db)
            for attempt in (1, 2):
                savepoint = db.begin_nested()
                try:
                    value = work(db)
                    savepoint.commit()
                except IntegrityError as exc:
                    # the same note on two sockets (two processes) at once: the second try
                    # finds it stored
                    savepoint.rollback()
                    forget_recorded_after(db, mark)
                    if attempt == 1:
                        continue
                    results.append(Done(None, [], exc))
                except Exception as exc:
                    savepoint.rollback()
                    forget_recorded_after(db, mark)
                    results.append(Done(None, [], exc))
                else:
                    results.append(Done(value, recorded(db, since=mark)))
                break
    return results


class GroupWriter:
    """The process's one writer: ``await submit(work)`` → the work's ``Done`` after commit."""

    def __init__(
        self, engine: Engine, ring: Callable[[list[LoggedEvent]], Awaitable[None]]
    ) -> None:
        self.engine = engine
        self.ring = ring
        self.lanes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Lane] = (
            weakref.WeakKeyDictionary()
        )
        # one thread: the batches of every lane commit one after the other
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="samling-writer")
        self.batches = 0  # for the benchmark's curiosity and the tests
        self.largest = 0

    async def submit(
        self, work: Callable[[Session], T], on_commit: Callable[[Done], None] | None = None
    ) -> Done:
        """Queue ``work(db)`` for the next group commit; its ``Done`` once committed.

        ``on_commit(done)`` runs on the event loop right after the commit, before the batch is
        rung: a socket's ack goes into its queue ahead of the fan-out's fragments."""
        loop = asyncio.get_running_loop()
        lane = self.lanes.get(loop)
        if lane is None or lane.task is None or lane.task.done():
            self.lanes[loop] = lane = _Lane()
            lane.task = loop.create_task(self._run(lane))
        done: asyncio.Future[Done] = loop.create_future()
        lane.queue.append(_Job(work, done, on_commit))
        lane.wake.set()
        # a sender that goes away cancels only its own future: the batch commits regardless
        # (its note is stored; the page's resend finds it)
        return await done

    async def stop(self) -> None:
        """Stop this loop's lane (what it has queued is not written: nobody was acked)."""
        lane = self.lanes.pop(asyncio.get_running_loop(), None)
        if lane is not None and lane.task is not None:
            lane.task.cancel()
            with contextlib.suppress(BaseException):
                await lane.task

    async def _run(self, lane: _Lane) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await lane.wake.wait()
            lane.wake.clear()
            while lane.queue:
                batch, lane.queue = lane.queue[:MAX_BATCH], lane.queue[MAX_BATCH:]
                works = [job.work for job in batch]
                try:
                    results = await loop.run_in_executor(
                        self.thread, commit_batch, self.engine, works
                    )
                except Exception as exc:  # the commit failed: nothing of the batch is stored
                    for job in batch:
                        if not job.done.done():
                            job.done.set_exception(exc)
                    continue
                self.batches += 1
                self.largest = max(self.largest, len(batch))
                for job, result in zip(batch, results, strict=True):
                    if job.on_commit is not None:
                        try:
                            job.on_commit(result)
                        except Exception:
                            log.exception("answering a committed write failed")
                    if not job.done.done():
                        job.done.set_result(result)
                # then the fan-out, with no await before it: the ring cannot be lost to a loop
                # that stops once its senders have their answers
                events = [event for result in results for event in result.events]
                try:
                    await self.ring(events)
                except Exception:  # the safety poll delivers what a failed ring did not
                    log.exception("ring after a group commit failed")

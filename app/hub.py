"""The websocket hub: live connections, the doorbell, and delivery from the event log.

The database is the log; the bus only rings. After a ring, and on a short safety poll, each
process reads events newer than what its connections have and hands each connection the
fragments for its role. A lost ring or a Redis outage delays delivery; it never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Hashable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

if TYPE_CHECKING:
    from redis.asyncio import Redis

from app.config import Settings
from app.db import session_scope
from app.events import LoggedEvent, events_after, last_seqs
from app.groupcommit import GroupWriter
from app.notes import do_presence, do_sweep_presence
from app.snapshot import load_room
from app.views import (
    Viewer,
    event_note,
    event_view_key,
    heartbeat_fragment,
    is_whole_view,
    render_event,
)
from app.writes import write
from facilitation.ratelimit import RateLimiter
from facilitation.room import RoomState, apply_event

log = logging.getLogger("samling.hub")

QUEUE_SIZE = 1000  # fragments waiting for one socket (two delivery batches); more → 1013
SAFETY_POLL = 1.0  # seconds between log reads when no ring comes (lost ring, Redis down)
HEARTBEAT = 20.0  # the client watchdog reconnects after ~45 s of silence
PRESENCE_REFRESH = 15.0
PRESENCE_GRACE = 5.0  # a phone back within this many seconds never went offline
CONNECT_BURST, CONNECT_RATE = 30, 0.5  # connects per participant: a burst, then one per 2 s
MAX_RESUME = 500  # a cursor further behind than this gets a fresh snapshot instead
BATCH = 500
CHANNEL = "samling:ring"
SIGNS_OUT = frozenset({"roster", "access"})  # events that may close sockets
SIGNED_OUT = 1008  # the close code for a socket whose credentials stopped working


class Connection:
    """One socket: its viewer, its cursor, a bounded queue and its own sender task."""

    def __init__(
        self, websocket: WebSocket, viewer: Viewer, cursor: int, table_no: int | None = None
    ) -> None:
        self.websocket = websocket
        self.viewer = viewer
        self.cursor = cursor
        self.table_no = table_no if viewer.role == "participant" else viewer.table_no
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_SIZE)
        self.closed = False
        self.sender = asyncio.create_task(self._send_loop())

    def offer(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.close(1013)  # try again later: it reconnects and resyncs, nobody else waits

    def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        self.sender.cancel()
        asyncio.get_running_loop().create_task(self._close(code))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await self.websocket.close(code)

    async def _send_loop(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                if text is None:
                    return
                await self.websocket.send_text(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket went away; the receive loop notices and cleans up
            self.closed = True


class Hub:
    """Connections of this process, grouped by assembly, and the delivery loop."""

    def __init__(self, settings: Settings, engine: Engine, note_limit: RateLimiter) -> None:
        self.settings = settings
        self.engine = engine
        self.process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.connections: dict[int, set[Connection]] = defaultdict(set)
        self.bell = asyncio.Event()
        self.redis: Redis | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.delivered_events = 0
        self.rooms: dict[int, RoomState] = {}
        self.note_limit = note_limit  # per participant, for notes (app/dispatch.py's rule)
        self.connect_limit = RateLimiter(burst=CONNECT_BURST, per_second=CONNECT_RATE)
        self.presence_grace = PRESENCE_GRACE
        self.sockets_of: dict[int, int] = {}  # member -> live sockets in this process
        # member -> (task, viewer): offline once the grace has passed
        self.leaving: dict[int, tuple[asyncio.Task[None], Viewer]] = {}
        self.stopping = False
        # the process's one writer for the notes sockets send (app/groupcommit.py)
        self.writer = GroupWriter(engine, self.ring)

    async def start(self) -> None:
        if self.settings.redis_url:
            import redis.asyncio as aioredis
            from redis.backoff import ExponentialBackoff
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import TimeoutError as RedisTimeoutError
            from redis.retry import Retry

            self.redis = aioredis.from_url(
                self.settings.redis_url,
                retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
                retry_on_error=[RedisConnectionError, RedisTimeoutError],
                health_check_interval=5,
                socket_connect_timeout=2,
                socket_timeout=5,
            )
            self.tasks.append(asyncio.create_task(self._listen_redis()))
        self.tasks.append(asyncio.create_task(self._deliver_loop()))
        self.tasks.append(asyncio.create_task(self._heartbeat_loop()))
        self.tasks.append(asyncio.create_task(self._presence_loop()))

    async def stop(self) -> None:
        self.stopping = True  # from now on a closing socket's member goes offline at once
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
        leaving, self.leaving = list(self.leaving.values()), {}
        for task, viewer in leaving:  # nobody will be here when the grace ends
            task.cancel()
            await self._write_presence(viewer, -1)
        await self.writer.stop()
        for conns in self.connections.values():
            for conn in list(conns):
                conn.close(1012)  # service restart: clients reconnect
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()

    # -- the doorbell ----------------------------------------------------------------------

    async def ring(self, events: list[LoggedEvent]) -> None:
        """After a commit: wake this process at once, and the others through Redis."""
        if not events:
            return
        by_assembly: dict[int, list[LoggedEvent]] = defaultdict(list)
        for event in events:
            by_assembly[event.assembly_id].append(event)
        for batch in by_assembly.values():
            self._deliver_committed(batch)
        self.bell.set()
        if self.redis is not None:
            try:
                await self.redis.publish(CHANNEL, str(events[-1].assembly_id))
            except Exception as exc:  # the safety poll delivers anyway
                log.warning("redis publish failed: %s", exc)

    async def _listen_redis(self) -> None:
        assert self.redis is not None
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(CHANNEL)
                self.bell.set()  # we may have missed rings while away
                async for _message in pubsub.listen():
                    self.bell.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("redis subscription lost (%s); polling until it is back", exc)
                await asyncio.sleep(0.5)

    # -- delivery --------------------------------------------------------------------------

    def add(self, conn: Connection) -> None:
        self.connections[conn.viewer.assembly_id].add(conn)
        self.bell.set()  # a resuming connection may be behind: catch it up now

    def remove(self, conn: Connection) -> None:
        conns = self.connections.get(conn.viewer.assembly_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:  # nobody here to keep the room moving: read it afresh next time
                del self.connections[conn.viewer.assembly_id]
                self.rooms.pop(conn.viewer.assembly_id, None)

    async def _deliver_loop(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that lands as it times out, and then this loop would never stop
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SAFETY_POLL):
                    await self.bell.wait()
            self.bell.clear()
            try:
                await self.deliver()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery failed; retrying on the next poll")
                await asyncio.sleep(0.2)

    async def room(self, assembly_id: int) -> RoomState:
        """The assembly's live room, kept in memory and moved forward by the events this
        process delivers (``apply_event``, which the equivalence tests hold to the database)."""
        state = self.rooms.get(assembly_id)
        if state is None:

            def load() -> RoomState:
                with session_scope(self.engine) as db:
                    return load_room(db, assembly_id)

            loaded = await run_in_threadpool(load)
            state = self.rooms.get(assembly_id)
            if state is None or state.seq < loaded.seq:
                self.rooms[assembly_id] = state = loaded
        return state

    def _deliver_committed(self, events: list[LoggedEvent]) -> None:
        """Fast path: events this process just committed follow on from its room directly,
        so they go out without reading them back. Anything else waits for ``deliver``."""
        aid = events[0].assembly_id
        room = self.rooms.get(aid)
        if room is None or events[0].seq != room.seq + 1 or aid not in self.connections:
            return
        if any(b.seq != a.seq + 1 for a, b in zip(events, events[1:], strict=False)):
            return
        for event in events:
            room = apply_event(room, event.seq, event.kind, event.payload)
        self.rooms[aid] = room
        self._fan_out(aid, events, room)

    async def deliver(self) -> None:
        """Read what this process's connections have not had yet, in order, and hand it out."""
        if not self.connections:
            return
        wanted = {
            aid: min(c.cursor for c in conns) for aid, conns in self.connections.items() if conns
        }
        rooms = {aid: self.rooms.get(aid) for aid in wanted}

        def read() -> dict[int, tuple[list[LoggedEvent], RoomState | None]]:
            with session_scope(self.engine) as db:
                newest = last_seqs(db, list(wanted))
                batches = {}
                for aid, since in wanted.items():
                    room = rooms[aid]
                    if newest.get(aid, 0) <= since and room is not None:
                        continue
                    events = events_after(db, aid, since, BATCH)
                    gap = room is None or (events and room.seq < events[0].seq - 1)
                    batches[aid] = (events, load_room(db, aid) if gap else None)
                return batches

        batches = await run_in_threadpool(read)
        more = False
        for aid, (events, fresh) in batches.items():
            room = self.rooms.get(aid)
            if fresh is not None and (room is None or room.seq < fresh.seq):
                room = fresh
            for event in events:
                if room is not None and event.seq == room.seq + 1:
                    room = apply_event(room, event.seq, event.kind, event.payload)
            if room is not None and aid in self.connections:  # left meanwhile: keep no room
                self.rooms[aid] = room
            self._fan_out(aid, events, room)
            more = more or len(events) == BATCH
        if more:
            self.bell.set()

    def _fan_out(
        self, assembly_id: int, events: list[LoggedEvent], state: RoomState | None
    ) -> None:
        # phones first: the few heavy views (projector, facilitators) are rendered after them
        conns = sorted(
            self.connections.get(assembly_id, ()), key=lambda c: c.viewer.role != "participant"
        )
        behind = False
        # A whole view (the projector's scene, a facilitator's view after a structural event)
        # is the same for every event of a batch but for its cursor: owe it, and send it once,
        # before the connection's next other fragment or at the end.
        owed: dict[Connection, tuple[LoggedEvent, Hashable]] = {}
        for event in events:
            rendered: dict[Hashable, str] = {}
            note = event_note(event)
            for conn in conns:
                if conn.cursor >= event.seq:
                    continue
                if conn.cursor + 1 != event.seq:  # joined during the read: catch up next round
                    behind = True
                    continue
                conn.cursor = event.seq
                if event.kind == "seating" and conn.viewer.role == "participant" and state:
                    seating = state.seating
                    conn.table_no = seating.table_of(conn.viewer.member_id) if seating else None
                key = event_view_key(event, conn.viewer, conn.table_no, note)
                if key is None:
                    continue
                if is_whole_view(key):
                    owed[conn] = (event, key)
                    continue
                if conn in owed:
                    self._send_whole(conn, *owed.pop(conn), state)
                if key not in rendered:
                    rendered[key] = render_event(event, conn.viewer, conn.table_no, state)
                conn.offer(rendered[key])
            self.delivered_events += 1
            if event.kind in SIGNS_OUT:
                for conn, (owed_event, key) in list(owed.items()):
                    self._send_whole(conn, owed_event, key, state)
                owed.clear()
                self._sign_out(conns, event)
        for conn, (owed_event, key) in owed.items():
            self._send_whole(conn, owed_event, key, state)
        if behind:
            self.bell.set()

    @staticmethod
    def _send_whole(
        conn: Connection, event: LoggedEvent, key: Hashable, state: RoomState | None
    ) -> None:
        # rendered once per audience and batch (app/views.py caches it on the room state)
        conn.offer(render_event(event, conn.viewer, conn.table_no, state))

    @staticmethod
    def _sign_out(conns: list[Connection], event: LoggedEvent) -> None:
        """Close (1008: do not come back with these credentials) the sockets an event signs
        out: a deactivated member's or a revoked join link's phones, a revoked projector."""
        members = set(event.payload.get("signed_out", ()))
        projector = event.kind == "access" and event.payload.get("revoked") == "projector"
        for conn in conns:
            viewer = conn.viewer
            if (viewer.role == "participant" and viewer.member_id in members) or (
                projector and viewer.role == "projector"
            ):
                conn.close(SIGNED_OUT)

    # -- heartbeat and presence ------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            for conns in list(self.connections.values()):
                for conn in list(conns):
                    conn.offer(heartbeat_fragment(conn.cursor))

    async def presence(self, viewer: Viewer, delta: int) -> None:
        """Count a participant's socket in or out, across processes, and tell facilitators.

        Presence is ephemeral, and venue WiFi makes phones drop and come back all the time: the
        database (and so the durable event log) hears only when a member's first socket in this
        process opens, and when the last one has stayed closed for PRESENCE_GRACE. A socket
        that closes and comes back within the grace costs no write and no event."""
        if viewer.role != "participant" or viewer.member_id is None:
            return
        member_id = viewer.member_id
        count = self.sockets_of.get(member_id, 0) + delta
        if count > 0:
            self.sockets_of[member_id] = count
        else:
            self.sockets_of.pop(member_id, None)
        if delta > 0:
            leaving = self.leaving.pop(member_id, None)
            if leaving is not None:
                leaving[0].cancel()  # back within the grace: still online, nothing to write
            elif count == 1:
                await self._write_presence(viewer, +1)
        elif count <= 0 and self.stopping:
            await self._write_presence(viewer, -1)
        elif count <= 0 and member_id not in self.leaving:
            task = asyncio.get_running_loop().create_task(self._leave(viewer))
            self.leaving[member_id] = (task, viewer)

    async def _leave(self, viewer: Viewer) -> None:
        assert viewer.member_id is not None
        try:
            await asyncio.sleep(self.presence_grace)
        finally:
            mine = self.leaving.get(viewer.member_id)
            if mine is not None and mine[0] is asyncio.current_task():
                del self.leaving[viewer.member_id]
        if viewer.member_id not in self.sockets_of:
            await self._write_presence(viewer, -1)

    async def _write_presence(self, viewer: Viewer, delta: int) -> None:
        assert viewer.member_id is not None
        member_id = viewer.member_id

        def work(db: Session) -> None:
            do_presence(db, self.process, viewer.assembly_id, member_id, delta)

        try:
            await write(self, work)
        except Exception:
            log.exception("presence update failed")

    def may_connect(self, viewer: Viewer) -> bool:
        """Connects per participant are rate-limited (a reconnect loop is refused with 1013,
        which the page's websocket extension answers with an exponential back-off)."""
        if viewer.role != "participant":
            return True
        return self.connect_limit.allow(f"member:{viewer.member_id}", time.monotonic())

    async def _presence_loop(self) -> None:
        from sqlmodel import update

        from app.clock import utcnow
        from app.models import Presence

        while True:
            await asyncio.sleep(PRESENCE_REFRESH)

            def work(db: Session) -> None:
                db.exec(
                    update(Presence)
                    .where(col(Presence.process) == self.process)
                    .values(seen_at=utcnow())
                )
                do_sweep_presence(db)

            try:
                await write(self, work)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("presence refresh failed")

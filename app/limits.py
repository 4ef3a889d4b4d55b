"""File descriptors: how many connections this process can take, and refusing the rest cleanly.

Every socket is a file descriptor, and so is every SQLite connection (three: the database, its
WAL and its shared-memory file). A process that runs out cannot accept anything, not even
``/healthz``. So ``samling serve`` raises its soft limit as far as the hard limit allows, keeps a
reserve for the database pool and the process itself, and caps what is left: HTTP connections
through uvicorn's ``limit_concurrency`` (HTTP 503 beyond it), live sockets a little below that
through :class:`SocketCap` (accepted and closed at once with 1013 "try again later", which the
page's websocket extension answers with an exponential back-off), so HTTP, ``/healthz``
included, always has room.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("samling.limits")

WANTED_FDS = 65536
CLOSE_TRY_AGAIN = 1013
SQLITE_FDS_PER_CONNECTION = 3  # the database, -wal and -shm
SQLITE_POOL, POSTGRES_POOL = 8 + 32, 10 + 20  # pool_size + max_overflow in app/db.py
PROCESS_RESERVE = 40  # stdio, listening sockets, event loop, Redis, imports, log files


@dataclass(frozen=True)
class FdPlan:
    soft: int
    hard: int
    http_limit: int  # uvicorn's limit_concurrency: open connections, sockets included
    socket_limit: int  # live websockets; the rest of http_limit stays free for HTTP

    def describe(self) -> str:
        return (
            f"file descriptors: {self.soft} (hard limit {self.hard}); serving at most "
            f"{self.http_limit} connections, of which {self.socket_limit} live sockets"
        )


def raise_fd_limit(wanted: int = WANTED_FDS) -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` where the hard limit allows it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:  # e.g. a container that forbids it
            log.warning("could not raise the file descriptor limit: %s", exc)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard


def plan(soft: int, hard: int, database_url: str = "sqlite://") -> FdPlan:
    """Split ``soft`` descriptors: a reserve, then HTTP connections, most of them sockets."""
    if database_url.startswith("sqlite"):
        database_fds = SQLITE_POOL * SQLITE_FDS_PER_CONNECTION
    else:
        database_fds = POSTGRES_POOL
    reserve = PROCESS_RESERVE + database_fds
    usable = soft - reserve if soft - reserve >= 32 else max(8, soft // 4)
    http_limit = max(8, usable)
    socket_limit = max(4, http_limit - max(4, http_limit // 10))
    return FdPlan(soft, hard, http_limit, socket_limit)


_socket_limit: int | None = None


def set_socket_limit(limit: int | None) -> None:
    """What ``samling serve`` decided; without it (tests, a bare ``uvicorn app.asgi:app``) the
    limit follows this process's current soft limit."""
    global _socket_limit
    _socket_limit = limit


def socket_limit() -> int:
    global _socket_limit
    if _socket_limit is None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        _socket_limit = plan(soft, hard).socket_limit
    return _socket_limit


class SocketCap:
    """Refuse websockets beyond the cap: accept, then close with 1013 at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.open = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        if self.open >= socket_limit():
            self.refused += 1
            log.warning("refused a socket: %s live sockets is the limit", self.open)
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN, "reason": "busy"})
            return
        self.open += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open -= 1

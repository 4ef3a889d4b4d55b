"""Websocket endpoints for the three live surfaces; each checks Origin and identity first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.auth import current_facilitator, current_member, request_language
from app.db import session_scope
from app.dispatch import HelloIn, dispatch, parse
from app.hub import MAX_RESUME, Connection, Hub
from app.members import projector_token
from app.models import Assembly
from app.roles import socket_role
from app.security import same_token
from app.views import PAGES, Viewer, my_table, render_snapshot

HELLO_WAIT = 5.0
log = logging.getLogger("samling.sockets")
CLOSE_POLICY = 1008
CLOSE_TRY_AGAIN = 1013


def origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    return origin is not None and origin in websocket.app.state.settings.origins


async def receive_text(websocket: WebSocket) -> str:
    """The next text frame; a binary frame reads as "" (answered with ``bad_message``, the
    socket stays up) instead of the KeyError that Starlette's ``receive_text`` raises."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text = message.get("text")
    return text if isinstance(text, str) else ""


async def serve(websocket: WebSocket, viewer: Viewer) -> None:
    """Hello → snapshot or resume → live events; inbound messages through the dispatcher."""
    hub: Hub = websocket.app.state.hub
    await websocket.accept()
    pending: str | None = None
    cursor: Any = None
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(HELLO_WAIT):
            first = await receive_text(websocket)
        data = parse(first) or {}
        if data.get("msg") == "hello":
            with contextlib.suppress(ValueError):
                cursor = HelloIn.model_validate(data).cursor
        else:
            pending = first
        del first, data

    state = await hub.room(viewer.assembly_id)
    table_no = my_table(state, viewer)
    try:
        resume = int(cursor) if cursor is not None else None
    except ValueError:
        resume = None
    snapshot = None
    seq = resume if resume is not None else -1
    if not (resume is not None and resume >= 0 and state.seq - resume in range(MAX_RESUME + 1)):
        # rendered from the hub's room, with no await before the connection joins the hub, so
        # no event can fall between the snapshot and the live stream
        seq, snapshot = state.seq, render_snapshot(state, viewer)
    conn = Connection(websocket, viewer, seq, table_no)
    if snapshot is not None:
        conn.offer(snapshot)
    # this frame lives as long as the socket: keep nothing big in it
    del state, snapshot
    hub.add(conn)
    await hub.presence(viewer, +1)
    close_code = 1000
    try:
        if pending is not None:
            await _handle(hub, conn, pending)
            pending = None
        while not conn.closed:
            raw = await receive_text(websocket)
            await _handle(hub, conn, raw)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:  # e.g. the database refused: 1011 makes the page reconnect and resend
        log.exception("closing a socket after an unexpected error")
        close_code = 1011
    finally:
        hub.remove(conn)
        conn.close(close_code)
        await hub.presence(viewer, -1)


async def _handle(hub: Hub, conn: Connection, raw: str) -> None:
    outcome = await dispatch(hub, conn.viewer, raw, conn.offer)
    for reply in outcome.replies:
        conn.offer(reply)
    await hub.ring(outcome.events)


async def _identify(websocket: WebSocket, who: Callable[[Session], Viewer | None]) -> None:
    """Check Origin, then identity (in the threadpool: no database work on the event loop);
    refuse before accepting, or serve."""
    if not origin_allowed(websocket):
        await websocket.close(CLOSE_POLICY)
        return

    def look_up() -> Viewer | None:
        with session_scope(websocket.app.state.engine) as db:
            return who(db)

    viewer = await run_in_threadpool(look_up)
    if viewer is None:
        await websocket.close(CLOSE_POLICY)
        return
    if not websocket.app.state.hub.may_connect(viewer):  # a reconnect loop: back off
        await websocket.accept()
        await websocket.close(CLOSE_TRY_AGAIN)
        return
    await serve(websocket, viewer)


async def participant_socket(websocket: WebSocket) -> None:
    def who(db: Session) -> Viewer | None:
        member = current_member(websocket, db)
        if member is None or member.id is None:
            return None
        return Viewer(
            "participant",
            request_language(websocket),
            member.assembly_id,
            member.id,
            member.name,
            nonce=member.token_nonce,
        )

    await _identify(websocket, who)


async def facilitator_socket(websocket: WebSocket) -> None:
    assembly_id = int(websocket.path_params["assembly_id"])
    table = websocket.query_params.get("table", "")
    page = websocket.query_params.get("page", "")  # the theme board or the drafts pages

    def who(db: Session) -> Viewer | None:
        facilitator = current_facilitator(websocket, db)
        if facilitator is None or db.get(Assembly, assembly_id) is None:
            return None
        table_no = int(table) if table.isdigit() and len(table) < 10 else None
        # the role (app/roles.py): a table facilitator only on ?table= one of theirs
        membership = socket_role(db, facilitator, assembly_id, table_no)
        if membership is None:
            return None
        return Viewer(
            "facilitator",
            request_language(websocket),
            assembly_id,
            facilitator_id=facilitator.id,
            table_no=table_no,
            page=page if page in PAGES and membership.role != "table" else "",
            access=membership.role,
        )

    await _identify(websocket, who)


async def projector_socket(websocket: WebSocket) -> None:
    assembly_id = int(websocket.path_params["assembly_id"])
    settings = websocket.app.state.settings

    def who(db: Session) -> Viewer | None:
        assembly = db.get(Assembly, assembly_id)
        if assembly is None or not same_token(
            projector_token(settings, assembly), websocket.path_params["token"]
        ):
            return None
        return Viewer("projector", request_language(websocket), assembly_id)

    await _identify(websocket, who)


routes = [
    WebSocketRoute("/ws/participant", participant_socket),
    WebSocketRoute("/ws/facilitator/{assembly_id:int}", facilitator_socket),
    WebSocketRoute("/ws/projector/{assembly_id:int}/{token:str}", projector_socket),
]

"""The one dispatcher for inbound websocket messages.

Each message kind has a schema and the roles allowed to send it. A message is parsed, checked
(role, assembly, current state), then acted on in one transaction; anything refused gets an
error fragment and changes nothing. The connection stays up either way.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from app.actions import ActionError, do_add_note, do_set_note_hidden
from app.db import session_scope
from app.events import LoggedEvent
from app.models import Member
from app.snapshot import note_view
from app.views import render_ack, render_error
from facilitation.ratelimit import RateLimiter

if TYPE_CHECKING:
    from app.hub import Connection, Hub

MAX_MESSAGE = 64 * 1024
CLIENT_KEY = r"^[A-Za-z0-9_-]{8,64}$"


class Inbound(BaseModel):
    # htmx adds HEADERS (htmx 2) / headers (htmx 4); extra fields are ignored.
    model_config = ConfigDict(extra="ignore")


class HelloIn(Inbound):
    msg: Literal["hello"]
    cursor: int | str | None = None


class NoteIn(Inbound):
    msg: Literal["note"]
    kind: str = Field(max_length=20)
    text: str = Field(max_length=5000)
    client_key: str = Field(pattern=CLIENT_KEY)


class NoteHideIn(Inbound):
    msg: Literal["note_hide"]
    note_id: int
    hidden: bool


@dataclass(frozen=True)
class Outcome:
    replies: list[str]
    events: list[LoggedEvent]


Handler = Callable[["Hub", "Connection", Any], Awaitable[Outcome]]


def note_limiter() -> RateLimiter:
    """Per participant, not per address: a whole room shares one NAT."""
    return RateLimiter(burst=10, per_second=0.25)


async def handle_note(hub: Hub, conn: Connection, message: NoteIn) -> Outcome:
    viewer = conn.viewer

    def work() -> Outcome:
        with session_scope(hub.engine, write=True) as db:
            member = db.get(Member, viewer.member_id)
            if member is None or not member.active or member.assembly_id != viewer.assembly_id:
                return Outcome([render_error(viewer, "not_allowed")], [])
            try:
                result = do_add_note(db, member, message.kind, message.text, message.client_key)
            except ActionError as exc:
                db.rollback()
                return Outcome(
                    [render_error(viewer, exc.code, message.client_key, message.text)], []
                )
            view = note_view(result.note, member.name)
        return Outcome([render_ack(viewer, view)], result.events)

    if not hub.note_limit.allow(f"member:{viewer.member_id}", time.monotonic()):
        return Outcome([render_error(viewer, "rate_limited")], [])
    return await run_in_threadpool(work)


async def handle_note_hide(hub: Hub, conn: Connection, message: NoteHideIn) -> Outcome:
    viewer = conn.viewer

    def work() -> Outcome:
        with session_scope(hub.engine, write=True) as db:
            try:
                events = do_set_note_hidden(db, viewer.assembly_id, message.note_id, message.hidden)
            except ActionError as exc:
                db.rollback()
                return Outcome([render_error(viewer, exc.code)], [])
        return Outcome([], events)

    return await run_in_threadpool(work)


# msg -> (schema, roles allowed, handler). `hello` is handled by the connection itself.
HANDLERS: dict[str, tuple[type[Inbound], frozenset[str], Handler]] = {
    "note": (NoteIn, frozenset({"participant"}), handle_note),  # type: ignore[dict-item]
    "note_hide": (NoteHideIn, frozenset({"facilitator"}), handle_note_hide),  # type: ignore[dict-item]
}
INBOUND_KINDS = ("hello", *HANDLERS)


def parse(raw: str) -> dict[str, Any] | None:
    if len(raw.encode()) > MAX_MESSAGE:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def dispatch(hub: Hub, conn: Connection, raw: str) -> Outcome:
    """Check and carry out one inbound message; always returns what to reply."""
    viewer = conn.viewer
    data = parse(raw)
    if data is None:
        code = "too_large" if len(raw) > MAX_MESSAGE else "bad_message"
        return Outcome([render_error(viewer, code)], [])
    entry = HANDLERS.get(str(data.get("msg")))
    if entry is None:
        return Outcome([render_error(viewer, "bad_message")], [])
    schema, roles, handler = entry
    if viewer.role not in roles:
        return Outcome([render_error(viewer, "not_allowed")], [])
    try:
        message = schema.model_validate(data)
    except ValidationError:
        key = data.get("client_key")
        key = key if isinstance(key, str) and re.match(CLIENT_KEY, key) else None
        text = data.get("text") if isinstance(data.get("text"), str) else ""
        return Outcome([render_error(viewer, "bad_message", key, text[:500])], [])
    return await handler(hub, conn, message)

"""The one dispatcher for inbound websocket messages.

Each message kind has a schema and the roles allowed to send it. A message is parsed, checked
(role, assembly, table, current state), then acted on in one transaction; anything refused gets
an error fragment and changes nothing. The connection stays up either way.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from app import agenda, notes
from app.ballot import live as ballot_live
from app.config import Settings
from app.db import session_scope
from app.errors import ActionError
from app.events import LoggedEvent
from app.groupcommit import Done, GroupWriter
from app.members import socket_member
from app.models import Assembly, Facilitator, Note
from app.programme import live as programme_live
from app.roles import MESSAGES, allows, check_message
from app.snapshot import note_view
from app.views import Viewer, render_ack, render_error
from app.writes import commit
from facilitation.ratelimit import RateLimiter


class Live(Protocol):
    """What the dispatcher needs of the hub (app/hub.py), and nothing more: no import cycle."""

    settings: Settings
    engine: Engine
    note_limit: RateLimiter
    writer: GroupWriter


MAX_MESSAGE = 64 * 1024
CLIENT_KEY = r"^[A-Za-z0-9_-]{8,64}$"


MAX_INT = 2**31 - 1  # every id and number a message carries fits a PostgreSQL integer


class Inbound(BaseModel):
    # htmx adds HEADERS (htmx 2) / headers (htmx 4); extra fields are ignored.
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="after")
    def _bounded(self) -> Inbound:
        """No id or number beyond ±MAX_INT (an id of 2**63 would crash the database layer):
        checked here once for every schema, present and future, so it is never forgotten."""
        for name, value in self.__dict__.items():
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
                raise ValueError(f"{name} out of range")
        return self


class HelloIn(Inbound):
    msg: Literal["hello"]
    cursor: int | str | None = None


class NoteIn(Inbound):
    msg: Literal["note"]
    kind: str = Field(max_length=20)
    text: str = Field(max_length=5000)
    client_key: str = Field(pattern=CLIENT_KEY)
    item_id: int | None = None


class NoteEditIn(Inbound):
    msg: Literal["note_edit"]
    note_id: int
    text: str = Field(max_length=5000)


class NoteWithdrawIn(Inbound):
    msg: Literal["note_withdraw"]
    note_id: int


class NoteHideIn(Inbound):
    msg: Literal["note_hide"]
    note_id: int
    hidden: bool


class NoteModerateIn(Inbound):
    msg: Literal["note_moderate"]
    note_id: int
    action: Literal["hide", "show", "approve", "edit"]
    text: str = Field(default="", max_length=5000)


class ItemIn(Inbound):
    msg: Literal["item_open", "item_close"]
    item_id: int


class TimerIn(Inbound):
    msg: Literal["timer_adjust"]
    item_id: int
    minutes: int


class PaperNoteIn(Inbound):
    msg: Literal["paper_note"]
    table_no: int
    member_id: int | None = None
    kind: str = Field(max_length=20)
    text: str = Field(max_length=5000)
    client_key: str = Field(pattern=CLIENT_KEY)


class RoomSettingsIn(Inbound):
    msg: Literal["room_settings"]
    moderation: Literal["open", "approve"]
    show_names: bool = False
    wall_group: Literal["table", "kind"] = "table"


class SpotlightClearIn(Inbound):
    msg: Literal["spotlight_clear"]


class SceneIn(Inbound):
    msg: Literal["scene"]
    scene: str = Field(max_length=20)  # one of facilitation.room.SCENES, checked by the action
    ref: int | None = None

    @field_validator("ref", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:  # a form's empty field
        return None if value == "" else value


@dataclass(frozen=True)
class Outcome:
    replies: list[str]
    events: list[LoggedEvent]
    refused: bool = False


def note_limiter() -> RateLimiter:
    """Per participant, not per address: a whole room shares one NAT."""
    return RateLimiter(burst=10, per_second=0.25)


def _assembly(db: Session, viewer: Viewer) -> Assembly:
    assembly = db.get(Assembly, viewer.assembly_id)
    if assembly is None:
        raise ActionError("not_allowed")
    return assembly


def _facilitator(db: Session, viewer: Viewer) -> Facilitator:
    facilitator = db.get(Facilitator, viewer.facilitator_id)
    if facilitator is None:
        raise ActionError("not_allowed")
    return facilitator


Work = Callable[[Session, Viewer, Any], tuple[list[str], list[LoggedEvent]]]


def _note(db: Session, viewer: Viewer, m: NoteIn) -> tuple[list[str], list[LoggedEvent]]:
    result = notes.do_add_note(
        db, socket_member(db, viewer), m.kind, m.text, m.client_key, m.item_id
    )
    return [render_ack(viewer, note_view(db, result.note))], result.events


def _note_edit(db: Session, viewer: Viewer, m: NoteEditIn) -> tuple[list[str], list[LoggedEvent]]:
    return [], notes.do_edit_own_note(db, socket_member(db, viewer), m.note_id, m.text)


def _note_withdraw(
    db: Session, viewer: Viewer, m: NoteWithdrawIn
) -> tuple[list[str], list[LoggedEvent]]:
    return [], notes.do_withdraw_own_note(db, socket_member(db, viewer), m.note_id)


def _note_hide(db: Session, viewer: Viewer, m: NoteHideIn) -> tuple[list[str], list[LoggedEvent]]:
    action = "hide" if m.hidden else "show"
    return [], notes.do_moderate_note(
        db, viewer.assembly_id, viewer.facilitator_id, m.note_id, action
    )


def _note_moderate(
    db: Session, viewer: Viewer, m: NoteModerateIn
) -> tuple[list[str], list[LoggedEvent]]:
    return [], notes.do_moderate_note(
        db, viewer.assembly_id, viewer.facilitator_id, m.note_id, m.action, m.text
    )


def _item(db: Session, viewer: Viewer, m: ItemIn) -> tuple[list[str], list[LoggedEvent]]:
    do = agenda.do_open_item if m.msg == "item_open" else agenda.do_close_item
    return [], do(db, _assembly(db, viewer), m.item_id)


def _timer(db: Session, viewer: Viewer, m: TimerIn) -> tuple[list[str], list[LoggedEvent]]:
    return [], agenda.do_adjust_timer(db, _assembly(db, viewer), m.item_id, m.minutes)


def _paper(db: Session, viewer: Viewer, m: PaperNoteIn) -> tuple[list[str], list[LoggedEvent]]:
    result = notes.do_paper_note(
        db,
        _facilitator(db, viewer),
        viewer.assembly_id,
        m.table_no,
        m.member_id,
        m.kind,
        m.text,
        m.client_key,
    )
    return [render_ack(viewer, note_view(db, result.note))], result.events


def _settings(
    db: Session, viewer: Viewer, m: RoomSettingsIn
) -> tuple[list[str], list[LoggedEvent]]:
    return [], agenda.do_room_settings(
        db, _assembly(db, viewer), m.moderation, m.show_names, m.wall_group
    )


def _spotlight_clear(
    db: Session, viewer: Viewer, m: SpotlightClearIn
) -> tuple[list[str], list[LoggedEvent]]:
    return [], agenda.do_spotlight(db, _assembly(db, viewer), None)


def _scene(db: Session, viewer: Viewer, m: SceneIn) -> tuple[list[str], list[LoggedEvent]]:
    return [], agenda.do_set_scene(db, _assembly(db, viewer), m.scene, m.ref)


PARTICIPANT = frozenset({"participant"})
FACILITATOR = frozenset({"facilitator"})

# msg -> (schema, roles allowed, work). `hello` is handled by the connection itself.
HANDLERS: dict[str, tuple[type[Inbound], frozenset[str], Work]] = {
    "note": (NoteIn, PARTICIPANT, _note),
    "note_edit": (NoteEditIn, PARTICIPANT, _note_edit),
    "note_withdraw": (NoteWithdrawIn, PARTICIPANT, _note_withdraw),
    "note_hide": (NoteHideIn, FACILITATOR, _note_hide),
    "note_moderate": (NoteModerateIn, FACILITATOR, _note_moderate),
    "item_open": (ItemIn, FACILITATOR, _item),
    "item_close": (ItemIn, FACILITATOR, _item),
    "timer_adjust": (TimerIn, FACILITATOR, _timer),
    "paper_note": (PaperNoteIn, FACILITATOR, _paper),
    "room_settings": (RoomSettingsIn, FACILITATOR, _settings),
    "spotlight_clear": (SpotlightClearIn, FACILITATOR, _spotlight_clear),
    "scene": (SceneIn, FACILITATOR, _scene),
}
HANDLERS.update(ballot_live.HANDLERS)  # type: ignore[arg-type]  # `vote`: app/ballot/live.py
HANDLERS.update(programme_live.HANDLERS)  # type: ignore[arg-type]  # question, upvote, checkin
INBOUND_KINDS = ("hello", *HANDLERS)
RATE_LIMITED = frozenset({"note", "note_edit", "note_withdraw"})
# What a whole room sends at once: committed together by the process's writer
# (app/groupcommit.py). Their work raises ActionError and never rolls back by itself.
GROUPED = frozenset({"note", "note_edit", "note_withdraw"})


async def _already_stored(hub: Live, viewer: Viewer, client_key: str | None) -> bool:
    """A resent note that is already stored is acked again without using the rate limit."""
    if client_key is None:
        return False

    def look() -> bool:
        with session_scope(hub.engine) as db:
            found = db.exec(
                select(Note.id).where(
                    Note.member_id == viewer.member_id, Note.client_key == client_key
                )
            ).first()
            return found is not None

    return bool(await run_in_threadpool(look))


def parse(raw: str) -> dict[str, Any] | None:
    if len(raw.encode()) > MAX_MESSAGE:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _key_and_text(data: dict[str, Any]) -> tuple[str | None, str]:
    key = data.get("client_key")
    key = key if isinstance(key, str) and re.match(CLIENT_KEY, key) else None
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    return key, str(text)[:500]


async def dispatch(
    hub: Live, viewer: Viewer, raw: str, offer: Callable[[str], None] | None = None
) -> Outcome:
    """Check and carry out one inbound message from ``viewer``'s socket; always returns what
    to reply (the connection rings the hub with ``Outcome.events`` after the replies). With
    ``offer`` (the connection's queue), a grouped write's replies are offered by the writer
    right after its commit, ahead of the batch's fan-out, and not returned."""
    data = parse(raw)
    if data is None:
        code = "too_large" if len(raw) > MAX_MESSAGE else "bad_message"
        return Outcome([render_error(viewer, code)], [])
    kind = str(data.get("msg"))
    entry = HANDLERS.get(kind)
    if entry is None:
        return Outcome([render_error(viewer, "bad_message")], [])
    schema, roles, work = entry
    if viewer.role not in roles or (
        viewer.role == "facilitator" and not allows(viewer.access, MESSAGES.get(kind, "room"))
    ):  # a facilitator socket carries the account's role in the assembly (app/roles.py)
        code = "not_your_role" if viewer.role == "facilitator" else "not_allowed"
        return Outcome([render_error(viewer, code)], [])
    # a vote, and the programme's messages, are no note: they answer their own refusals
    not_note = kind == "vote" or kind in programme_live.HANDLERS
    key, text = _key_and_text(data) if not not_note else (None, "")
    try:
        message = schema.model_validate(data)
    except ValidationError:
        return Outcome([render_error(viewer, "bad_message", key, text)], [])
    if isinstance(message, ballot_live.VoteIn):
        message.keyed_by(hub.settings.secret_key)  # one vote per member: a keyed hash
    limit_key = f"member:{viewer.member_id}"
    if (
        kind in RATE_LIMITED
        and not hub.note_limit.allow(limit_key, time.monotonic())
        # only when refused: is it a resend of a stored note? (no extra read on the hot path)
        and not (kind == "note" and await _already_stored(hub, viewer, key))
    ):
        return Outcome([render_error(viewer, "rate_limited")], [])

    if kind in GROUPED:
        return await _grouped(hub, viewer, work, message, kind, limit_key, key, text, offer)

    def act(db: Session) -> tuple[list[str], bool]:
        if viewer.role == "facilitator" and not check_message(
            db, viewer.facilitator_id, viewer.assembly_id, kind, viewer.table_no, message
        ):  # the role as it is now (app/roles.py), not as it was when the socket opened
            return [render_error(viewer, "not_your_role", key, text)], True
        try:
            replies, _events = work(db, viewer, message)
        except ActionError as exc:
            db.rollback()  # nothing of a refused message is kept, and nothing rung
            return [render_error(viewer, exc.code, key, text)], True
        return replies, False

    def run() -> Outcome:
        # the write path's transaction (app/writes.py); the connection rings after the reply
        for attempt in (1, 2):
            try:
                written = commit(hub.engine, act)
            except IntegrityError:
                # the same note arrived on two sockets at once: the second try finds it stored
                if attempt == 2:
                    raise
                continue
            replies, refused = written.value
            return Outcome(replies, written.events, refused)
        raise AssertionError("unreachable")

    outcome = await run_in_threadpool(run)
    if kind == "note" and not outcome.events and not outcome.refused:
        hub.note_limit.refund(limit_key)  # a resend of a stored note costs nothing
    return outcome


async def _grouped(
    hub: Live,
    viewer: Viewer,
    work: Work,
    message: Inbound,
    kind: str,
    limit_key: str,
    key: str | None,
    text: str,
    offer: Callable[[str], None] | None,
) -> Outcome:
    """A note (or a change to one) through the process's writer: committed with whatever else
    arrived together, each in its own savepoint; the replies after the commit, and the writer
    rings (so the Outcome carries no events to ring)."""

    def act(db: Session) -> list[str]:
        replies, _events = work(db, viewer, message)
        return replies

    def replies(done: Done) -> list[str]:
        if isinstance(done.error, ActionError):
            return [render_error(viewer, done.error.code, key, text)]
        return [] if done.error is not None else list(done.value)

    def answer(done: Done) -> None:
        assert offer is not None
        for reply in replies(done):
            offer(reply)

    done = await hub.writer.submit(act, answer if offer is not None else None)
    if done.error is not None and not isinstance(done.error, ActionError):
        raise done.error
    if kind == "note" and done.error is None and not done.events:
        hub.note_limit.refund(limit_key)  # a resend of a stored note costs nothing
    return Outcome([] if offer is not None else replies(done), [], done.error is not None)

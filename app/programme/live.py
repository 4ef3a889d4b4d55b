"""The phone's programme messages: ``question`` (to the expert of the open talk; outbox, ack
``id="question-<client_key>"`` with class ``saved``, idempotent by client key like a note),
``upvote`` (one per member and question; a repeat changes nothing) and ``checkin`` (self
check-in with the code on the projector). Refusals are answered here with the programme's
own error fragment, so the outbox can drop a refused question by its id (class ``failed``).
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.errors import ActionError
from app.events import LoggedEvent
from app.members import socket_member
from app.models import Member
from app.programme import actions
from app.templating import render_fragment
from facilitation.ratelimit import RateLimiter
from facilitation.room import first_name

CLIENT_KEY = r"^[A-Za-z0-9_-]{8,64}$"
MAX_ID = 2**31 - 1
QUESTION_LIMIT = RateLimiter(burst=10, per_second=0.25)  # like notes
UPVOTE_LIMIT = RateLimiter(burst=40, per_second=1.0)
CHECKIN_LIMIT = RateLimiter(burst=5, per_second=0.1)  # four digits: no guessing by script


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    msg: Literal["question"]
    text: str = Field(max_length=5000)
    client_key: str = Field(pattern=CLIENT_KEY)


class UpvoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    msg: Literal["upvote"]
    question_id: int = Field(ge=1, le=MAX_ID)


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    msg: Literal["checkin"]
    code: str = Field(max_length=20)


def _lang(viewer: object) -> str:
    return str(getattr(viewer, "lang", "da"))


def _refused(viewer: object, code: str, client_key: str | None = None, text: str = "") -> str:
    return render_fragment(
        _lang(viewer), "programme/live_error.html", code=code, client_key=client_key, text=text
    )


def _table_of(db: Session, member: Member) -> int | None:
    from app.snapshot import published_round, seating_of

    round_ = published_round(db, member.assembly_id)
    return seating_of(db, round_).table_of(member.id) if round_ is not None else None


def question(db: Session, viewer: object, m: QuestionIn) -> tuple[list[str], list[LoggedEvent]]:
    try:
        member = socket_member(db, viewer)
        if not QUESTION_LIMIT.allow(f"member:{member.id}", time.monotonic()):
            return [_refused(viewer, "rate_limited")], []
        result = actions.do_add_question(db, member, m.text, m.client_key, _table_of(db, member))
    except ActionError as exc:
        db.rollback()
        return [_refused(viewer, exc.code, m.client_key, m.text[:300])], []
    ack = render_fragment(
        _lang(viewer),
        "programme/question_ack.html",
        question=actions.question_view(result.question),
        client_key=m.client_key,
        first_name=first_name,
    )
    return [ack], result.events


def upvote(db: Session, viewer: object, m: UpvoteIn) -> tuple[list[str], list[LoggedEvent]]:
    try:
        member = socket_member(db, viewer)
        if not UPVOTE_LIMIT.allow(f"member:{member.id}", time.monotonic()):
            return [_refused(viewer, "rate_limited")], []
        events = actions.do_upvote(db, member, m.question_id)
    except ActionError as exc:
        db.rollback()
        return [_refused(viewer, exc.code)], []
    return [], events


def checkin(db: Session, viewer: object, m: CheckinIn) -> tuple[list[str], list[LoggedEvent]]:
    try:
        member = socket_member(db, viewer)
        if not CHECKIN_LIMIT.allow(f"member:{member.id}", time.monotonic()):
            return [_refused(viewer, "rate_limited")], []
        events = actions.do_self_check_in(db, member, m.code)
    except ActionError as exc:
        db.rollback()
        return [_refused(viewer, exc.code)], []
    return [], events


PARTICIPANT = frozenset({"participant"})
# msg → (schema, roles, work), merged into app.dispatch.HANDLERS
HANDLERS = {
    "question": (QuestionIn, PARTICIPANT, question),
    "upvote": (UpvoteIn, PARTICIPANT, upvote),
    "checkin": (CheckinIn, PARTICIPANT, checkin),
}

"""The phone's ``vote`` message: schema, the work done in the dispatcher's transaction, and the
ack (``id="vote-<client_key>"``, class ``saved``) that goes to the voter's socket only.

A refusal inside the action is answered here, not by the dispatcher's note-shaped error, so
the page's outbox can drop the vote by its own id (``vote-<client_key>`` with class
``failed``). Nothing about a vote's choice is logged or put in an event.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from sqlmodel import Session

from app.ballot.actions import do_vote
from app.ballot.models import Ballot, BallotQuestion
from app.errors import ActionError
from app.events import LoggedEvent
from app.members import socket_member
from app.templating import render_fragment
from facilitation.ratelimit import RateLimiter

CLIENT_KEY = r"^[A-Za-z0-9_-]{8,64}$"
MAX_ID = 2**31 - 1
# Per member: a whole ballot changed twice in a row is well within it; a script is not.
VOTE_LIMIT = RateLimiter(burst=30, per_second=1.0)


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    msg: Literal["vote"]
    ballot_id: int = Field(ge=1, le=MAX_ID)
    recommendation_id: int = Field(ge=1, le=MAX_ID)
    client_key: str = Field(pattern=CLIENT_KEY)
    choice: str = Field(max_length=20)
    _secret: str = PrivateAttr(default="")  # the install's secret, set by the dispatcher

    def keyed_by(self, secret: str) -> VoteIn:
        self._secret = secret
        return self


def vote(db: Session, viewer: object, m: VoteIn) -> tuple[list[str], list[LoggedEvent]]:
    """The dispatcher's work for ``vote``: the ack after the commit, or the refusal."""
    lang = str(getattr(viewer, "lang", "da"))
    assert m._secret, "the dispatcher hands in the install's secret"
    try:
        member = socket_member(db, viewer)
        if not VOTE_LIMIT.allow(f"member:{member.id}", time.monotonic()):
            return [render_fragment(lang, "live/ballot_error.html", code="rate_limited")], []
        result = do_vote(
            db, m._secret, member, m.ballot_id, m.recommendation_id, m.client_key, m.choice
        )
    except ActionError as exc:
        db.rollback()
        html = render_fragment(
            lang, "live/ballot_error.html", code=exc.code, client_key=m.client_key
        )
        return [html], []
    ballot = db.get(Ballot, m.ballot_id)
    question = db.get(BallotQuestion, m.recommendation_id)
    ack = render_fragment(
        lang,
        "live/ballot_ack.html",
        client_key=m.client_key,
        question=question,
        choice=m.choice,
        scale=(ballot.rule or {}).get("scale", "yes_no_abstain") if ballot else "",
        still_open=ballot is not None and ballot.status == "open",
    )
    return [ack], result.events


# msg → (schema, roles, work), merged into app.dispatch.HANDLERS
HANDLERS = {"vote": (VoteIn, frozenset({"participant"}), vote)}

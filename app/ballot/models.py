"""Tables for ballots. Secrecy lives in the shape of these tables: a stored vote
(``ballotvote``) has no member id and no time; it is found by a keyed hash of (ballot,
question, member) with the install's secret, which the database does not hold. Who has voted
(``ballotvoter``) is kept apart, without a choice, so facilitators can help."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Ballot(SQLModel, table=True):
    """A final ballot or an agreement check on one or several recommendations."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    kind: str = Field(default="final", max_length=10, description="final | check")
    title: str = Field(max_length=300)
    status: str = Field(default="open", max_length=10, description="planned | open | closed")
    rule: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="facilitation.ballot.Rule: scale, threshold, denominator, bands",
    )
    follows_id: int | None = Field(
        default=None, foreign_key="ballot.id", description="Opens when that ballot closes"
    )
    results: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Counted at the close (facilitation.ballot.Result); empty while open",
    )
    turnout: int = Field(default=0, description="At the close: members who voted")
    members: int = Field(default=0, description="At the close: active members")
    present: int = Field(default=0, description="At the close: members checked in")
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    created_at: datetime


class BallotQuestion(SQLModel, table=True):
    """One recommendation on a ballot (or one draft version in an agreement check), with
    its words as they were put to the vote."""

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    position: int = 0
    draft_id: int | None = Field(default=None, foreign_key="draft.id", index=True)
    draft_version: int | None = None
    title: str = Field(max_length=300)
    text: str = Field(default="", max_length=10000)


class BallotVote(SQLModel, table=True):
    """A secret vote: the keyed hash of (ballot, question, member) and the choice. No member
    id, no time, no row number (on SQLite the table has no rowid: rows sit in hash order)."""

    __table_args__ = {"sqlite_with_rowid": False}

    voter_hash: str = Field(primary_key=True, max_length=64)
    question_id: int = Field(foreign_key="ballotquestion.id", index=True)
    choice: str = Field(max_length=20)
    paper: bool = False


class BallotKey(SQLModel, table=True):
    """Each ``client_key`` a phone sent a vote with, as a keyed hash (with the member and
    question inside), so a resend changes nothing and an old key never undoes a newer vote."""

    __table_args__ = {"sqlite_with_rowid": False}

    key_hash: str = Field(primary_key=True, max_length=64)
    question_id: int = Field(foreign_key="ballotquestion.id", index=True)


class BallotVoter(SQLModel, table=True):
    """Who has voted on a question, and how (phone or paper) — never what."""

    __table_args__ = (UniqueConstraint("question_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="ballotquestion.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    paper: bool = False


class MinorityStatement(SQLModel, table=True):
    """A short statement by members who disagree with a result, attached to it."""

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="ballotquestion.id", index=True)
    text: str = Field(max_length=1000)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id")
    created_at: datetime

"""The persistent data model (SQLModel tables). Alembic migrations in `migrations/` create it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Facilitator(SQLModel, table=True):
    """A facilitator or organiser account; logs in with email and an argon2-hashed password."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    name: str = Field(default="", max_length=120, description="Shown on paper notes and history")
    created_at: datetime


class Assembly(SQLModel, table=True):
    """A citizens' assembly (borgersamling)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    remit: str = Field(max_length=2000, description="The remit question the assembly answers")
    languages: str = Field(default="da,en", max_length=50)
    code: str = Field(max_length=12, unique=True, index=True, description="Public assembly code")
    projector_nonce: str = Field(max_length=64, description="Rotated to revoke the projector link")
    last_seq: int = Field(default=0, description="Sequence number of the newest event")
    moderation: str = Field(default="open", max_length=10, description="open | approve")
    show_names: bool = Field(default=False, description="First names on the projector wall")
    wall_group: str = Field(default="table", max_length=10, description="table | kind")
    scene: str = Field(
        default="now", max_length=20, description="What the projector shows (see facilitation/room)"
    )
    scene_ref: int | None = Field(default=None, description="The note or table a scene shows")
    current_item_id: int | None = Field(default=None, description="The run-sheet's 'now'")
    spotlight: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="What the facilitator has put before the room (a theme, a draft)",
    )
    created_at: datetime


class AssemblySession(SQLModel, table=True):
    """One gathering day (samling) of an assembly."""

    __tablename__ = "session"

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    day: date
    starts_at: time
    ends_at: time
    venue: str = Field(default="", max_length=200)
    host: str = Field(default="", max_length=200)
    # the programme (app/programme): what the public page shows, and self check-in
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000, description="For the public page")
    public: bool = Field(default=False, description="Shown on the public page")
    public_meeting: bool = Field(default=False, description="The open public meeting")
    checkin_code: str | None = Field(
        default=None, max_length=8, description="Self check-in open: the code on the projector"
    )


class Member(SQLModel, table=True):
    """A drawn citizen on the assembly's pseudonymous roster."""

    __table_args__ = (UniqueConstraint("assembly_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    code: str = Field(max_length=64, description="Pseudonymous id, e.g. the lottery's id")
    name: str = Field(max_length=120, description="Display name")
    attributes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    token_nonce: str = Field(max_length=64, description="Rotated to revoke the join link")
    join_token_hash: str = Field(max_length=64, unique=True, index=True)
    active: bool = True
    present: bool = Field(default=True, description="Checked in for today's seating")
    created_at: datetime


class Event(SQLModel, table=True):
    """The event log: every state change, numbered per assembly in commit order."""

    __table_args__ = (UniqueConstraint("assembly_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    seq: int
    kind: str = Field(max_length=50)
    audience: str = Field(max_length=20, description="all | facilitator | member:<id> | table:<n>")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class AgendaItem(SQLModel, table=True):
    """One item of a session's run-sheet; a table round carries a phase kind and a prompt."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    position: int = 0
    kind: str = Field(max_length=20, description="welcome | talk | round | plenary | break | other")
    title: str = Field(max_length=200)
    planned_minutes: int = 15
    phase_kind: str | None = Field(
        default=None, max_length=20, description="value | theme | solution | free"
    )
    prompt: str = Field(default="", max_length=1000)
    state: str = Field(default="planned", max_length=10, description="planned | open | closed")
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    ends_at: datetime | None = Field(default=None, description="Server-authoritative timer end")
    round_id: int | None = Field(default=None, foreign_key="seatinground.id")


class SeatingRound(SQLModel, table=True):
    """One seating of the members at tables (a runde); published rounds reach the phones."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    number: int
    published_at: datetime | None = None
    created_at: datetime


class Seat(SQLModel, table=True):
    """A member's table in a round; a host stays at their table (World Café)."""

    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="seatinground.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    table_no: int
    host: bool = False


class Note(SQLModel, table=True):
    """A note written at a table: a value, theme or solution (or free), stored idempotently."""

    __table_args__ = (UniqueConstraint("member_id", "client_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    client_key: str = Field(max_length=64, description="The submitting page's idempotency key")
    kind: str = Field(max_length=20, description="value | theme | solution | free")
    text: str = Field(max_length=500)
    table_no: int | None = Field(default=None, description="Table number when written")
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="seatinground.id")
    late: bool = Field(default=False, description="Sent within the grace period after closing")
    approved: bool = Field(default=True, description="False while waiting for moderation")
    hidden: bool = False
    withdrawn: bool = False
    entered_by: int | None = Field(
        default=None, foreign_key="facilitator.id", description="A facilitator typing a paper note"
    )
    original_text: str | None = Field(
        default=None, max_length=500, description="The author's words before a facilitator edit"
    )
    edited_by: int | None = Field(default=None, foreign_key="facilitator.id")
    created_at: datetime
    updated_at: datetime | None = None


class Presence(SQLModel, table=True):
    """Which app process holds live sockets for which member, refreshed while they last."""

    __table_args__ = (UniqueConstraint("process", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    process: str = Field(max_length=64)
    connections: int = 0
    seen_at: datetime


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account and per address (app/auth.py): shared by every process."""

    key: str = Field(primary_key=True, max_length=64, description="sha256 of account:/address:")
    failures: int = 0
    window_start: datetime
    blocked_until: datetime | None = None


class Membership(SQLModel, table=True):
    """An account's role in one assembly (app/roles.py): organiser, lead facilitator, table
    facilitator (of ``tables``) or observer. No row: the account does not see the assembly."""

    __table_args__ = (UniqueConstraint("assembly_id", "facilitator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", index=True)
    role: str = Field(max_length=20, description="organiser, lead, table or observer")
    tables: str = Field(default="", max_length=200, description="A table facilitator's: '3,4'")
    created_at: datetime


class Invitation(SQLModel, table=True):
    """A one-time code that gives whoever redeems it a role in an assembly: only its SHA-256
    is kept; it expires, and it works once."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=20)
    tables: str = Field(default="", max_length=200)
    note: str = Field(
        default="", max_length=120, description="Who it is for, as the organiser wrote"
    )
    created_by: int = Field(foreign_key="facilitator.id")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="facilitator.id")

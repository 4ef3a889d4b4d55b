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
    hidden: bool = False
    created_at: datetime


class Presence(SQLModel, table=True):
    """Which app process holds live sockets for which member, refreshed while they last."""

    __table_args__ = (UniqueConstraint("process", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    process: str = Field(max_length=64)
    connections: int = 0
    seen_at: datetime

"""Tables for the way from notes to recommendations: themes on the board, drafts with every
version, their sources and lineage, the tables' feedback, and the board's action log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Theme(SQLModel, table=True):
    """A group of a phase's notes that the facilitator (and then the room) named."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True, description="The phase")
    name: str = Field(max_length=200)
    position: int = 0
    archived: bool = Field(default=False, description="Merged away or undone; kept for the log")
    confirmed_at: datetime | None = Field(default=None, description="When the room confirmed it")
    created_at: datetime


class ThemeNote(SQLModel, table=True):
    """A note placed in a theme; a note is in at most one theme."""

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    note_id: int = Field(foreign_key="note.id", unique=True)
    placed_at: datetime


class SuggestionRejection(SQLModel, table=True):
    """The facilitator said no to suggesting this theme for this note."""

    __table_args__ = (UniqueConstraint("note_id", "theme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True)
    theme_id: int = Field(foreign_key="theme.id")


class Draft(SQLModel, table=True):
    """A draft recommendation; its text is the newest of its versions."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    title: str = Field(max_length=300)
    text: str = Field(default="", max_length=10000)
    rationale: str = Field(default="", max_length=10000, description="Why")
    status: str = Field(default="active", max_length=10, description="active | merged | split")
    version: int = 1
    open_tables: list[int] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Tables that may work on it from their phones",
    )
    created_at: datetime
    updated_at: datetime


class DraftVersion(SQLModel, table=True):
    """Every version of a draft, kept; written by the facilitator or folded in from a table."""

    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    number: int
    title: str = Field(max_length=300)
    text: str = Field(default="", max_length=10000)
    rationale: str = Field(default="", max_length=10000)
    author_kind: str = Field(max_length=12, description="facilitator | table")
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id")
    table_no: int | None = None
    summary: str = Field(default="", max_length=300, description="What changed, in words")
    created_at: datetime


class DraftSource(SQLModel, table=True):
    """A theme or a note a draft was made from."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    note_id: int | None = Field(default=None, foreign_key="note.id", index=True)


class DraftLineage(SQLModel, table=True):
    """``child`` came from ``parent`` by a merge (two parents) or a split (two children)."""

    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="draft.id", index=True)
    child_id: int = Field(foreign_key="draft.id", index=True)
    kind: str = Field(max_length=10, description="merge | split")
    created_at: datetime


class DraftFeedback(SQLModel, table=True):
    """What a table said about a draft from a phone."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    table_no: int | None = None
    kind: str = Field(max_length=10, description="proposal | comment | support | object")
    text: str = Field(default="", max_length=10000)
    version: int = Field(description="The draft version it was about")
    status: str = Field(
        default="open",
        max_length=10,
        description="open | folded | dismissed | withdrawn (a member took their support back)",
    )
    created_at: datetime


class BoardAction(SQLModel, table=True):
    """Every action on the board or the drafts; ``undo`` holds the steps that reverse it."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id")
    kind: str = Field(max_length=30)
    summary: str = Field(default="", max_length=300)
    undo: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    undone: bool = False
    created_at: datetime

"""Tables of the programme: attendance (fremmøde) and hours, replacements, experts and their
talks, the material library, members' wishes for an expert or topic, the room's questions and
upvotes, and the parking lot. Gatherings themselves are ``app.models.AssemblySession``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Attendance(SQLModel, table=True):
    """A member at a gathering: check-in, check-out, how, and a facilitator's correction."""

    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    method: str = Field(default="list", max_length=10, description="list | scan | phone")
    adjusted_minutes: int | None = Field(default=None, description="A facilitator's correction")
    adjust_reason: str = Field(default="", max_length=500)
    adjusted_by: int | None = Field(default=None, foreign_key="facilitator.id")
    adjusted_at: datetime | None = None


class Replacement(SQLModel, table=True):
    """A member from the lottery's reserve list who takes a drawn member's place."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True, description="The replacement")
    replaces_id: int = Field(foreign_key="member.id", description="The member who left")
    session_id: int | None = Field(default=None, foreign_key="session.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime


class Expert(SQLModel, table=True):
    """An expert or stakeholder who speaks to the assembly (not a member)."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    kind: str = Field(default="expert", max_length=12, description="expert | stakeholder")
    public: bool = Field(default=True, description="Named on the public page")
    created_at: datetime


class Talk(SQLModel, table=True):
    """Which expert gives a run-sheet item (an "expert talk")."""

    item_id: int = Field(foreign_key="agendaitem.id", primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)


class Material(SQLModel, table=True):
    """A file (kept in the database, bounded) or a link in the material library."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    title: str = Field(max_length=200)
    url: str = Field(default="", max_length=1000, description="A link (http/https)")
    filename: str = Field(default="", max_length=200)
    content_type: str = Field(default="", max_length=100)
    size: int = 0
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    expert_id: int | None = Field(default=None, foreign_key="expert.id")
    session_id: int | None = Field(default=None, foreign_key="session.id")
    public: bool = Field(default=False, description="On the public page too")
    created_at: datetime


class ExpertWish(SQLModel, table=True):
    """A member asks for an expert or a topic they miss."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(max_length=500)
    created_at: datetime


class Question(SQLModel, table=True):
    """A question from the room to an expert, stored idempotently like a note."""

    __table_args__ = (UniqueConstraint("member_id", "client_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    client_key: str = Field(max_length=64)
    text: str = Field(max_length=300)
    table_no: int | None = None
    status: str = Field(
        default="approved", max_length=10, description="facilitation.programme.QUESTION_STATUSES"
    )
    merged_into: int | None = Field(default=None, foreign_key="question.id")
    answer: str = Field(default="", max_length=4000, description="The expert's written answer")
    answer_public: bool = Field(default=False, description="The answer on the public page too")
    created_at: datetime
    updated_at: datetime | None = None


class Upvote(SQLModel, table=True):
    """One member's upvote of a question (one per member and question)."""

    __table_args__ = (UniqueConstraint("question_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)


class ParkingItem(SQLModel, table=True):
    """Something raised that did not fit the moment, carried across gatherings."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="session.id")
    question_id: int | None = Field(default=None, foreign_key="question.id")
    text: str = Field(max_length=500)
    owner: str = Field(default="", max_length=120, description="Who follows it up")
    status: str = Field(default="open", max_length=10, description="open | answered | closed")
    answer: str = Field(default="", max_length=2000)
    created_at: datetime
    updated_at: datetime | None = None

"""Tables of the public record. An evaluation answer (``surveyanswer``) has no member id and no
time, and sits under a random key (on SQLite without a rowid), so its order says nothing; who
has answered (``surveyrespondent``) is kept apart, without the answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class RecordSettings(SQLModel, table=True):
    """Per assembly: who commissioned it, the members' statement, the observers' link, what
    is public, the retention period."""

    assembly_id: int = Field(primary_key=True, foreign_key="assembly.id")
    commissioned_by: str = Field(default="", max_length=300)
    statement: str = Field(default="", max_length=20000, description="The members' statement")
    observer_nonce: str = Field(default="", max_length=64, description="Empty: no observer link")
    observer_notes: bool = Field(default=False, description="Observers see notes, no authors")
    evaluation_public: bool = Field(default=False, description="Evaluation on the public page")
    retention_days: int | None = Field(
        default=None, description="Days after the end before personal links are removed"
    )
    retained_at: datetime | None = Field(default=None, description="When they were removed")
    updated_at: datetime


class CouncilResponse(SQLModel, table=True):
    """One step of the council's response to a recommendation; every change is a new row."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    question_id: int = Field(foreign_key="ballotquestion.id", index=True)
    status: str = Field(max_length=30, description="facilitation.record.RESPONSE_STATUSES")
    justification: str = Field(default="", max_length=4000)
    body: str = Field(default="", max_length=200, description="The responsible body")
    responded_on: date
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class Survey(SQLModel, table=True):
    """A short anonymous evaluation after a gathering or at the end."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    kind: str = Field(default="gathering", max_length=12, description="gathering | final")
    session_id: int | None = Field(default=None, foreign_key="session.id")
    title: str = Field(max_length=200)
    status: str = Field(default="open", max_length=10, description="open | closed")
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    created_at: datetime


class SurveyAnswer(SQLModel, table=True):
    """One member's answers, without the member and without a time."""

    __table_args__ = {"sqlite_with_rowid": False}

    answer_key: str = Field(primary_key=True, max_length=32, description="Random, not a count")
    survey_id: int = Field(foreign_key="survey.id", index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SurveyRespondent(SQLModel, table=True):
    """That a member has answered a survey (never what)."""

    __table_args__ = (UniqueConstraint("survey_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)

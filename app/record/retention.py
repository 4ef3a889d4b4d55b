"""Retention: after the period the organiser set, remove what links people to their words,
votes and answers. Notes, votes, answers and results stay, unattributed.

Removed (``apply``): members' names, codes, strata and join links (every member row is kept
as an anonymous, inactive placeholder so counts and seatings still add up); who wrote which
note (``note.member_id``) and the author in the note events; who voted (``ballotvoter``) and
who answered a survey (``surveyrespondent``), and the member in their events; presence; the
lottery's drawn ids. The event log keeps its order; each event loses only its member fields.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.ballot.models import Ballot, BallotQuestion, BallotVoter
from app.clock import utcnow
from app.events import LoggedEvent, record
from app.models import Assembly, AssemblySession, Event, Member, Note, Presence
from app.record.actions import _stored_settings, settings_of
from app.record.models import Survey, SurveyRespondent
from app.security import token_hash
from facilitation.record import retention_deadline

PLACEHOLDER = "–"


@dataclass(frozen=True)
class Plan:
    """What retention would remove now, and when it is due."""

    days: int | None
    ended: date | None
    due: date | None
    done: bool
    members: int  # member rows still holding a name, code, strata or a join link
    authored_notes: int
    voters: int
    respondents: int

    @property
    def is_due(self) -> bool:
        return self.due is not None and not self.done

    def due_on(self, today: date) -> bool:
        return self.due is not None and today >= self.due


def ended_on(db: Session, assembly_id: int) -> date | None:
    """The assembly's end: its last gathering or its last closed final ballot, the later."""
    days = [
        s.day
        for s in db.exec(select(AssemblySession).where(AssemblySession.assembly_id == assembly_id))
    ]
    closes = [
        b.closed_at.date()
        for b in db.exec(
            select(Ballot).where(Ballot.assembly_id == assembly_id, Ballot.kind == "final")
        )
        if b.closed_at is not None
    ]
    found = days + closes
    return max(found) if found else None


def _question_ids(db: Session, assembly_id: int) -> list[int]:
    return [
        int(q)
        for q in db.exec(
            select(BallotQuestion.id)
            .join(Ballot, col(Ballot.id) == col(BallotQuestion.ballot_id))
            .where(Ballot.assembly_id == assembly_id)
        )
        if q is not None
    ]


def _survey_ids(db: Session, assembly_id: int) -> list[int]:
    rows = db.exec(select(Survey.id).where(Survey.assembly_id == assembly_id))
    return [int(s) for s in rows if s is not None]


def plan(db: Session, assembly: Assembly, today: date) -> Plan:
    assert assembly.id is not None
    settings = settings_of(db, assembly.id)
    ended = ended_on(db, assembly.id)
    members = [m for m in db.exec(select(Member).where(Member.assembly_id == assembly.id))]
    personal = [m for m in members if m.name != PLACEHOLDER or m.attributes or m.active]
    notes = db.exec(
        select(Note.id).where(Note.assembly_id == assembly.id, Note.member_id != None)  # noqa: E711
    )
    questions = _question_ids(db, assembly.id)
    voters = (
        list(db.exec(select(BallotVoter.id).where(BallotVoter.question_id.in_(questions))))  # type: ignore[attr-defined]
        if questions
        else []
    )
    surveys = _survey_ids(db, assembly.id)
    respondents = (
        list(
            db.exec(select(SurveyRespondent.id).where(SurveyRespondent.survey_id.in_(surveys)))  # type: ignore[attr-defined]
        )
        if surveys
        else []
    )
    return Plan(
        days=settings.retention_days,
        ended=ended,
        due=retention_deadline(ended, settings.retention_days),
        done=settings.retained_at is not None,
        members=len(personal),
        authored_notes=len(list(notes)),
        voters=len(voters),
        respondents=len(respondents),
    )


MEMBER_KEYS = ("member_id", "author", "name")


def _scrub(value: Any) -> Any:
    """An event payload without who: member ids, authors and names emptied (recursively)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in ("member_id",):
                out[k] = None
            elif k in ("author", "name", "member_name"):
                out[k] = ""
            elif k == "members" and isinstance(v, (dict, list)):
                out[k] = {} if isinstance(v, dict) else []
            else:
                out[k] = _scrub(v)
        return out
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def do_apply_retention(db: Session, assembly: Assembly) -> list[LoggedEvent]:
    """Remove what links people to their words, votes and answers (see the module's doc)."""
    assert assembly.id is not None
    aid = assembly.id
    members = list(db.exec(select(Member).where(Member.assembly_id == aid)))
    for m in members:
        m.name = PLACEHOLDER
        m.code = f"~{m.id}"  # unique per assembly, says nothing
        m.attributes = {}
        m.active = False
        m.present = False
        m.token_nonce = secrets.token_hex(16)
        m.join_token_hash = token_hash(secrets.token_urlsafe(32))  # no link opens it
        db.add(m)
    db.execute(update(Note).where(Note.assembly_id == aid).values(member_id=None))  # type: ignore[arg-type]
    _unlink_other_tables(db, aid)
    questions = _question_ids(db, aid)
    if questions:
        db.execute(delete(BallotVoter).where(BallotVoter.question_id.in_(questions)))  # type: ignore[attr-defined]
    surveys = _survey_ids(db, aid)
    if surveys:
        db.execute(delete(SurveyRespondent).where(SurveyRespondent.survey_id.in_(surveys)))  # type: ignore[attr-defined]
    db.execute(delete(Presence).where(Presence.assembly_id == aid))  # type: ignore[arg-type]
    for event in db.exec(select(Event).where(Event.assembly_id == aid)):
        cleaned = _scrub(event.payload)
        if cleaned != event.payload:
            event.payload = cleaned
            db.add(event)
        if event.audience.startswith("member:"):
            event.audience = "member:"
            db.add(event)
    _lottery_ids(db, aid)
    settings = _stored_settings(db, aid)
    settings.retained_at = utcnow()
    db.add(settings)
    db.flush()
    return [record(db, aid, "retention", {})]


def _unlink_other_tables(db: Session, assembly_id: int) -> None:
    """Any other table with an assembly and a nullable ``member_id`` (words written by a
    member, e.g. the room's questions to an expert) loses the member too."""
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.tables.values():
        columns = table.c
        if table.name == "note" or "member_id" not in columns or "assembly_id" not in columns:
            continue
        if columns["member_id"].nullable:
            db.execute(
                table.update().where(columns["assembly_id"] == assembly_id).values(member_id=None)
            )


def _lottery_ids(db: Session, assembly_id: int) -> None:
    """The lottery's drawn ids were the roster's codes: the audit's aggregates stay."""
    from app.lottery.models import Lottery

    for lottery in db.exec(select(Lottery).where(Lottery.assembly_id == assembly_id)):
        lottery.pool = None
        lottery.result = None
        lottery.panel, lottery.kept, lottery.replacements, lottery.dropped = [], [], [], []
        db.add(lottery)


def check_all(db: Session, today: date) -> list[int]:
    """Apply retention to every assembly whose period has passed (the start-up check)."""
    from app.record.models import RecordSettings

    done = []
    rows = db.exec(
        select(RecordSettings).where(
            RecordSettings.retention_days != None,  # noqa: E711
            RecordSettings.retained_at == None,  # noqa: E711
        )
    )
    for settings in list(rows):
        assembly = db.get(Assembly, settings.assembly_id)
        if assembly is None:
            continue
        if plan(db, assembly, today).due_on(today):
            do_apply_retention(db, assembly)
            done.append(settings.assembly_id)
    return done

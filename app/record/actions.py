"""State changes of the public record: its settings, the members' statement, the council's
responses, the observers' link, and the evaluation surveys. Each checks, changes and writes
its events in the caller's transaction; the caller commits, then rings.

Event kinds: ``record`` (the public record changed: ``what`` says which part; no names, no
text beyond what the public page shows), ``survey`` (a survey opened or closed: its view),
``surveyed`` (a member answered a survey: that, never what).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from app.ballot.models import Ballot, BallotQuestion
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import Assembly, AssemblySession, Member
from app.record.models import (
    CouncilResponse,
    RecordSettings,
    Survey,
    SurveyAnswer,
    SurveyRespondent,
)
from app.security import capability_token, new_nonce
from facilitation.record import (
    MAX_BODY,
    MAX_JUSTIFICATION,
    MAX_STATEMENT_TEXT,
    RESPONSE_STATUSES,
    SURVEY_KINDS,
    Surveys,
    SurveyView,
    clean_answers,
    clean_links,
)
from facilitation.room import clean_note_text

MAX_COMMISSIONED = 300
MAX_SURVEY_TITLE = 200
MAX_RETENTION_DAYS = 3650


# -- reading ---------------------------------------------------------------------------------


def settings_of(db: Session, assembly_id: int) -> RecordSettings:
    """The assembly's record settings (defaults when none were saved; nothing is written)."""
    found = db.get(RecordSettings, assembly_id)
    return found or RecordSettings(assembly_id=assembly_id, updated_at=utcnow())


def observer_token(secret_key: str, assembly: Assembly, settings: RecordSettings) -> str | None:
    """The observers' capability token, or None while the link is off."""
    if not settings.observer_nonce or assembly.id is None:
        return None
    return capability_token(secret_key, "observer", assembly.id, settings.observer_nonce)


def final_questions(db: Session, assembly_id: int) -> list[BallotQuestion]:
    """The recommendations put to the assembly's closed final ballots (the ones a council
    responds to), oldest ballot first."""
    rows = db.exec(
        select(BallotQuestion)
        .join(Ballot, Ballot.id == BallotQuestion.ballot_id)  # type: ignore[arg-type]
        .where(Ballot.assembly_id == assembly_id, Ballot.kind == "final", Ballot.status == "closed")
        .order_by(Ballot.id, BallotQuestion.position, BallotQuestion.id)  # type: ignore[arg-type]
    )
    return list(rows)


def responses_of(db: Session, assembly_id: int) -> dict[int, list[CouncilResponse]]:
    """Question → the council's responses to it, oldest first (the timeline)."""
    rows = db.exec(
        select(CouncilResponse)
        .where(CouncilResponse.assembly_id == assembly_id)
        .order_by(CouncilResponse.responded_on, CouncilResponse.id)  # type: ignore[arg-type]
    )
    found: dict[int, list[CouncilResponse]] = {}
    for row in rows:
        found.setdefault(row.question_id, []).append(row)
    return found


def surveys_of(db: Session, assembly_id: int) -> list[Survey]:
    return list(
        db.exec(
            select(Survey).where(Survey.assembly_id == assembly_id).order_by(Survey.id)  # type: ignore[arg-type]
        )
    )


def survey_view(survey: Survey) -> SurveyView:
    assert survey.id is not None
    return SurveyView(survey.id, survey.kind, survey.title, survey.status)


def load_surveys(db: Session, assembly_id: int) -> Surveys:
    """The room's surveys and who has answered which (for the phones)."""
    surveys = surveys_of(db, assembly_id)
    views = {s.id: survey_view(s) for s in surveys if s.id is not None}
    answered: dict[int, set[int]] = {}
    if views:
        rows = db.exec(
            select(SurveyRespondent.survey_id, SurveyRespondent.member_id).where(
                SurveyRespondent.survey_id.in_(list(views))  # type: ignore[attr-defined]
            )
        )
        for survey_id, member_id in rows:
            answered.setdefault(int(survey_id), set()).add(int(member_id))
    return Surveys(views, {s: frozenset(m) for s, m in answered.items()})


def answers_of(db: Session, survey_ids: list[int]) -> list[dict[str, int]]:
    if not survey_ids:
        return []
    rows = db.exec(
        select(SurveyAnswer).where(SurveyAnswer.survey_id.in_(survey_ids))  # type: ignore[attr-defined]
    )
    return [dict(r.answers) for r in rows]


def respondents_of(db: Session, survey_id: int) -> int:
    return len(
        list(db.exec(select(SurveyRespondent.id).where(SurveyRespondent.survey_id == survey_id)))
    )


# -- writing ---------------------------------------------------------------------------------


def _record_event(db: Session, assembly_id: int, what: str, **extra: Any) -> LoggedEvent:
    return record(db, assembly_id, "record", {"what": what, **extra})


def _stored_settings(db: Session, assembly_id: int) -> RecordSettings:
    found = db.get(RecordSettings, assembly_id)
    if found is None:
        found = RecordSettings(assembly_id=assembly_id, updated_at=utcnow())
    found.updated_at = utcnow()
    return found


@dataclass(frozen=True)
class SettingsChange:
    commissioned_by: str
    observer_notes: bool
    evaluation_public: bool
    retention_days: int | None


def do_record_settings(
    db: Session, assembly: Assembly, change: SettingsChange
) -> list[LoggedEvent]:
    """Who commissioned the assembly, what observers and the public see, the retention period."""
    assert assembly.id is not None
    commissioned = " ".join(change.commissioned_by.split())
    if len(commissioned) > MAX_COMMISSIONED:
        raise ActionError("too_long")
    days = change.retention_days
    if days is not None and not 0 <= days <= MAX_RETENTION_DAYS:
        raise ActionError("bad_retention")
    row = _stored_settings(db, assembly.id)
    row.commissioned_by = commissioned
    row.observer_notes = change.observer_notes
    row.evaluation_public = change.evaluation_public
    row.retention_days = days
    db.add(row)
    db.flush()
    return [_record_event(db, assembly.id, "settings")]


def do_set_statement(db: Session, assembly: Assembly, text: str) -> list[LoggedEvent]:
    """The members' statement: the text the members write for the report's opening."""
    assert assembly.id is not None
    cleaned = clean_note_text(text)
    if len(cleaned) > MAX_STATEMENT_TEXT:
        raise ActionError("too_long")
    row = _stored_settings(db, assembly.id)
    row.statement = cleaned
    db.add(row)
    db.flush()
    return [_record_event(db, assembly.id, "statement")]


def do_observer_link(db: Session, assembly: Assembly, on: bool) -> list[LoggedEvent]:
    """Make a new observers' link (the old one stops working) or switch it off."""
    assert assembly.id is not None
    row = _stored_settings(db, assembly.id)
    row.observer_nonce = new_nonce() if on else ""
    db.add(row)
    db.flush()
    return [_record_event(db, assembly.id, "observers", on=on)]


@dataclass(frozen=True)
class ResponseSpec:
    question_id: int
    status: str
    justification: str = ""
    body: str = ""
    responded_on: date | None = None
    links: str = ""  # one per line


def do_add_response(
    db: Session, assembly: Assembly, spec: ResponseSpec, now: datetime | None = None
) -> tuple[CouncilResponse, list[LoggedEvent]]:
    """A step in the council's response to a recommendation of a closed final ballot. Every
    change is a new row with its date, so the public page shows the whole timeline."""
    assert assembly.id is not None
    now = now or utcnow()
    question = db.get(BallotQuestion, spec.question_id)
    ballot = db.get(Ballot, question.ballot_id) if question is not None else None
    if ballot is None or ballot.assembly_id != assembly.id or ballot.kind != "final":
        raise ActionError("no_such_question")
    if ballot.status != "closed":
        raise ActionError("ballot_open")
    if spec.status not in RESPONSE_STATUSES:
        raise ActionError("bad_status")
    justification = clean_note_text(spec.justification)
    body = " ".join(spec.body.split())
    if len(justification) > MAX_JUSTIFICATION or len(body) > MAX_BODY:
        raise ActionError("too_long")
    links, refused = clean_links(spec.links.splitlines())
    if refused:
        raise ActionError("bad_link")
    row = CouncilResponse(
        assembly_id=assembly.id,
        question_id=spec.question_id,
        status=spec.status,
        justification=justification,
        body=body,
        responded_on=spec.responded_on or now.date(),
        links=list(links),
        created_at=now,
    )
    db.add(row)
    db.flush()
    event = _record_event(
        db, assembly.id, "response", question_id=spec.question_id, status=spec.status
    )
    return row, [event]


def _survey_event(db: Session, survey: Survey) -> LoggedEvent:
    return record(db, survey.assembly_id, "survey", {"survey": survey_view(survey).to_payload()})


def do_open_survey(
    db: Session,
    assembly: Assembly,
    kind: str,
    title: str,
    session_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Survey, list[LoggedEvent]]:
    """An anonymous evaluation (the core questions) on every phone until it is closed."""
    assert assembly.id is not None
    if kind not in SURVEY_KINDS:
        raise ActionError("bad_message")
    title = " ".join(title.split())[:MAX_SURVEY_TITLE]
    if not title:
        raise ActionError("empty")
    if session_id is not None:
        gathering = db.get(AssemblySession, session_id)
        if gathering is None or gathering.assembly_id != assembly.id:
            raise ActionError("no_such_session")
    now = now or utcnow()
    survey = Survey(
        assembly_id=assembly.id,
        kind=kind,
        session_id=session_id,
        title=title,
        status="open",
        opened_at=now,
        created_at=now,
    )
    db.add(survey)
    db.flush()
    return survey, [_survey_event(db, survey)]


def _survey(db: Session, assembly_id: int, survey_id: int) -> Survey:
    survey = db.get(Survey, survey_id)
    if survey is None or survey.assembly_id != assembly_id:
        raise ActionError("no_such_survey")
    return survey


def do_close_survey(
    db: Session, assembly: Assembly, survey_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    assert assembly.id is not None
    survey = _survey(db, assembly.id, survey_id)
    if survey.status != "open":
        raise ActionError("survey_closed")
    survey.status, survey.closed_at = "closed", now or utcnow()
    db.add(survey)
    db.flush()
    return [_survey_event(db, survey)]


def do_answer_survey(
    db: Session, member: Member, survey_id: int, raw: Mapping[str, Any]
) -> list[LoggedEvent]:
    """A member's answers: stored under a random key without the member or a time; that the
    member has answered is kept apart (once: a second answer is refused)."""
    assert member.id is not None
    survey = _survey(db, member.assembly_id, survey_id)
    if survey.status != "open":
        raise ActionError("survey_closed")
    answers = clean_answers(raw)
    if not answers:
        raise ActionError("empty")
    done = db.exec(
        select(SurveyRespondent).where(
            SurveyRespondent.survey_id == survey_id, SurveyRespondent.member_id == member.id
        )
    ).first()
    if done is not None:
        raise ActionError("already_answered")
    db.add(SurveyAnswer(answer_key=secrets.token_hex(16), survey_id=survey_id, answers=answers))
    db.add(SurveyRespondent(survey_id=survey_id, member_id=member.id))
    db.flush()
    payload = {"survey_id": survey_id, "member_id": member.id}
    return [record(db, member.assembly_id, "surveyed", payload)]

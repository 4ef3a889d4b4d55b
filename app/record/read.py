"""The public record as data, for the public page, the observers' view and the report.

Nothing here reads a member's name, code or attributes: the process log counts and titles,
the selection is the lottery's aggregate audit, notes and provenance are unattributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.ballot.actions import ballot_view, ballots_of
from app.ballot.results import results_json
from app.models import AgendaItem, Assembly, AssemblySession, Member, Note, Seat, SeatingRound
from app.record.actions import (
    answers_of,
    final_questions,
    respondents_of,
    responses_of,
    settings_of,
    surveys_of,
)
from app.record.models import CouncilResponse, RecordSettings, Survey
from app.themes.models import Draft
from app.themes.provenance import DraftProvenance, NoteFacts, draft_provenance, note_facts, visible
from facilitation.ballot import BallotView, QuestionView, Result
from facilitation.record import (
    LogEntry,
    Mixing,
    QuestionResult,
    aggregate,
    gathering_minutes,
    mixing,
    process_log,
)


@dataclass
class Recommendation:
    ballot: BallotView
    question: QuestionView
    result: Result | None
    rationale: str
    statements: tuple[str, ...]
    responses: list[CouncilResponse]
    provenance: DraftProvenance | None = None

    @property
    def latest(self) -> CouncilResponse | None:
        return self.responses[-1] if self.responses else None


@dataclass
class Gathering:
    number: int
    day: date
    starts_at: time
    ends_at: time
    venue: str
    minutes: int
    held: bool


@dataclass
class SurveySummary:
    survey: Survey
    respondents: int
    results: tuple[QuestionResult, ...]


@dataclass
class Record:
    assembly: Assembly
    settings: RecordSettings
    members: int
    results: dict[str, Any]  # /a/<code>/results.json
    ballots: list[BallotView]  # final ballots (not planned), oldest first
    recommendations: list[Recommendation]
    gatherings: list[Gathering]
    log: list[tuple[date, list[LogEntry]]]
    selection: dict[str, Any] | None  # the lottery's aggregate audit, once confirmed
    mixing: Mixing | None
    surveys: list[SurveySummary]
    evaluation: tuple[QuestionResult, ...]  # every survey's answers together
    notes: list[NoteFacts] = field(default_factory=list)  # unattributed, for the appendix

    @property
    def hours(self) -> float:
        return sum(g.minutes for g in self.gatherings if g.held) / 60

    @property
    def closed(self) -> list[Recommendation]:
        return [r for r in self.recommendations if r.result is not None]

    @property
    def open_ballot(self) -> BallotView | None:
        return next((b for b in self.ballots if b.is_open), None)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def gatherings_of(db: Session, assembly_id: int, today: date) -> list[Gathering]:
    rows = db.exec(
        select(AssemblySession)
        .where(AssemblySession.assembly_id == assembly_id)
        .order_by(AssemblySession.day, AssemblySession.starts_at)  # type: ignore[arg-type]
    )
    return [
        Gathering(
            number=i + 1,
            day=s.day,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            venue=s.venue,
            minutes=gathering_minutes(s.starts_at, s.ends_at),
            held=s.day <= today,
        )
        for i, s in enumerate(rows)
    ]


def mixing_of(db: Session, assembly_id: int) -> Mixing | None:
    """Who sat with whom over the published rounds (member ids only, counted here)."""
    rounds = list(
        db.exec(
            select(SeatingRound)
            .where(SeatingRound.assembly_id == assembly_id, SeatingRound.published_at != None)  # noqa: E711
            .order_by(SeatingRound.number)  # type: ignore[arg-type]
        )
    )
    if not rounds:
        return None
    seats = []
    for r in rounds:
        rows = db.exec(select(Seat.member_id, Seat.table_no).where(Seat.round_id == r.id))
        seats.append({int(m): int(t) for m, t in rows})
    return mixing(seats)


def selection_of(db: Session, assembly_id: int) -> dict[str, Any] | None:
    from app.lottery.flow import latest

    lottery = latest(db, assembly_id)
    if lottery is None or lottery.confirmed_at is None or not lottery.audit:
        return None
    return dict(lottery.audit)


def log_of(
    db: Session, assembly_id: int, gatherings: list[Gathering], ballots: list[BallotView]
) -> list[tuple[date, list[LogEntry]]]:
    """What happened when: gatherings held, phases opened, rounds, ballots (with turnout),
    evaluations, the council's responses. Never table talk, never names."""
    entries: list[LogEntry] = []
    for g in gatherings:
        if g.held:
            when = datetime.combine(g.day, g.starts_at, tzinfo=UTC)
            entries.append(LogEntry(when, "gathering", g.venue, number=g.number))
    items = db.exec(
        select(AgendaItem).where(
            AgendaItem.assembly_id == assembly_id,
            AgendaItem.opened_at != None,  # noqa: E711
            AgendaItem.phase_kind != None,  # noqa: E711
        )
    )
    for item in items:
        entries.append(LogEntry(_aware(item.opened_at) or datetime.min, "phase", item.title))
    rounds = db.exec(
        select(SeatingRound).where(
            SeatingRound.assembly_id == assembly_id,
            SeatingRound.published_at != None,  # noqa: E711
        )
    )
    for r in rounds:
        entries.append(LogEntry(_aware(r.published_at) or datetime.min, "round", number=r.number))
    rows = {b.id: b for b in ballots_of(db, assembly_id)}
    for view in ballots:
        row = rows.get(view.id)
        if row is None:
            continue
        if row.opened_at is not None:
            entries.append(
                LogEntry(_aware(row.opened_at) or datetime.min, "ballot_opened", view.title)
            )
        if row.closed_at is not None:
            entries.append(
                LogEntry(
                    _aware(row.closed_at) or datetime.min,
                    "ballot_closed",
                    view.title,
                    turnout=row.turnout,
                    members=row.members,
                )
            )
    for survey in surveys_of(db, assembly_id):
        if survey.closed_at is not None and survey.id is not None:
            entries.append(
                LogEntry(
                    _aware(survey.closed_at) or datetime.min,
                    "survey",
                    survey.title,
                    turnout=respondents_of(db, survey.id),
                )
            )
    return process_log(entries)


def _active_members(db: Session, assembly_id: int) -> int:
    query = select(func.count()).where(Member.assembly_id == assembly_id, Member.active == True)  # noqa: E712
    return int(db.exec(query).one())


def all_notes(db: Session, assembly_id: int) -> list[NoteFacts]:
    """Every note the room saw (not hidden, not withdrawn), without its author."""
    notes = [
        n
        for n in db.exec(
            select(Note).where(Note.assembly_id == assembly_id).order_by(Note.id)  # type: ignore[arg-type]
        )
        if visible(n)
    ]
    facts = note_facts(db, notes, attributed=False)
    return [facts[n.id] for n in notes if n.id is not None]


def build_record(
    db: Session,
    assembly: Assembly,
    today: date,
    with_notes: bool = False,
    with_provenance: bool = False,
) -> Record:
    assert assembly.id is not None
    settings = settings_of(db, assembly.id)
    views = [
        ballot_view(db, b)
        for b in reversed(ballots_of(db, assembly.id))
        if b.kind == "final" and b.status != "planned"
    ]
    responses = responses_of(db, assembly.id)
    closed_ids = {q.id for q in final_questions(db, assembly.id)}
    recommendations = []
    for view in views:
        for q in view.questions:
            draft = db.get(Draft, q.draft_id) if q.draft_id is not None else None
            result = view.result_for(q.id) if not view.is_open else None
            recommendations.append(
                Recommendation(
                    ballot=view,
                    question=q,
                    result=result,
                    rationale=draft.rationale if draft else "",
                    statements=view.statements.get(q.id, ()),
                    responses=responses.get(q.id, []) if q.id in closed_ids else [],
                    provenance=draft_provenance(db, draft) if (draft and with_provenance) else None,
                )
            )
    gatherings = gatherings_of(db, assembly.id, today)
    surveys = []
    for survey in surveys_of(db, assembly.id):
        assert survey.id is not None
        answers = answers_of(db, [survey.id])
        surveys.append(SurveySummary(survey, respondents_of(db, survey.id), aggregate(answers)))
    everything = answers_of(db, [s.survey.id for s in surveys if s.survey.id is not None])
    return Record(
        assembly=assembly,
        settings=settings,
        members=_active_members(db, assembly.id),
        results=results_json(db, assembly),
        ballots=views,
        recommendations=recommendations,
        gatherings=gatherings,
        log=log_of(db, assembly.id, gatherings, views),
        selection=selection_of(db, assembly.id),
        mixing=mixing_of(db, assembly.id),
        surveys=surveys,
        evaluation=aggregate(everything),
        notes=all_notes(db, assembly.id) if with_notes else [],
    )

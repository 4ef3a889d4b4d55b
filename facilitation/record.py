"""The public record, pure: the council's response statuses, the rotation's mixing figures
("each member sat with 29 of 35 others"), the evaluation's core questions and their
aggregates, gathering hours, the process log's order and the retention deadline.

No clock, no database: dates and rows are handed in. Nothing here ever holds a name.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from facilitation.messages import N_

# -- the council's response ---------------------------------------------------------------------

RESPONSE_STATUSES = (
    "received",
    "under_consideration",
    "adopted",
    "partly_adopted",
    "not_adopted",
    "pilot",
)
RESPONSE_WORDS = {
    "received": N_("Received"),
    "under_consideration": N_("Under consideration"),
    "adopted": N_("Adopted by the council"),
    "partly_adopted": N_("Partly adopted"),
    "not_adopted": N_("Not adopted by the council"),
    "pilot": N_("Pilot project"),
}
MAX_JUSTIFICATION = 4000
MAX_BODY = 200
MAX_LINKS = 5
MAX_LINK = 500
MAX_STATEMENT_TEXT = 20000


def clean_links(lines: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """Links given one per line: only http(s) addresses (no ``javascript:``), at most
    ``MAX_LINKS``. Returns the kept links and the refused lines."""
    kept: list[str] = []
    refused: list[str] = []
    for raw in lines:
        link = raw.strip()
        if not link:
            continue
        lower = link.lower()
        ok = (lower.startswith("https://") or lower.startswith("http://")) and len(link) <= MAX_LINK
        ok = ok and not any(c.isspace() or c in "<>\"'" for c in link)
        (kept if ok and len(kept) < MAX_LINKS else refused).append(link)
    return tuple(kept), refused


# -- mixing: who sat with whom over the rounds ---------------------------------------------------


@dataclass(frozen=True)
class Mixing:
    """How much the rotation mixed the room: per member, how many others they sat with."""

    members: int  # members seated in at least one round
    rounds: int
    least: int  # the fewest others any member sat with
    median: float
    most: int
    pairs_met: int  # pairs of members who shared a table at least once
    pairs_possible: int

    @property
    def others(self) -> int:
        """Everyone else: what a member could have sat with."""
        return max(self.members - 1, 0)

    @property
    def pairs_share(self) -> float:
        return 100.0 * self.pairs_met / self.pairs_possible if self.pairs_possible else 0.0


def mixing(rounds: Sequence[Mapping[Any, int]]) -> Mixing:
    """``rounds``: per round, member → table. Members met when they shared a table."""
    met: dict[Any, set[Any]] = {}
    for seats in rounds:
        tables: dict[int, list[Any]] = {}
        for member, table in seats.items():
            tables.setdefault(table, []).append(member)
            met.setdefault(member, set())
        for people in tables.values():
            for m in people:
                met[m].update(p for p in people if p != m)
    counts = sorted(len(others) for others in met.values())
    n = len(counts)
    return Mixing(
        members=n,
        rounds=len(rounds),
        least=counts[0] if counts else 0,
        median=float(statistics.median(counts)) if counts else 0.0,
        most=counts[-1] if counts else 0,
        pairs_met=sum(counts) // 2,
        pairs_possible=n * (n - 1) // 2,
    )


# -- evaluation: the OECD's core questions ------------------------------------------------------

# OECD, "Evaluation Guidelines for Representative Deliberative Processes" (2021): the members'
# own view of the process. Answered 1 (strongly disagree) … 5 (strongly agree).
CORE_QUESTIONS = (
    ("understood_task", N_("I understood what the assembly was asked to do.")),
    ("enough_information", N_("I had enough information to take part.")),
    ("could_speak", N_("I had the chance to say what I think.")),
    ("listened_to", N_("Others listened to me.")),
    ("neutral_facilitation", N_("The facilitators were neutral.")),
    ("would_recommend", N_("I would recommend others to take part in a citizens' assembly.")),
)
QUESTION_KEYS = tuple(k for k, _ in CORE_QUESTIONS)
SCALE = (1, 2, 3, 4, 5)
SURVEY_KINDS = ("gathering", "final")


def clean_answers(raw: Mapping[str, Any]) -> dict[str, int]:
    """The answers a form sent: only the core questions, only 1–5; a question may be left
    out (the member skips it). Anything else is dropped."""
    found: dict[str, int] = {}
    for key in QUESTION_KEYS:
        value = str(raw.get(key, "") or "").strip()
        if value.isdigit() and int(value) in SCALE:
            found[key] = int(value)
    return found


@dataclass(frozen=True)
class QuestionResult:
    key: str
    answers: int
    counts: tuple[int, ...]  # per scale step 1…5
    mean: float | None
    agree_pct: float | None  # share answering 4 or 5


def aggregate(responses: Iterable[Mapping[str, int]]) -> tuple[QuestionResult, ...]:
    """Per core question: how many answered, the distribution, the mean and the share who
    agree (4 or 5), with one decimal."""
    rows = list(responses)
    out = []
    for key in QUESTION_KEYS:
        values = [int(r[key]) for r in rows if r.get(key) in SCALE]
        counts = tuple(values.count(s) for s in SCALE)
        n = len(values)
        out.append(
            QuestionResult(
                key=key,
                answers=n,
                counts=counts,
                mean=round(statistics.fmean(values), 2) if n else None,
                agree_pct=round(100.0 * (counts[3] + counts[4]) / n, 1) if n else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class SurveyView:
    """A survey as phones see it: open or closed, and who has answered (never what)."""

    id: int
    kind: str
    title: str
    status: str

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def to_payload(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SurveyView:
        return cls(
            int(payload["id"]), str(payload["kind"]), str(payload["title"]), str(payload["status"])
        )


@dataclass(frozen=True)
class Surveys:
    surveys: dict[int, SurveyView] = field(default_factory=dict)
    answered: dict[int, frozenset[int]] = field(default_factory=dict)  # survey → member ids

    @property
    def open(self) -> list[SurveyView]:
        return [s for _id, s in sorted(self.surveys.items()) if s.is_open]

    def has_answered(self, survey_id: int, member_id: int | None) -> bool:
        return member_id is not None and member_id in self.answered.get(survey_id, frozenset())


SURVEY_EVENTS = frozenset({"survey", "surveyed"})


def apply_survey_event(surveys: Surveys, kind: str, payload: Mapping[str, Any]) -> Surveys:
    """``survey``: a survey opened or closed (its view); ``surveyed``: a member answered."""
    if kind == "survey":
        view = SurveyView.from_payload(payload["survey"])
        return replace(surveys, surveys={**surveys.surveys, view.id: view})
    if kind == "surveyed":
        survey, member = int(payload["survey_id"]), int(payload["member_id"])
        before = surveys.answered.get(survey, frozenset())
        return replace(surveys, answered={**surveys.answered, survey: before | {member}})
    return surveys


# -- gatherings, the process log, retention ------------------------------------------------------


def gathering_minutes(starts: time, ends: time) -> int:
    """Minutes from start to end of a gathering day (0 when the times are the wrong way)."""
    minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
    return max(minutes, 0)


@dataclass(frozen=True)
class LogEntry:
    """One line of the public process log. ``kind``: gathering, phase, round, ballot,
    survey, response, statement. ``what`` is public text (a title), never a name."""

    when: datetime
    kind: str
    what: str = ""
    number: int | None = None
    turnout: int | None = None
    members: int | None = None


def process_log(entries: Iterable[LogEntry]) -> list[tuple[date, list[LogEntry]]]:
    """The log by day, oldest first; within a day in time order (stable for equal times)."""
    days: dict[date, list[LogEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.when):
        days.setdefault(entry.when.date(), []).append(entry)
    return sorted(days.items())


def retention_deadline(ended: date | None, days: int | None) -> date | None:
    """The day from which what links people to their words is removed: ``days`` after the
    assembly's end (its last gathering or final ballot). None: no period set or no end yet."""
    if days is None or ended is None or days < 0:
        return None
    return ended + timedelta(days=days)


def forget_people(state: Any) -> Any:
    """The room after retention (``retention`` event): notes without their member and author,
    no roster, nobody online, nobody recorded as having voted or answered. ``state`` is a
    ``facilitation.room.RoomState`` (not imported: room imports this module)."""
    notes = {i: replace(n, member_id=None, author="") for i, n in state.notes.items()}
    return replace(
        state,
        notes=notes,
        members={},
        online=frozenset(),
        ballots=replace(state.ballots, voted={}),
        surveys=replace(state.surveys, answered={}),
    )

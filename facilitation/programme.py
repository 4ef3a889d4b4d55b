"""The programme, pure: hours per member and gathering (clamped to the gathering's times),
totals and the 20-hour goal, who is in the room against the lottery's strata, members who
missed several gatherings, the room's questions to an expert (votes, order, merges) and
duplicate suggestions from the grouping engine.

No clock, no database: times are handed in (aware datetimes), the room's questions are plain
data that events move (``apply_programme_event``), like ``facilitation.ballot``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

GOAL_MINUTES = 20 * 60  # "at least 20 hours in all" (the regional assembly's promise)
MAX_QUESTION = 300
QUESTION_STATUSES = ("pending", "approved", "answered", "parked", "merged", "hidden")
ON_SCREEN = ("approved",)  # what the projector lists, in order of votes
SHOWN_TO_ROOM = ("approved", "answered")  # what phones list (with upvote forms while approved)
PROGRAMME_EVENTS = frozenset({"question", "upvote", "attendance", "checkin"})
MISSED_FLAG = 2  # a member who missed this many gatherings is flagged


# -- hours -------------------------------------------------------------------------------------


def clamped_minutes(
    checked_in: datetime | None,
    checked_out: datetime | None,
    starts: datetime,
    ends: datetime,
    now: datetime,
) -> int:
    """Whole minutes present within the gathering: from check-in (not before the start) to
    check-out (not after the end). Still checked in: until ``now`` while the gathering runs,
    until its end once it is over. Never negative."""
    if checked_in is None:
        return 0
    until = checked_out if checked_out is not None else min(now, ends)
    start = max(checked_in, starts)
    end = min(until, ends)
    if end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


@dataclass(frozen=True)
class Stay:
    """One member at one gathering: when they came and left, and a facilitator's correction."""

    member_id: int
    gathering_id: int
    checked_in: datetime | None
    checked_out: datetime | None
    adjusted_minutes: int | None = None  # a facilitator's correction (with a reason kept)


@dataclass(frozen=True)
class Gathering:
    id: int
    starts: datetime
    ends: datetime

    @property
    def minutes(self) -> int:
        return max(0, int((self.ends - self.starts).total_seconds() // 60))


def stay_minutes(stay: Stay, gathering: Gathering, now: datetime) -> int:
    """The minutes that count: the correction when there is one (within 0…the gathering's
    length), else the clamped time."""
    if stay.adjusted_minutes is not None:
        return max(0, min(stay.adjusted_minutes, gathering.minutes))
    return clamped_minutes(stay.checked_in, stay.checked_out, gathering.starts, gathering.ends, now)


@dataclass(frozen=True)
class Hours:
    """Minutes per (member, gathering), totals per member, the goal."""

    per_stay: dict[tuple[int, int], int]
    totals: dict[int, int]
    goal: int = GOAL_MINUTES

    def reached(self, member_id: int) -> bool:
        return self.totals.get(member_id, 0) >= self.goal

    def progress(self, member_id: int) -> float:
        """0…1 towards the goal."""
        return min(1.0, self.totals.get(member_id, 0) / self.goal) if self.goal else 1.0

    def assembly_progress(self, members: Iterable[int]) -> tuple[int, int]:
        """(members who reached the goal, members)."""
        ids = list(members)
        return sum(1 for m in ids if self.reached(m)), len(ids)


def hours(
    stays: Iterable[Stay],
    gatherings: Iterable[Gathering],
    members: Iterable[int],
    now: datetime,
    goal: int = GOAL_MINUTES,
) -> Hours:
    by_id = {g.id: g for g in gatherings}
    per_stay: dict[tuple[int, int], int] = {}
    totals = {m: 0 for m in members}
    for stay in stays:
        gathering = by_id.get(stay.gathering_id)
        if gathering is None:
            continue
        minutes = stay_minutes(stay, gathering, now)
        per_stay[(stay.member_id, stay.gathering_id)] = minutes
        totals[stay.member_id] = totals.get(stay.member_id, 0) + minutes
    return Hours(per_stay, totals, goal)


def hours_text(minutes: int) -> str:
    """ "7:30" (hours and minutes, language-neutral)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


# -- who is in the room vs the strata -----------------------------------------------------------


@dataclass(frozen=True)
class Stratum:
    feature: str
    value: str
    present: int
    members: int
    quota_min: int | None = None
    quota_max: int | None = None

    @property
    def short(self) -> bool:
        """Fewer present than the lottery's minimum (or than half the stratum without one)."""
        if self.quota_min is not None:
            return self.present < self.quota_min
        return self.members > 0 and self.present * 2 < self.members


def presence_by_stratum(
    attributes: Mapping[int, Mapping[str, str]],
    present: Iterable[int],
    quotas: Sequence[Mapping[str, Any]] = (),
) -> list[Stratum]:
    """Per stratum (the lottery's quota categories, else every attribute value the members
    carry): members present of the members in it, beside the quota's bounds."""
    here = set(present)
    wanted: list[tuple[str, str]] = []
    bounds: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    for q in quotas:
        key = (str(q.get("feature", "")), str(q.get("value", "")))
        if key[0] and key not in bounds:
            wanted.append(key)
            bounds[key] = (_int_or_none(q.get("min")), _int_or_none(q.get("max")))
    if not wanted:
        wanted = sorted({(f, v) for attrs in attributes.values() for f, v in attrs.items() if v})
    rows = []
    for feature, value in wanted:
        in_stratum = [m for m, attrs in attributes.items() if attrs.get(feature) == value]
        low, high = bounds.get((feature, value), (None, None))
        rows.append(
            Stratum(
                feature, value, sum(1 for m in in_stratum if m in here), len(in_stratum), low, high
            )
        )
    return rows


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def missed(
    members: Iterable[int], held: Iterable[int], came: Mapping[int, Iterable[int]]
) -> dict[int, int]:
    """Per member, how many of the gatherings ``held`` (those already over) they did not come
    to; ``came`` maps a gathering to the members who checked in."""
    held_ids = list(held)
    sets = {g: set(came.get(g, ())) for g in held_ids}
    return {m: sum(1 for g in held_ids if m not in sets[g]) for m in members}


def flagged(missed_counts: Mapping[int, int], at_least: int = MISSED_FLAG) -> list[int]:
    return sorted(m for m, n in missed_counts.items() if n >= at_least)


# -- the room's questions ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    id: int
    item_id: int | None
    text: str
    status: str  # one of QUESTION_STATUSES
    member_id: int | None = None
    table_no: int | None = None
    merged_into: int | None = None
    answer: str = ""
    answer_public: bool = False
    created_at: str = ""
    client_key: str = ""  # the sender's key: their phone's ack and list item id

    def to_payload(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> QuestionView:
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__ if k in payload})


@dataclass(frozen=True)
class ProgrammeRoom:
    """The live part of the programme: questions and upvotes, who is checked in at which
    gathering, and the self check-in (which gathering, and the code the projector shows)."""

    questions: dict[int, QuestionView] = field(default_factory=dict)
    upvotes: dict[int, frozenset[int]] = field(default_factory=dict)  # question → members
    present: dict[int, frozenset[int]] = field(default_factory=dict)  # gathering → members in
    checkin_gathering: int | None = None
    checkin_code: str | None = None

    def votes(self, question_id: int) -> int:
        """Members who upvoted the question or one merged into it (each counted once)."""
        voters = set(self.upvotes.get(question_id, frozenset()))
        for q in self.questions.values():
            if q.merged_into == question_id:
                voters |= self.upvotes.get(q.id, frozenset())
        return len(voters)

    def has_upvoted(self, question_id: int, member_id: int | None) -> bool:
        return member_id is not None and member_id in self.upvotes.get(question_id, frozenset())

    def for_item(self, item_id: int | None, statuses: Sequence[str]) -> list[QuestionView]:
        """The item's questions in these statuses, most votes first (then the oldest)."""
        chosen = [
            q for q in self.questions.values() if q.item_id == item_id and q.status in statuses
        ]
        return sorted(chosen, key=lambda q: (-self.votes(q.id), q.id))

    def mine(self, item_id: int | None, member_id: int | None) -> list[QuestionView]:
        return sorted(
            (
                q
                for q in self.questions.values()
                if q.item_id == item_id and member_id is not None and q.member_id == member_id
            ),
            key=lambda q: q.id,
        )

    def is_present(self, gathering_id: int | None, member_id: int | None) -> bool:
        if gathering_id is None or member_id is None:
            return False
        return member_id in self.present.get(gathering_id, frozenset())


def apply_programme_event(
    room: ProgrammeRoom, kind: str, payload: Mapping[str, Any]
) -> ProgrammeRoom:
    """``question``: one or more questions as they are now (sent, moderated, merged,
    answered); ``upvote``: a member's first upvote of a question; ``attendance``: a member
    checked in or out of a gathering; ``checkin``: self check-in opened (gathering, code) or
    closed."""
    if kind == "question":
        views = [QuestionView.from_payload(q) for q in payload["questions"]]
        return replace(room, questions={**room.questions, **{v.id: v for v in views}})
    if kind == "upvote":
        question, member = int(payload["question_id"]), int(payload["member_id"])
        before = room.upvotes.get(question, frozenset())
        return replace(room, upvotes={**room.upvotes, question: before | {member}})
    if kind == "attendance":
        gathering, member = int(payload["gathering_id"]), int(payload["member_id"])
        before = room.present.get(gathering, frozenset())
        after = before | {member} if payload["present"] else before - {member}
        present = {**room.present, gathering: after}
        if not after:
            present.pop(gathering)
        return replace(room, present=present)
    if kind == "checkin":
        return replace(
            room,
            checkin_gathering=payload.get("gathering_id"),
            checkin_code=payload.get("code"),
        )
    return room


def duplicate_pairs(
    questions: Sequence[tuple[int, str]], threshold: float = 0.3, limit: int = 10
) -> list[tuple[int, int, float]]:
    """Pairs of questions that look alike (the grouping engine's text vectors, cosine), the
    likeliest first: ``(older id, newer id, similarity)``. The software only suggests; a
    facilitator merges."""
    if len(questions) < 2:
        return []
    from facilitation.grouping_text import guess_language
    from facilitation.grouping_vectors import analyse, vectorise

    texts = [t for _id, t in questions]
    language = guess_language(texts)
    matrix = vectorise([analyse(t, language) for t in texts])
    similarity = matrix @ matrix.T
    pairs = []
    for i in range(len(questions)):
        for j in range(i + 1, len(questions)):
            score = float(min(similarity[i, j], similarity[j, i]))
            if score >= threshold:
                a, b = sorted((questions[i][0], questions[j][0]))
                pairs.append((a, b, round(score, 3)))
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs[:limit]


def checkin_code(number: int) -> str:
    """The short code the projector shows for self check-in: four digits from a number the
    caller drew (``secrets.randbelow(10_000)``)."""
    return f"{number % 10_000:04d}"

"""Ballots and agreement checks: the rule, the count, and what screens know of them.

Pure: no clock, no randomness, no database. A vote reaches this module as an opaque ``voter``
token (app/ makes it a keyed hash of ballot, question and member, so nothing here or in the
database links a vote to a person), a question, a choice, and an ``order`` (later replaces
earlier). Percentages are exact fractions, so a support exactly at the threshold is decided by
the rule (``strict``: above it; otherwise at least it), never by floating-point rounding.

A *question* is one recommendation on a final ballot, or one draft version in an agreement
check. A ballot's questions share its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

# The scales a ballot can use: its choices in the order screens list them.
SCALES: dict[str, tuple[str, ...]] = {
    "yes_no_abstain": ("yes", "no", "abstain"),
    "agree4": ("agree_strongly", "agree", "disagree", "disagree_strongly"),
    "scale5": ("1", "2", "3", "4", "5"),  # an agreement check: 1 disagree … 5 fully agree
}
# Which choices count as support, and which are abstentions.
SUPPORTING: dict[str, frozenset[str]] = {
    "yes_no_abstain": frozenset({"yes"}),
    "agree4": frozenset({"agree_strongly", "agree"}),
    "scale5": frozenset({"5", "4"}),
}
ABSTAINING: dict[str, frozenset[str]] = {
    "yes_no_abstain": frozenset({"abstain"}),
    "agree4": frozenset(),
    "scale5": frozenset(),
}
# What support is a share of: every vote cast; votes cast less abstentions; the members
# present (checked in); every active member.
DENOMINATORS = ("votes_cast", "cast_without_abstentions", "present", "all_members")
BALLOT_KINDS = ("final", "check")
STATUSES = ("planned", "open", "closed")
MAX_STATEMENT = 1000
MAX_BANDS = 6


def parse_pct(value: object) -> Fraction | None:
    """A percentage between 0 and 100 as an exact fraction ("66.7", 70, "70,5"), else None."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number > 100:
        return None
    return Fraction(number)


def pct_text(value: Fraction) -> str:
    """A percentage for storage and JSON: "70", "66.7" (at most two decimals, exact input)."""
    if value.denominator == 1:
        return str(value.numerator)
    return format(float(value), ".2f").rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Band:
    """A label for support at or above ``min_pct`` (above it when ``strict``)."""

    min_pct: Fraction
    label: str
    strict: bool = False

    def holds(self, support: Fraction) -> bool:
        """Whether a share of support reaches this band (``min_pct``, or above it if strict)."""
        share = support * 100
        return share > self.min_pct if self.strict else share >= self.min_pct


@dataclass(frozen=True)
class Rule:
    """How one ballot decides: scale, threshold, denominator and the labels per band."""

    scale: str = "yes_no_abstain"
    threshold_pct: Fraction = Fraction(70)
    strict: bool = False  # passes above the threshold (True) or at least at it (False)
    denominator: str = "votes_cast"
    bands: tuple[Band, ...] = ()

    def problem(self) -> str | None:
        """An error code when the rule cannot be used, else None."""
        if self.scale not in SCALES:
            return "bad_scale"
        if self.denominator not in DENOMINATORS:
            return "bad_denominator"
        if not 0 <= self.threshold_pct <= 100:
            return "bad_threshold"
        if len(self.bands) > MAX_BANDS or any(not 0 <= b.min_pct <= 100 for b in self.bands):
            return "bad_bands"
        return None

    @property
    def choices(self) -> tuple[str, ...]:
        """The answers a voter may give under this rule's scale, in the order shown."""
        return SCALES[self.scale]

    def band_label(self, support: Fraction | None) -> str:
        """The highest band's label that the support reaches ("" when none, or no votes)."""
        if support is None:
            return ""
        for band in sorted(self.bands, key=lambda b: (b.min_pct, b.strict), reverse=True):
            if band.holds(support):
                return band.label
        return ""

    def passes(self, support: Fraction | None) -> bool:
        """Whether ``support`` meets the rule's threshold (None, nothing to count: it does not)."""
        if support is None:
            return False
        share = support * 100
        return share > self.threshold_pct if self.strict else share >= self.threshold_pct

    def to_payload(self) -> dict[str, Any]:
        """The rule as plain data for an event or a JSON export."""
        return {
            "scale": self.scale,
            "threshold_pct": pct_text(self.threshold_pct),
            "strict": self.strict,
            "denominator": self.denominator,
            "bands": [
                {"min_pct": pct_text(b.min_pct), "label": b.label, "strict": b.strict}
                for b in self.bands
            ],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Rule:
        """The rule back from plain data."""
        bands = tuple(
            Band(parse_pct(b["min_pct"]) or Fraction(0), str(b["label"]), bool(b.get("strict")))
            for b in payload.get("bands", ())
        )
        return cls(
            scale=str(payload.get("scale", "yes_no_abstain")),
            threshold_pct=parse_pct(payload.get("threshold_pct", 70)) or Fraction(0),
            strict=bool(payload.get("strict", False)),
            denominator=str(payload.get("denominator", "votes_cast")),
            bands=bands,
        )


@dataclass(frozen=True)
class Vote:
    """One stored vote. ``voter`` is opaque (one per member and question); a paper ballot
    typed by a facilitator is ``paper``."""

    voter: str
    question: int
    choice: str
    order: int = 0
    paper: bool = False


@dataclass(frozen=True)
class Result:
    """One question's count once the ballot is closed."""

    question: int
    counts: dict[str, int]
    cast: int  # votes counted, abstentions included
    denominator: int
    support: Fraction | None  # share of the denominator that supports; None: nothing to share
    passed: bool
    label: str

    @property
    def support_pct(self) -> float | None:
        """Support in per cent, one decimal, for people (the decision uses the exact value)."""
        return None if self.support is None else round(float(self.support * 100), 1)

    def to_payload(self) -> dict[str, Any]:
        """The result as plain data (fractions as strings, so nothing is rounded)."""
        return {
            "question": self.question,
            "counts": dict(self.counts),
            "cast": self.cast,
            "denominator": self.denominator,
            "support": None
            if self.support is None
            else [self.support.numerator, self.support.denominator],
            "passed": self.passed,
            "label": self.label,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Result:
        """The result back from plain data."""
        support = payload.get("support")
        return cls(
            question=int(payload["question"]),
            counts={str(k): int(v) for k, v in payload["counts"].items()},
            cast=int(payload["cast"]),
            denominator=int(payload["denominator"]),
            support=None if support is None else Fraction(int(support[0]), int(support[1])),
            passed=bool(payload["passed"]),
            label=str(payload["label"]),
        )


def counted_votes(votes: Iterable[Vote]) -> dict[tuple[int, str], Vote]:
    """The vote that counts per (question, voter): a paper ballot over a phone vote (a member
    never has both; if the store ever held both, the one a facilitator typed wins), then the
    latest ``order``; equal orders fall to the choice so the result never depends on the
    order the votes are read in."""
    best: dict[tuple[int, str], Vote] = {}
    for vote in votes:
        key = (vote.question, vote.voter)
        held = best.get(key)
        if held is None or (vote.paper, vote.order, vote.choice) > (
            held.paper,
            held.order,
            held.choice,
        ):
            best[key] = vote
    return best


def denominator_of(rule: Rule, counts: Mapping[str, int], present: int, members: int) -> int:
    """What support is a share of, by the rule: votes cast, cast without abstentions,
    present or members (never fewer than voted)."""
    cast = sum(counts.values())
    if rule.denominator == "votes_cast":
        return cast
    if rule.denominator == "cast_without_abstentions":
        return cast - sum(counts.get(c, 0) for c in ABSTAINING[rule.scale])
    # everyone who voted was there and is a member, whatever the check-in list says
    if rule.denominator == "present":
        return max(present, cast)
    return max(members, cast)


def result_of(
    rule: Rule, question: int, counts: Mapping[str, int], present: int, members: int
) -> Result:
    """The counted result of one question under ``rule``: every choice's count, the
    denominator, the share in support, whether it passes and its band's label."""
    full = {c: int(counts.get(c, 0)) for c in rule.choices}
    denominator = denominator_of(rule, full, present, members)
    backing = sum(full[c] for c in SUPPORTING[rule.scale])
    support = Fraction(backing, denominator) if denominator > 0 else None
    return Result(
        question=question,
        counts=full,
        cast=sum(full.values()),
        denominator=denominator,
        support=support,
        passed=rule.passes(support),
        label=rule.band_label(support),
    )


def tally(
    rule: Rule, questions: Iterable[int], votes: Iterable[Vote], present: int, members: int
) -> tuple[Result, ...]:
    """The result per question (in the order given); votes for other questions, and choices
    outside the scale, are not counted."""
    order = list(questions)
    counts: dict[int, dict[str, int]] = {q: {} for q in order}
    for vote in counted_votes(votes).values():
        if vote.question in counts and vote.choice in rule.choices:
            box = counts[vote.question]
            box[vote.choice] = box.get(vote.choice, 0) + 1
    return tuple(result_of(rule, q, counts[q], present, members) for q in order)


# -- what screens know of ballots (facilitation.room keeps these in RoomState) ----------------


@dataclass(frozen=True)
class QuestionView:
    id: int
    title: str
    text: str = ""
    draft_id: int | None = None
    version: int | None = None

    def to_payload(self) -> dict[str, Any]:
        """The question as plain data for an event."""
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> QuestionView:
        """The question back from plain data."""
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__ if k in payload})


@dataclass(frozen=True)
class BallotView:
    """A ballot as every screen may see it: no votes, and results only once closed."""

    id: int
    kind: str  # final | check
    title: str
    status: str  # open | closed (planned ballots are not on screens)
    rule: Rule
    questions: tuple[QuestionView, ...]
    follows_id: int | None = None
    results: tuple[Result, ...] = ()
    turnout: int = 0  # at the close: members who voted on at least one question
    members: int = 0  # at the close: active members
    statements: dict[int, tuple[str, ...]] = field(default_factory=dict)  # minority statements

    @property
    def is_open(self) -> bool:
        """Whether votes are still taken."""
        return self.status == "open"

    def result_for(self, question_id: int) -> Result | None:
        """The counted result of one question (only once the ballot is closed), or None."""
        return next((r for r in self.results if r.question == question_id), None)

    def to_payload(self) -> dict[str, Any]:
        """The ballot's public view as plain data (counts only once closed)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "rule": self.rule.to_payload(),
            "questions": [q.to_payload() for q in self.questions],
            "follows_id": self.follows_id,
            "results": [r.to_payload() for r in self.results],
            "turnout": self.turnout,
            "members": self.members,
            "statements": {str(q): list(s) for q, s in sorted(self.statements.items())},
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BallotView:
        """The ballot's public view back from plain data."""
        return cls(
            id=int(payload["id"]),
            kind=str(payload["kind"]),
            title=str(payload["title"]),
            status=str(payload["status"]),
            rule=Rule.from_payload(payload["rule"]),
            questions=tuple(QuestionView.from_payload(q) for q in payload["questions"]),
            follows_id=payload.get("follows_id"),
            results=tuple(Result.from_payload(r) for r in payload.get("results", ())),
            turnout=int(payload.get("turnout", 0)),
            members=int(payload.get("members", 0)),
            statements={
                int(q): tuple(str(t) for t in s)
                for q, s in payload.get("statements", {}).items()
                if s
            },
        )


@dataclass(frozen=True)
class Ballots:
    """The room's ballots (open and closed) and who has voted on which question (never how)."""

    ballots: dict[int, BallotView] = field(default_factory=dict)
    voted: dict[int, frozenset[int]] = field(default_factory=dict)  # question → member ids

    def turnout(self, ballot: BallotView) -> int:
        """Members who voted on at least one of the ballot's questions."""
        voters: set[int] = set()
        for q in ballot.questions:
            voters |= self.voted.get(q.id, frozenset())
        return len(voters)

    def has_voted(self, question_id: int, member_id: int | None) -> bool:
        """Whether the member has voted on the question (never how)."""
        return member_id is not None and member_id in self.voted.get(question_id, frozenset())

    @property
    def open(self) -> list[BallotView]:
        """The ballots and checks open now, oldest first."""
        return [b for _id, b in sorted(self.ballots.items()) if b.is_open]

    def newest(self, kind: str) -> BallotView | None:
        """The open ballot of this kind, else the newest closed one."""
        mine = [b for _id, b in sorted(self.ballots.items()) if b.kind == kind]
        opened = [b for b in mine if b.is_open]
        chosen = opened or mine
        return chosen[-1] if chosen else None


BALLOT_EVENTS = frozenset({"ballot", "voted"})


def apply_ballot_event(ballots: Ballots, kind: str, payload: Mapping[str, Any]) -> Ballots:
    """``ballot``: a ballot opened, closed or changed (its whole view); ``voted``: a member
    voted on a question for the first time (a replaced vote writes no event)."""
    if kind == "ballot":
        view = BallotView.from_payload(payload["ballot"])
        return replace(ballots, ballots={**ballots.ballots, view.id: view})
    if kind == "voted":
        question, member = int(payload["question_id"]), int(payload["member_id"])
        before = ballots.voted.get(question, frozenset())
        return replace(ballots, voted={**ballots.voted, question: before | {member}})
    return ballots

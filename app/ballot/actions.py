"""State changes of ballots: open (a final ballot or an agreement check), vote by phone, a
paper ballot typed by a facilitator, close (the count) and minority statements. Each checks,
changes and writes its events in the caller's transaction; the caller commits, then rings.

Secrecy: a vote is stored under ``voter_hash`` (HMAC of ballot, question and member with the
install's secret) with its choice and nothing else. The ``voted`` event and the ``ballotvoter``
row say *that* a member voted on a question, never how; the ``ballot`` event carries counts
only once the ballot is closed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.ballot.models import (
    Ballot,
    BallotKey,
    BallotQuestion,
    BallotVote,
    BallotVoter,
    MinorityStatement,
)
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import Assembly, Facilitator, Member
from app.themes.models import Draft
from facilitation.ballot import (
    MAX_STATEMENT,
    SCALES,
    Ballots,
    BallotView,
    Band,
    QuestionView,
    Result,
    Rule,
    Vote,
    tally,
)
from facilitation.room import clean_note_text

MAX_TITLE = 300
MAX_QUESTIONS = 60
CHECK_RULE = Rule(scale="scale5")  # an agreement check: the distribution is what matters


def _mac(secret: str, *parts: object) -> str:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def voter_hash(secret: str, ballot_id: int, question_id: int, member_id: int) -> str:
    """The only handle on a member's vote: without the install's secret it names nobody."""
    return _mac(secret, "vote", ballot_id, question_id, member_id)


def key_hash(secret: str, question_id: int, member_id: int, client_key: str) -> str:
    return _mac(secret, "key", question_id, member_id, client_key)


# -- reading ---------------------------------------------------------------------------------


def questions_of(db: Session, ballot_id: int) -> list[BallotQuestion]:
    return list(
        db.exec(
            select(BallotQuestion)
            .where(BallotQuestion.ballot_id == ballot_id)
            .order_by(col(BallotQuestion.position), col(BallotQuestion.id))
        )
    )


def statements_of(db: Session, question_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not question_ids:
        return {}
    rows = db.exec(
        select(MinorityStatement)
        .where(col(MinorityStatement.question_id).in_(question_ids))
        .order_by(col(MinorityStatement.id))
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row.question_id, []).append(row.text)
    return {q: tuple(t) for q, t in found.items()}


def ballot_view(db: Session, ballot: Ballot) -> BallotView:
    assert ballot.id is not None
    questions = questions_of(db, ballot.id)
    ids = [q.id for q in questions if q.id is not None]
    return BallotView(
        id=ballot.id,
        kind=ballot.kind,
        title=ballot.title,
        status=ballot.status,
        rule=Rule.from_payload(ballot.rule),
        questions=tuple(
            QuestionView(q.id, q.title, q.text, q.draft_id, q.draft_version)
            for q in questions
            if q.id is not None
        ),
        follows_id=ballot.follows_id,
        results=tuple(Result.from_payload(r) for r in ballot.results),
        turnout=ballot.turnout,
        members=ballot.members,
        statements=statements_of(db, ids),
    )


def load_ballots(db: Session, assembly_id: int) -> Ballots:
    """The room's ballots (open and closed, not planned) and who voted on which question."""
    ballots = db.exec(
        select(Ballot)
        .where(Ballot.assembly_id == assembly_id, Ballot.status != "planned")
        .order_by(col(Ballot.id))
    )
    views = {b.id: ballot_view(db, b) for b in ballots if b.id is not None}
    question_ids = [q.id for v in views.values() for q in v.questions]
    voted: dict[int, set[int]] = {}
    if question_ids:
        rows = db.exec(
            select(BallotVoter.question_id, BallotVoter.member_id).where(
                col(BallotVoter.question_id).in_(question_ids)
            )
        )
        for question_id, member_id in rows:
            voted.setdefault(int(question_id), set()).add(int(member_id))
    return Ballots(views, {q: frozenset(m) for q, m in voted.items()})


def get_ballot(db: Session, assembly_id: int, ballot_id: int) -> Ballot:
    ballot = db.get(Ballot, ballot_id)
    if ballot is None or ballot.assembly_id != assembly_id:
        raise ActionError("no_such_ballot")
    return ballot


def ballots_of(db: Session, assembly_id: int) -> list[Ballot]:
    return list(
        db.exec(
            select(Ballot).where(Ballot.assembly_id == assembly_id).order_by(col(Ballot.id).desc())
        )
    )


def voters_of(db: Session, ballot_id: int) -> dict[int, dict[int, bool]]:
    """Member → {question id: on paper?} for everyone who voted on the ballot (never how)."""
    rows = db.exec(
        select(BallotVoter.member_id, BallotVoter.question_id, BallotVoter.paper)
        .join(BallotQuestion, col(BallotQuestion.id) == col(BallotVoter.question_id))
        .where(BallotQuestion.ballot_id == ballot_id)
    )
    found: dict[int, dict[int, bool]] = {}
    for member_id, question_id, paper in rows:
        found.setdefault(int(member_id), {})[int(question_id)] = bool(paper)
    return found


def _count_members(db: Session, assembly_id: int, present_only: bool) -> int:
    query = select(func.count()).where(Member.assembly_id == assembly_id, Member.active == True)  # noqa: E712
    if present_only:
        query = query.where(Member.present == True)  # noqa: E712
    return int(db.exec(query).one())


# -- writing ---------------------------------------------------------------------------------


def _ballot_event(db: Session, ballot: Ballot) -> LoggedEvent:
    return record(
        db, ballot.assembly_id, "ballot", {"ballot": ballot_view(db, ballot).to_payload()}
    )


@dataclass(frozen=True)
class QuestionSpec:
    """One question to put: a draft (its current version), or free words."""

    draft_id: int | None = None
    title: str = ""
    text: str = ""


def default_bands(strong: str, majority: str, none: str) -> tuple[Band, ...]:
    """The Scottish Climate Assembly's bands (> 75 % strongly supported, > 50 % majority),
    labelled in the words of the console that opens the ballot."""
    return (
        Band(Fraction(75), strong, strict=True),
        Band(Fraction(50), majority, strict=True),
        Band(Fraction(0), none),
    )


def do_open_ballot(
    db: Session,
    assembly: Assembly,
    kind: str,
    title: str,
    questions: Iterable[QuestionSpec],
    rule: Rule,
    follows_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Ballot, list[LoggedEvent]]:
    """Put questions to the room: a final ballot or an agreement check (one of each open at a
    time). With ``follows_id`` the ballot waits, planned, until that one closes."""
    assert assembly.id is not None
    now = now or utcnow()
    if kind not in ("final", "check"):
        raise ActionError("bad_message")
    if rule.problem() is not None:
        raise ActionError(rule.problem() or "bad_message")
    title = clean_note_text(title)[:MAX_TITLE]
    if not title:
        raise ActionError("empty")
    specs = list(questions)
    if not specs or len(specs) > MAX_QUESTIONS:
        raise ActionError("no_questions")
    status = "open"
    if follows_id is not None:
        first = get_ballot(db, assembly.id, follows_id)
        status = "open" if first.status == "closed" else "planned"
    if status == "open" and _open_ballot(db, assembly.id, kind) is not None:
        raise ActionError("ballot_open")
    ballot = Ballot(
        assembly_id=assembly.id,
        kind=kind,
        title=title,
        status=status,
        rule=rule.to_payload(),
        follows_id=follows_id,
        opened_at=now if status == "open" else None,
        created_at=now,
    )
    db.add(ballot)
    db.flush()
    assert ballot.id is not None
    for position, spec in enumerate(specs):
        db.add(_question(db, assembly, ballot.id, position, spec))
    db.flush()
    return ballot, [_ballot_event(db, ballot)] if status == "open" else []


def _question(
    db: Session, assembly: Assembly, ballot_id: int, position: int, spec: QuestionSpec
) -> BallotQuestion:
    if spec.draft_id is not None:
        draft = db.get(Draft, spec.draft_id)
        if draft is None or draft.assembly_id != assembly.id:
            raise ActionError("no_such_draft")
        return BallotQuestion(
            ballot_id=ballot_id,
            position=position,
            draft_id=draft.id,
            draft_version=draft.version,
            title=draft.title[:MAX_TITLE],
            text=draft.text,
        )
    title = clean_note_text(spec.title)[:MAX_TITLE]
    if not title:
        raise ActionError("empty")
    return BallotQuestion(
        ballot_id=ballot_id, position=position, title=title, text=clean_note_text(spec.text)
    )


def _open_ballot(db: Session, assembly_id: int, kind: str) -> Ballot | None:
    return db.exec(
        select(Ballot).where(
            Ballot.assembly_id == assembly_id, Ballot.kind == kind, Ballot.status == "open"
        )
    ).first()


def open_ballot(db: Session, assembly_id: int, kind: str = "final") -> Ballot | None:
    return _open_ballot(db, assembly_id, kind)


def do_open_check(
    db: Session, assembly: Assembly, title: str, draft_ids: Iterable[int]
) -> tuple[Ballot, list[LoggedEvent]]:
    """An agreement check (1–5) on drafts as they read now; re-poll after an edit by opening
    another (each check belongs to the draft version it asked about)."""
    specs = [QuestionSpec(draft_id=d) for d in draft_ids]
    return do_open_ballot(db, assembly, "check", title, specs, CHECK_RULE)


@dataclass(frozen=True)
class VoteResult:
    created: bool  # False: a resend of a key already stored (nothing changed)
    events: list[LoggedEvent]


def _question_of(db: Session, ballot: Ballot, question_id: int) -> BallotQuestion:
    question = db.get(BallotQuestion, question_id)
    if question is None or question.ballot_id != ballot.id:
        raise ActionError("no_such_question")
    return question


def do_vote(
    db: Session,
    secret: str,
    member: Member,
    ballot_id: int,
    question_id: int,
    client_key: str,
    choice: str,
) -> VoteResult:
    """A member's vote from their phone. A resent ``client_key`` changes nothing; a new key
    replaces the member's vote on that question while the ballot is open. Refused when a
    facilitator typed this member's paper ballot for the question."""
    assert member.id is not None
    held_key = key_hash(secret, question_id, member.id, client_key)
    if db.get(BallotKey, held_key) is not None:
        return VoteResult(False, [])
    ballot = get_ballot(db, member.assembly_id, ballot_id)
    if ballot.status != "open":
        raise ActionError("ballot_closed")
    question = _question_of(db, ballot, question_id)
    if choice not in SCALES[Rule.from_payload(ballot.rule).scale]:
        raise ActionError("bad_choice")
    voter = db.exec(
        select(BallotVoter).where(
            BallotVoter.question_id == question.id, BallotVoter.member_id == member.id
        )
    ).first()
    if voter is not None and voter.paper:
        raise ActionError("voted_on_paper")
    _store(db, voter_hash(secret, ballot_id, question_id, member.id), question_id, choice, False)
    db.add(BallotKey(key_hash=held_key, question_id=question_id))
    events = []
    if voter is None:
        db.add(BallotVoter(question_id=question_id, member_id=member.id, paper=False))
        events.append(_voted(db, ballot, question_id, member.id))
    db.flush()
    return VoteResult(True, events)


def _store(db: Session, vhash: str, question_id: int, choice: str, paper: bool) -> None:
    row = db.get(BallotVote, vhash)
    if row is None:
        row = BallotVote(voter_hash=vhash, question_id=question_id, choice=choice, paper=paper)
    row.choice, row.paper = choice, paper
    db.add(row)


def _voted(db: Session, ballot: Ballot, question_id: int, member_id: int) -> LoggedEvent:
    """That a member voted (never how): facilitators see who, the projector counts."""
    payload = {"ballot_id": ballot.id, "question_id": question_id, "member_id": member_id}
    return record(db, ballot.assembly_id, "voted", payload)


def do_paper_vote(
    db: Session,
    secret: str,
    assembly: Assembly,
    ballot_id: int,
    member_id: int,
    choices: dict[int, str],
) -> list[LoggedEvent]:
    """A facilitator types a member's paper ballot (one or more questions). A member never has
    both: a question the member already answered by phone is refused (``voted_by_phone``),
    with nothing stored; typing the paper ballot again corrects it."""
    assert assembly.id is not None
    ballot = get_ballot(db, assembly.id, ballot_id)
    if ballot.status != "open":
        raise ActionError("ballot_closed")
    member = db.get(Member, member_id)
    if member is None or member.assembly_id != assembly.id or not member.active:
        raise ActionError("no_such_member")
    scale = SCALES[Rule.from_payload(ballot.rule).scale]
    if not choices:
        raise ActionError("bad_choice")
    voters = {}
    for question_id, choice in choices.items():
        _question_of(db, ballot, question_id)
        if choice not in scale:
            raise ActionError("bad_choice")
        voter = db.exec(
            select(BallotVoter).where(
                BallotVoter.question_id == question_id, BallotVoter.member_id == member_id
            )
        ).first()
        if voter is not None and not voter.paper:
            raise ActionError("voted_by_phone")
        voters[question_id] = voter
    events = []
    for question_id, choice in choices.items():
        _store(db, voter_hash(secret, ballot_id, question_id, member_id), question_id, choice, True)
        if voters[question_id] is None:
            db.add(BallotVoter(question_id=question_id, member_id=member_id, paper=True))
            events.append(_voted(db, ballot, question_id, member_id))
    db.flush()
    return events


def count(db: Session, ballot: Ballot) -> tuple[Result, ...]:
    """Count a ballot from its stored votes (facilitation.ballot.tally)."""
    assert ballot.id is not None
    questions = [q.id for q in questions_of(db, ballot.id) if q.id is not None]
    rows = db.exec(select(BallotVote).where(col(BallotVote.question_id).in_(questions)))
    votes = [Vote(r.voter_hash, r.question_id, r.choice, 0, r.paper) for r in rows]
    present = _count_members(db, ballot.assembly_id, present_only=True)
    members = _count_members(db, ballot.assembly_id, present_only=False)
    return tally(Rule.from_payload(ballot.rule), questions, votes, present, members)


def do_close_ballot(
    db: Session, assembly: Assembly, ballot_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    """Close and count; every screen gets the results at once. A ballot that follows this one
    opens now. An agreement check's "reveal" is its close."""
    assert assembly.id is not None
    ballot = get_ballot(db, assembly.id, ballot_id)
    if ballot.status != "open":
        raise ActionError("ballot_closed")
    results = count(db, ballot)
    voters = voters_of(db, ballot_id)
    ballot.results = [r.to_payload() for r in results]
    ballot.turnout = len(voters)
    ballot.members = _count_members(db, assembly.id, present_only=False)
    ballot.present = _count_members(db, assembly.id, present_only=True)
    ballot.status, ballot.closed_at = "closed", now or utcnow()
    db.add(ballot)
    db.flush()
    events = [_ballot_event(db, ballot)]
    followers = db.exec(
        select(Ballot).where(Ballot.follows_id == ballot_id, Ballot.status == "planned")
    )
    for follower in followers:
        if _open_ballot(db, assembly.id, follower.kind) is None:
            follower.status, follower.opened_at = "open", now or utcnow()
            db.add(follower)
            db.flush()
            events.append(_ballot_event(db, follower))
    return events


def do_reveal_check(db: Session, assembly: Assembly, ballot_id: int) -> list[LoggedEvent]:
    ballot = get_ballot(db, assembly.id or 0, ballot_id)
    if ballot.kind != "check":
        raise ActionError("no_such_ballot")
    return do_close_ballot(db, assembly, ballot_id)


def do_add_statement(
    db: Session, assembly: Assembly, facilitator: Facilitator | None, question_id: int, text: str
) -> list[LoggedEvent]:
    """A minority statement, attached to a closed ballot's result; it travels with it."""
    question = db.get(BallotQuestion, question_id)
    ballot = db.get(Ballot, question.ballot_id) if question is not None else None
    if ballot is None or ballot.assembly_id != assembly.id or ballot.kind != "final":
        raise ActionError("no_such_question")
    if ballot.status != "closed":
        raise ActionError("ballot_open")
    cleaned = clean_note_text(text)
    if not cleaned:
        raise ActionError("empty")
    if len(cleaned) > MAX_STATEMENT:
        raise ActionError("too_long")
    db.add(
        MinorityStatement(
            question_id=question_id,
            text=cleaned,
            facilitator_id=facilitator.id if facilitator else None,
            created_at=utcnow(),
        )
    )
    db.flush()
    return [_ballot_event(db, ballot)]

"""The results as data: `GET /a/<code>/results.json` and `samling ballot close --json` print
the same object (docs/contracts/ballot.md). While the ballot is open it has no counts,
support, label or passed at all."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from app.ballot.actions import ballot_view, voters_of
from app.ballot.models import Ballot
from app.models import Assembly, Member
from facilitation.ballot import BallotView


def pct_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else round(float(value), 2)


def public_ballot(db: Session, assembly_id: int) -> Ballot | None:
    """The final ballot the public sees: the open one, else the newest closed one."""
    rows = list(
        db.exec(
            select(Ballot)
            .where(
                Ballot.assembly_id == assembly_id,
                Ballot.kind == "final",
                Ballot.status != "planned",
            )
            .order_by(col(Ballot.id))
        )
    )
    opened = [b for b in rows if b.status == "open"]
    chosen = opened or rows
    return chosen[-1] if chosen else None


def results_json(db: Session, assembly: Assembly, ballot: Ballot | None = None) -> dict[str, Any]:
    assert assembly.id is not None
    ballot = ballot or public_ballot(db, assembly.id)
    members = len(
        list(
            db.exec(
                select(Member.id).where(
                    Member.assembly_id == assembly.id,
                    Member.active == True,  # noqa: E712
                )
            )
        )
    )
    if ballot is None or ballot.id is None:
        return {
            "status": "none",
            "turnout": 0,
            "members": members,
            "rule": None,
            "recommendations": [],
        }
    view: BallotView = ballot_view(db, ballot)
    closed = ballot.status == "closed"
    turnout = ballot.turnout if closed else len(voters_of(db, ballot.id))
    recommendations = []
    for q in view.questions:
        item: dict[str, Any] = {"id": q.id, "title": q.title}
        result = view.result_for(q.id) if closed else None
        if result is not None:
            item.update(
                counts=dict(result.counts),
                support_pct=result.support_pct,
                label=result.label,
                passed=result.passed,
            )
            statements = view.statements.get(q.id)
            if statements:
                item["minority_statements"] = list(statements)
        recommendations.append(item)
    return {
        "status": "closed" if closed else "open",
        "ballot_id": ballot.id,
        "title": ballot.title,
        "turnout": turnout,
        "members": ballot.members if closed else members,
        "rule": {
            "threshold_pct": pct_number(view.rule.threshold_pct),
            "denominator": view.rule.denominator,
            "strict": view.rule.strict,
            "scale": view.rule.scale,
        },
        "recommendations": recommendations,
    }

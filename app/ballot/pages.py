"""The console's ballot page (open a ballot or an agreement check, who has voted, paper
ballots, close, results, minority statements, CSV) and the public results (page section and
JSON). Every change goes through ``app.writes.facilitator_write``: one transaction, events,
the ring."""

from __future__ import annotations

import io
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.agenda import do_set_scene
from app.auth import assembly_by_code, form_value, get_assembly, require_facilitator
from app.ballot import actions
from app.ballot.models import Ballot
from app.ballot.results import results_json
from app.errors import ActionError
from app.events import LoggedEvent
from app.exports import writer as csv_writer
from app.models import Assembly, Facilitator, Member
from app.security import normalise_code
from app.templating import render_page
from app.themes.models import Draft
from app.web_helpers import redirect
from app.writes import facilitator_write
from facilitation.ballot import (
    DENOMINATORS,
    MAX_STATEMENT,
    SCALES,
    BallotView,
    Band,
    Rule,
    parse_pct,
)

BAND_COUNT = 3


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _checks_by_draft(views: list[BallotView]) -> dict[int, list[tuple[BallotView, int]]]:
    """Each draft's closed agreement checks, oldest first: how the answers moved per version."""
    found: dict[int, list[tuple[BallotView, int]]] = {}
    for view in sorted(views, key=lambda v: v.id):
        if view.kind != "check" or view.is_open:
            continue
        for q in view.questions:
            if q.draft_id is not None:
                found.setdefault(q.draft_id, []).append((view, q.id))
    return found


def _page_context(db: Session, assembly: Assembly) -> dict[str, Any]:
    assert assembly.id is not None
    ballots = actions.ballots_of(db, assembly.id)
    views = {b.id: actions.ballot_view(db, b) for b in ballots if b.id is not None}
    members = list(
        db.exec(
            select(Member)
            .where(Member.assembly_id == assembly.id, Member.active == True)  # noqa: E712
            .order_by(Member.name)
        )
    )
    voters = {b.id: actions.voters_of(db, b.id) for b in ballots if b.id and b.status == "open"}
    drafts = list(
        db.exec(
            select(Draft)
            .where(Draft.assembly_id == assembly.id, Draft.status == "active")
            .order_by(col(Draft.id))
        )
    )
    return {
        "assembly": assembly,
        "ballots": ballots,
        "views": views,
        "members": members,
        "voters": voters,
        "drafts": drafts,
        "draft_titles": {d.id: d.title for d in drafts},
        "checks": _checks_by_draft(list(views.values())),
        "scales": list(SCALES),
        "denominators": DENOMINATORS,
        "max_statement": MAX_STATEMENT,
    }


def page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        context = _page_context(db, assembly)
    return render_page(
        request,
        "f/ballot.html",
        error=request.query_params.get("error", ""),
        done=request.query_params.get("done", ""),
        **context,
    )


def turnout(request: Request) -> Response:
    """Who has voted on the open ballots (never how): the page asks every few seconds."""
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        context = _page_context(db, assembly)
    return render_page(request, "f/ballot_turnout.html", **context)


def _rule(form: Any, lang: str) -> Rule:
    scale = form_value(form, "scale", 20) or "yes_no_abstain"
    threshold = parse_pct(form_value(form, "threshold_pct", 10) or "70")
    if threshold is None:
        raise ActionError("bad_threshold")
    bands = []
    for i in range(1, BAND_COUNT + 1):
        label = " ".join(form_value(form, f"band_label_{i}", 60).split())
        low = parse_pct(form_value(form, f"band_min_{i}", 10))
        if label and low is not None:
            bands.append(Band(low, label, strict=bool(form.get(f"band_strict_{i}"))))
    return Rule(
        scale=scale,
        threshold_pct=threshold,
        strict=bool(form.get("strict")),
        denominator=form_value(form, "denominator", 40) or "votes_cast",
        bands=tuple(bands),
    )


async def act(request: Request) -> Response:
    """One route for every ballot action; ``action`` names it."""
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    ballot_id = _int(form.get("ballot_id"))
    back = f"/f/a/{assembly_id}/ballot"
    secret = request.app.state.settings.secret_key

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent]:
        if action in ("open", "check"):
            kind = "check" if action == "check" else "final"
            specs = [
                actions.QuestionSpec(draft_id=int(d))
                for d in form.getlist("draft_ids")
                if isinstance(d, str) and d.isdigit()
            ]
            for line in form_value(form, "questions", 5000).splitlines():
                if line.strip():
                    specs.append(actions.QuestionSpec(title=line.strip()))
            rule = actions.CHECK_RULE if kind == "check" else _rule(form, "")
            title = form_value(form, "title", 300)
            follows = _int(form.get("follows_id"))
            _ballot, events = actions.do_open_ballot(
                db, assembly, kind, title, specs, rule, follows
            )
            if events:  # the big screen shows it: how many have voted, then the result
                events += do_set_scene(db, assembly, "check" if kind == "check" else "results")
            return events
        if ballot_id is None:
            raise ActionError("no_such_ballot")
        if action == "close":
            ballot = actions.get_ballot(db, assembly.id or 0, ballot_id)
            events = actions.do_close_ballot(db, assembly, ballot_id)
            return events + do_set_scene(db, assembly, _scene_of(ballot))
        if action == "paper":
            member_id = _int(form.get("member_id"))
            if member_id is None:
                raise ActionError("no_such_member")
            choices = {}
            for key in form:
                if key.startswith("choice_") and key[7:].isdigit() and form_value(form, key, 20):
                    choices[int(key[7:])] = form_value(form, key, 20)
            return actions.do_paper_vote(db, secret, assembly, ballot_id, member_id, choices)
        if action == "statement":
            question_id = _int(form.get("question_id"))
            text = form_value(form, "text", MAX_STATEMENT + 100)
            return actions.do_add_statement(db, assembly, me, question_id or 0, text)
        if action == "scene":
            ballot = actions.get_ballot(db, assembly.id or 0, ballot_id)
            return do_set_scene(db, assembly, _scene_of(ballot))
        raise ActionError("bad_message")

    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        return redirect(f"{back}?error={exc.code}")
    return redirect(f"{back}?done={action}")


def _scene_of(ballot: Ballot) -> str:
    return "check" if ballot.kind == "check" else "results"


def results_csv(request: Request) -> Response:
    """One row per recommendation: counts, support, adopted, label (closed ballots only)."""
    assembly_id = int(request.path_params["assembly_id"])
    ballot_id = int(request.path_params["ballot_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        try:
            ballot = actions.get_ballot(db, assembly_id, ballot_id)
        except ActionError as exc:
            raise HTTPException(404) from exc
        view = actions.ballot_view(db, ballot)
        data = results_json(db, assembly, ballot)
    if ballot.status != "closed":
        raise HTTPException(404)  # no count exists while a ballot is open
    out = io.StringIO()
    writer = csv_writer(out)
    choices = list(view.rule.choices)
    writer.writerow(["id", "title", *choices, "support_pct", "passed", "label", "statements"])
    for rec in data["recommendations"]:
        writer.writerow(
            [
                rec["id"],
                rec["title"],
                *[rec["counts"][c] for c in choices],
                rec["support_pct"] if rec["support_pct"] is not None else "",
                "yes" if rec["passed"] else "no",
                rec["label"],
                " | ".join(rec.get("minority_statements", [])),
            ]
        )
    name = f"ballot-{ballot_id}-results.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _public_assembly(db: Session, code: str) -> Assembly:
    assembly = assembly_by_code(db, normalise_code(code))
    if assembly is None or assembly.id is None:
        raise HTTPException(status_code=404, detail="No such assembly")
    return assembly


def public_json(request: Request) -> Response:
    with request.app.state.db() as db:
        assembly = _public_assembly(db, request.path_params["code"])
        data = results_json(db, assembly)
    return JSONResponse(data, headers={"cache-control": "no-store"})


def public_context(db: Session, assembly: Assembly) -> dict[str, Any]:
    """For the public page /a/<code>: every closed final ballot with its results, and whether
    one is open now (then only how many have voted)."""
    assert assembly.id is not None
    ballots = [
        actions.ballot_view(db, b)
        for b in reversed(actions.ballots_of(db, assembly.id))
        if b.kind == "final" and b.status != "planned"
    ]
    open_now = next((b for b in ballots if b.is_open), None)
    turnout = len(actions.voters_of(db, open_now.id)) if open_now else 0
    return {"public_ballots": ballots, "public_turnout": turnout}


routes = [
    Route("/f/a/{assembly_id:int}/ballot", page),
    Route("/f/a/{assembly_id:int}/ballot/turnout", turnout),
    Route("/f/a/{assembly_id:int}/ballot/act", act, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/ballot/{ballot_id:int}/results.csv", results_csv),
    Route("/a/{code:str}/results.json", public_json),
]

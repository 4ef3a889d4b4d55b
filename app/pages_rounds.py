"""The facilitator's rounds page: check-in, plan ahead, preview and edit, publish, re-plan."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import rounds
from app.auth import form_value, get_assembly, require_facilitator
from app.errors import ActionError
from app.members import members_of
from app.models import Assembly
from app.snapshot import published_round
from app.templating import render_page
from app.web_helpers import in_db, redirect
from app.writes import facilitator_write
from facilitation.seating_report import round_report

BALANCE_ORDER = ("gender", "age", "education", "area")


def _report(
    db: Session,
    round_: Any,
    past: list[list[list[str]]],
    attrs: dict[str, dict[str, str]],
    balance_on: list[str],
) -> list[Any]:
    tables = [[str(m) for m in t] for t in rounds.tables_of(db, round_)]
    return round_report(tables, past, attrs, balance_on)


def page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        roster = members_of(db, assembly_id, active_only=True)
        names = {str(m.id): m.name for m in roster}
        attrs = {str(m.id): m.attributes for m in roster}
        attribute_names = sorted(
            {k for m in roster for k in m.attributes}, key=lambda a: (BALANCE_ORDER + (a,)).index(a)
        )
        past = rounds.history(db, assembly_id)
        drafts = rounds.rounds_of(db, assembly_id, drafts=True)
        current = published_round(db, assembly_id)
        previews = []
        horizon = list(past)
        for draft in drafts:
            previews.append((draft, _report(db, draft, horizon, attrs, attribute_names)))
            horizon.append([[str(m) for m in t] for t in rounds.tables_of(db, draft)])
        current_report = (
            _report(db, current, [r for r in past][:-1], attrs, attribute_names) if current else []
        )
    return render_page(
        request,
        "f/rounds.html",
        assembly=assembly,
        roster=roster,
        names=names,
        attribute_names=attribute_names,
        previews=previews,
        current=current,
        current_report=current_report,
        published=len(past),
        moved=request.query_params.get("moved"),
        error=request.query_params.get("error"),
    )


async def _act(
    request: Request, work: Callable[[Session, Assembly], object], anchor: str = ""
) -> Response:
    """Run a rounds change through the write path; back to the rounds page, with the
    refusal's code (``?error=``) or, from ``work``, a query string to show (``?moved=3``)."""
    assembly_id = int(request.path_params["assembly_id"])
    try:
        result = await facilitator_write(request, lambda db, assembly, _me: work(db, assembly))
    except ActionError as exc:
        return redirect(f"/f/a/{assembly_id}/rounds?error={exc.code}")
    query = result if isinstance(result, str) else ""
    return redirect(f"/f/a/{assembly_id}/rounds{query}{anchor}")


async def checkin(request: Request) -> Response:
    form = await request.form()
    present = {int(v) for v in form.getlist("present") if isinstance(v, str) and v.isdigit()}

    def work(db: Session, assembly: Assembly) -> None:
        assert assembly.id is not None
        for member in members_of(db, assembly.id, active_only=True):
            assert member.id is not None
            rounds.do_set_present(db, assembly, member.id, member.id in present)

    return await _act(request, work, "#checkin")


async def plan(request: Request) -> Response:
    form = await request.form()

    def number(name: str, default: int, low: int, high: int) -> int:
        try:
            return max(low, min(high, int(form_value(form, name, 6) or default)))
        except ValueError:
            return default

    balance = {
        a: rounds.DEFAULT_PRIORITIES.get(a, 1.0)
        for a in form.getlist("balance")
        if isinstance(a, str) and len(a) <= 40
    }
    seed_text = form_value(form, "seed", 12)
    plan_request = rounds.PlanRequest(
        table_size=number("table_size", 6, 2, 20),
        rounds=number("rounds", 1, 1, 12),
        balance=balance,
        seed=int(seed_text) if seed_text.isdigit() else secrets.randbelow(10**6),
        hosts=frozenset(int(v) for v in form.getlist("host") if isinstance(v, str) and v.isdigit()),
    )
    assembly_id = int(request.path_params["assembly_id"])

    def prepare(db: Session) -> rounds.PlannedRounds:
        require_facilitator(request, db)
        return rounds.prepare_plan(db, get_assembly(db, assembly_id), plan_request)

    try:
        planned = await in_db(request, prepare)  # a read: notes keep flowing meanwhile
    except ActionError as exc:
        return redirect(f"/f/a/{assembly_id}/rounds?error={exc.code}")
    return await _act(request, lambda db, a: rounds.do_store_plan(db, a, planned), "#drafts")


async def move(request: Request) -> Response:
    form = await request.form()
    round_id = int(request.path_params["round_id"])
    member_id = int(form_value(form, "member_id", 12) or 0)
    table_no = int(form_value(form, "table_no", 4) or 0)
    return await _act(
        request,
        lambda db, a: rounds.do_move(db, a, round_id, member_id, table_no),
        f"#round-{round_id}",
    )


async def publish(request: Request) -> Response:
    round_id = int(request.path_params["round_id"])
    return await _act(request, lambda db, a: rounds.do_publish(db, a, round_id), "#current")


async def replan(request: Request) -> Response:
    def work(db: Session, assembly: Assembly) -> str:
        _events, moved = rounds.do_replan(db, assembly, secrets.randbelow(10**6))
        return f"?moved={moved}"

    return await _act(request, work, "#current")


routes = [
    Route("/f/a/{assembly_id:int}/rounds", page),
    Route("/f/a/{assembly_id:int}/rounds/checkin", checkin, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/rounds/plan", plan, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/rounds/{round_id:int}/move", move, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/rounds/{round_id:int}/publish", publish, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/rounds/replan", replan, methods=["POST"]),
]

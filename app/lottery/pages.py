"""The organiser's lottery pages (/f/a/{id}/lottery/…) and the public audit (/a/{code}/lottery).

Organisers are facilitator accounts. Every state change is a POST with the CSRF token; the run
goes to a worker thread (``app.lottery.flow``) and the page polls its progress with htmx.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import (
    assembly_by_code,
    form_value,
    get_assembly,
    request_language,
    require_facilitator,
)
from app.csvfiles import MAX_BYTES, CsvError
from app.i18n import translations
from app.lottery import flow
from app.lottery import panel as drawn_panel
from app.lottery.audit import audit_csv
from app.lottery.files import display_name, pool_rows
from app.lottery.models import Lottery
from app.members import members_of
from app.models import Assembly, Facilitator
from app.security import normalise_code
from app.templating import render_page
from app.web_helpers import in_db, redirect
from app.writes import facilitator_write

UPLOAD_OPTIONS = ("panel_size", "panels", "household_columns", "retention_days")


def _base(request: Request) -> str:
    return f"/f/a/{int(request.path_params['assembly_id'])}/lottery"


def _context(db: Session, assembly_id: int, **extra: Any) -> dict[str, Any]:
    drawn_panel.purge_expired(db)
    assembly = get_assembly(db, assembly_id)
    lottery = flow.latest(db, assembly_id)
    report = None
    if lottery is not None and lottery.status == "uploaded" and lottery.pool is not None:
        try:
            report = flow.feasibility(lottery)
        except (ValueError, flow.LotteryError) as exc:
            extra.setdefault("problems", [str(exc)])
    panel: list[dict[str, Any]] = []
    if lottery is not None and lottery.pool is not None and lottery.panel:
        rows = pool_rows(lottery.pool)
        for pid in lottery.panel:
            strata = [rows[pid][f] for f in lottery.features]
            name = display_name(rows[pid], pid)
            panel.append({"id": pid, "name": name, "strata": strata})
    return {
        "assembly": assembly,
        "lottery": lottery,
        "report": report,
        "panel": panel,
        "members": len(members_of(db, assembly_id)),
        "stalled": lottery is not None and flow.is_stalled(lottery),
        "error": None,
        "problems": [],
        "fields": [],
        "form": {},
        **extra,
    }


def page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])

    def work(db: Session) -> dict[str, Any]:
        require_facilitator(request, db)
        return _context(db, assembly_id)

    with request.app.state.db() as db:
        context = work(db)
    return render_page(request, "f/lottery.html", **context)


async def _act(request: Request, action: Any, *args: Any) -> Response:
    """Run ``action(db, lottery, *args)`` for this assembly's lottery; errors re-render the page."""
    assembly_id = int(request.path_params["assembly_id"])

    def work(
        db: Session, _assembly: Assembly, _me: Facilitator
    ) -> tuple[Any, dict[str, Any] | None]:
        lottery = flow.latest(db, assembly_id, lock=True)
        try:
            if lottery is None:
                raise flow.LotteryError("no_lottery")
            outcome = action(db, lottery, *args)
            db.add(lottery)
            return outcome, None
        except flow.LotteryError as exc:
            db.rollback()
            return None, _context(db, assembly_id, error=exc)

    outcome, failed = await facilitator_write(request, work)
    if failed is not None:
        return render_page(request, "f/lottery.html", status_code=400, **failed)
    if callable(outcome):
        outcome()  # the worker starts after the "running" status is committed
    return redirect(_base(request))


async def upload(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    async with request.form(max_part_size=MAX_BYTES) as form:
        files = {}
        for name in ("people", "quotas"):
            part = form.get(name)
            files[name] = await part.read() if isinstance(part, UploadFile) else b""
        options = {k: form_value(form, k, 500) for k in UPLOAD_OPTIONS}

    # who may upload first; then parse in the threadpool outside any transaction (bounded by
    # app.csvfiles' limits), so a big or hostile file holds no lock; then one short write
    def allowed(db: Session) -> None:
        require_facilitator(request, db)
        get_assembly(db, assembly_id)

    await in_db(request, allowed)
    parsed = await run_in_threadpool(flow.parse_upload, files["people"], files["quotas"], options)

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> dict[str, Any] | None:
        try:
            flow.upload(db, assembly, parsed)
        except flow.UploadError as exc:
            db.rollback()
            return _context(db, assembly_id, problems=exc.problems, fields=exc.fields, form=options)
        except CsvError as exc:
            db.rollback()
            return _context(db, assembly_id, problems=exc.problems, form=options)
        except flow.LotteryError as exc:
            db.rollback()
            return _context(db, assembly_id, error=exc)
        return None

    failed = await facilitator_write(request, work)
    if failed is not None:
        return render_page(request, "f/lottery.html", status_code=400, **failed)
    return redirect(_base(request))


async def run(request: Request) -> Response:
    engine = request.app.state.engine
    return await _act(request, lambda db, lottery: flow.start_run(db, engine, lottery))


def progress(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        lottery = flow.latest(db, assembly_id)
    if lottery is None or request.headers.get("hx-request") != "true":
        return redirect(_base(request))
    response = render_page(request, "f/lottery_progress.html", lottery=lottery)
    if lottery.status != "running":
        response.headers["HX-Refresh"] = "true"
    return response


async def draw(request: Request) -> Response:
    seed = (await request.form()).get("seed")
    text = seed[:2000] if isinstance(seed, str) else ""
    settings = request.app.state.settings

    def action(db: Session, lottery: Lottery) -> None:
        left, joined = flow.draw(lottery, text)
        assembly = get_assembly(db, lottery.assembly_id)
        drawn_panel.apply_replacements(db, settings, assembly, lottery, left, joined)

    return await _act(request, action)


async def replace(request: Request) -> Response:
    form = await request.form()
    dropouts = [v for v in form.getlist("dropout") if isinstance(v, str)]
    return await _act(request, lambda db, lottery: flow.start_replacement(lottery, dropouts))


async def cancel(request: Request) -> Response:
    return await _act(request, lambda db, lottery: flow.cancel_replacement(lottery))


async def confirm(request: Request) -> Response:
    settings = request.app.state.settings

    def action(db: Session, lottery: Lottery) -> None:
        drawn_panel.confirm(db, settings, get_assembly(db, lottery.assembly_id), lottery)

    return await _act(request, action)


async def delete(request: Request) -> Response:
    def action(db: Session, lottery: Lottery) -> None:
        if lottery.confirmed_at is None:
            raise flow.LotteryError("not_drawn")
        drawn_panel.delete_pool(lottery)

    return await _act(request, action)


def _download(text: str, filename: str, media_type: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


def _organiser_lottery(request: Request, db: Session) -> Lottery:
    require_facilitator(request, db)
    assembly_id = int(request.path_params["assembly_id"])
    get_assembly(db, assembly_id)
    drawn_panel.purge_expired(db)
    lottery = flow.latest(db, assembly_id)
    if lottery is None:
        raise HTTPException(404, "No lottery")
    return lottery


def export(request: Request) -> Response:
    with request.app.state.db() as db:
        lottery = _organiser_lottery(request, db)
    try:
        text = drawn_panel.export_csv(lottery, translations(request_language(request)).gettext)
    except flow.LotteryError:
        raise HTTPException(410, "The pool's personal data has been deleted") from None
    return _download(text, f"lottery-{lottery.id}-contacts.csv", "text/csv; charset=utf-8")


def lottery_txt(request: Request) -> Response:
    with request.app.state.db() as db:
        lottery = _organiser_lottery(request, db)
    try:
        text = flow.lottery_text(lottery)
    except flow.LotteryError:
        raise HTTPException(404, "No computed lottery") from None
    return _download(text, f"lottery-{lottery.id}-panels.txt", "text/plain; charset=utf-8")


def _audit_response(
    request: Request, lottery: Lottery | None, assembly: Any, csv: bool
) -> Response:
    if lottery is None or lottery.audit is None:
        raise HTTPException(404, "No draw yet")
    if csv:
        text = audit_csv(lottery.audit, translations(request_language(request)).gettext)
        return _download(text, "lottery-audit.csv", "text/csv; charset=utf-8")
    draws: list[dict[str, Any]] = lottery.audit.get("draws", [])
    first = next((d for d in draws if d.get("round") == 1), {})
    drawn_on = datetime.fromisoformat(first["at"]) if first.get("at") else None
    return render_page(
        request,
        "lottery_audit.html",
        assembly=assembly,
        lottery=lottery,
        audit=lottery.audit,
        drawn_on=drawn_on,
    )


def audit(request: Request) -> Response:
    with request.app.state.db() as db:
        lottery = _organiser_lottery(request, db)
        assembly = get_assembly(db, lottery.assembly_id)
    return _audit_response(request, lottery, assembly, request.url.path.endswith(".csv"))


def public_audit(request: Request) -> Response:
    with request.app.state.db() as db:
        assembly = assembly_by_code(db, normalise_code(request.path_params["code"]))
        lottery = flow.latest(db, assembly.id or 0) if assembly is not None else None
    if lottery is None or lottery.confirmed_at is None:
        raise HTTPException(404, "No confirmed draw")
    return _audit_response(request, lottery, assembly, request.url.path.endswith(".csv"))


BASE = "/f/a/{assembly_id:int}/lottery"
routes = [
    Route(BASE, page),
    Route(BASE + "/upload", upload, methods=["POST"]),
    Route(BASE + "/run", run, methods=["POST"]),
    Route(BASE + "/progress", progress),
    Route(BASE + "/draw", draw, methods=["POST"]),
    Route(BASE + "/replace", replace, methods=["POST"]),
    Route(BASE + "/cancel", cancel, methods=["POST"]),
    Route(BASE + "/confirm", confirm, methods=["POST"]),
    Route(BASE + "/delete", delete, methods=["POST"]),
    Route(BASE + "/contacts.csv", export),
    Route(BASE + "/panels.txt", lottery_txt),
    Route(BASE + "/audit", audit),
    Route(BASE + "/audit.csv", audit),
    Route("/a/{code:str}/lottery", public_audit),
    Route("/a/{code:str}/lottery.csv", public_audit),
]

"""Facilitator pages for the run-sheet (planning items per session), a table's view, and the
notes export. Changes go through app.agenda, so they reach every screen as events."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import agenda, exports
from app.auth import form_value, get_assembly, request_language, require_facilitator
from app.errors import ActionError
from app.i18n import translate, translations
from app.models import (
    AgendaItem,
    Assembly,
    AssemblySession,
    Facilitator,
    Member,
    Note,
    SeatingRound,
)
from app.templating import render_page
from app.web_helpers import redirect
from app.writes import facilitator_write
from facilitation.messages import N_

# the column names are msgids: the export's header is in the viewer's language
EXPORT_COLUMNS = (
    N_("id"),
    N_("session"),
    N_("round"),
    N_("table"),
    N_("phase"),
    N_("kind"),
    N_("text"),
    N_("created"),
    N_("late"),
    N_("entered_on_behalf"),
    N_("hidden"),
    N_("withdrawn"),
    N_("approved"),
    N_("original_text"),
)
# a note's kind as the export names it, in the viewer's language
KIND_WORDS = {
    "value": N_("value"),
    "theme": N_("theme"),
    "solution": N_("solution"),
    "free": N_("other"),
}
ON_BEHALF = N_("%(typist)s for %(name)s")


def _item_fields(form: Any) -> dict[str, Any]:
    phase_kind = form_value(form, "phase_kind", 20) or None
    try:
        minutes = int(form_value(form, "minutes", 4) or "0")
    except ValueError:
        minutes = 0
    return {
        "kind": form_value(form, "kind", 20),
        "title": form_value(form, "title", 200),
        "minutes": minutes,
        "phase_kind": phase_kind,
        "prompt": form_value(form, "prompt", 1000),
    }


async def _change(request: Request, work: Callable[[Session, Assembly], object]) -> Response:
    """Run a run-sheet change through the write path, go back; a refusal is a 400 saying why."""
    try:
        await facilitator_write(request, lambda db, assembly, _me: work(db, assembly))
    except ActionError as exc:
        refusal = N_("Nothing was changed (%(reason)s).", reason=exc.code)
        text = translate(refusal, request_language(request))
        return Response(text, status_code=400, media_type="text/plain")
    return redirect(f"/f/a/{request.path_params['assembly_id']}/runsheet#plan")


async def item_add(request: Request) -> Response:
    fields = _item_fields(await request.form())
    session_id = int(request.path_params["session_id"])

    def work(db: Session, assembly: Any) -> list[Any]:
        session = db.get(AssemblySession, session_id)
        if session is None or session.assembly_id != assembly.id:
            raise HTTPException(404)
        return agenda.do_add_item(db, assembly, session, **fields)

    return await _change(request, work)


async def item_edit(request: Request) -> Response:
    fields = _item_fields(await request.form())
    item_id = int(request.path_params["item_id"])
    return await _change(
        request, lambda db, assembly: agenda.do_edit_item(db, assembly, item_id, **fields)
    )


async def item_move(request: Request) -> Response:
    step = -1 if form_value(await request.form(), "step", 4) == "up" else 1
    item_id = int(request.path_params["item_id"])
    return await _change(request, lambda db, a: agenda.do_move_item(db, a, item_id, step))


async def item_delete(request: Request) -> Response:
    item_id = int(request.path_params["item_id"])
    return await _change(request, lambda db, a: agenda.do_delete_item(db, a, item_id))


def table_view(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
    return render_page(
        request, "f/table.html", assembly=assembly, table_no=int(request.path_params["table_no"])
    )


def notes_csv(request: Request) -> Response:
    """Every note with its provenance, for the merging work and for organisers."""
    assembly_id = int(request.path_params["assembly_id"])
    buffer = io.StringIO()
    writer = exports.writer(buffer)
    gettext = translations(request_language(request)).gettext
    writer.writerow([gettext(c) for c in EXPORT_COLUMNS])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        get_assembly(db, assembly_id)
        items = {
            i.id: i
            for i in db.exec(select(AgendaItem).where(AgendaItem.assembly_id == assembly_id))
        }
        sessions = {
            s.id: s
            for s in db.exec(
                select(AssemblySession).where(AssemblySession.assembly_id == assembly_id)
            )
        }
        rounds = {
            r.id: r.number
            for r in db.exec(select(SeatingRound).where(SeatingRound.assembly_id == assembly_id))
        }
        names = {
            m.id: m.name for m in db.exec(select(Member).where(Member.assembly_id == assembly_id))
        }
        typists = {f.id: f.email for f in db.exec(select(Facilitator))}
        notes = db.exec(select(Note).where(Note.assembly_id == assembly_id).order_by(col(Note.id)))
        for n in notes:
            item = items.get(n.item_id)
            session = sessions.get(item.session_id) if item else None
            on_behalf = ""
            if n.entered_by:
                typist, name = typists.get(n.entered_by, ""), names.get(n.member_id, "-")
                on_behalf = gettext(ON_BEHALF) % {"typist": typist, "name": name}
            writer.writerow(
                [
                    n.id,
                    session.day.isoformat() if session else "",
                    rounds.get(n.round_id, ""),
                    n.table_no or "",
                    item.title if item else "",
                    gettext(KIND_WORDS[n.kind]) if n.kind in KIND_WORDS else n.kind,
                    n.text,
                    n.created_at.isoformat(timespec="seconds"),
                    int(n.late),
                    on_behalf,
                    int(n.hidden),
                    int(n.withdrawn),
                    int(n.approved),
                    n.original_text or "",
                ]
            )
    return Response(
        buffer.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="notes-{assembly_id}.csv"'},
    )


routes = [
    Route("/f/a/{assembly_id:int}/sessions/{session_id:int}/items", item_add, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/items/{item_id:int}/edit", item_edit, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/items/{item_id:int}/move", item_move, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/items/{item_id:int}/delete", item_delete, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/table/{table_no:int}", table_view),
    Route("/f/a/{assembly_id:int}/notes.csv", notes_csv),
]

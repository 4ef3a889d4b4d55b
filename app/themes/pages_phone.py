"""Tables working on drafts from their phones: read the drafts the facilitator opened to the
table, with where they came from (no names), and propose wording, comment or say they disagree;
each member backs a draft up with one tap and takes it back with another. Every change writes a
``drafts`` event, so the facilitator's drafts pages show it at once."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import current_member, form_value, require_member
from app.errors import ActionError
from app.models import Assembly, Note
from app.templating import render_page
from app.themes import drafts
from app.themes.forms import int_or_none, with_error
from app.themes.provenance import draft_provenance, note_trail, visible
from app.web_helpers import redirect
from app.writes import write


def phone_drafts(request: Request) -> Response:
    with request.app.state.db() as db:
        member = require_member(request, db)
        assembly = db.get(Assembly, member.assembly_id)
        table_no = drafts.member_table(db, member)
        mine = [
            d
            for d in drafts.drafts_of(db, member.assembly_id, active_only=True)
            if drafts.open_to(d, table_no)
        ]
        own = db.exec(
            select(Note)
            .where(Note.member_id == member.id, Note.withdrawn == False)  # noqa: E712
            .order_by(col(Note.id))
        )
        trails = [note_trail(db, n) for n in own if visible(n)]
        cards = [
            (
                draft_provenance(db, d),
                [
                    f
                    for f in drafts.feedback_of(db, d.id or 0)
                    if f.table_no == table_no and f.kind != "support"
                ],
                drafts.my_support(db, member.id, d) is not None,
            )
            for d in mine
        ]
    sent_to = int_or_none(request.query_params.get("d"))
    return render_page(
        request,
        "p/drafts.html",
        assembly=assembly,
        table_no=table_no,
        cards=cards,
        trails=trails,
        error=request.query_params.get("error", ""),
        sent=request.query_params.get("sent", ""),
        sent_to=sent_to if sent_to in {p.draft.id for p, _s, _b in cards} else None,
        at=request.query_params.get("at", ""),
    )


async def phone_feedback(request: Request) -> Response:
    draft_id = int(request.path_params["draft_id"])
    form = await request.form()
    kind = form_value(form, "kind", 10)
    text = form_value(form, "text", drafts.MAX_TEXT)
    on = form_value(form, "on", 1) != "0"

    def work(db: Session) -> str:
        member = current_member(request, db)
        if member is None:
            raise HTTPException(403, "Join the assembly first")
        try:
            if kind == "support":
                drafts.do_set_support(db, member, draft_id, on)
            else:
                drafts.do_add_feedback(db, member, draft_id, kind, text)
        except ActionError as exc:
            if exc.code == "not_allowed":
                raise HTTPException(403, "Drafting is not open to your table") from exc
            return exc.code
        return ""

    try:
        error = await write(request.app.state.hub, work)
    except HTTPException as exc:
        if exc.status_code != 403 or "hx-request" not in request.headers:
            raise
        error = "not_allowed"  # htmx shows no error pages: say it on the page
    at = "support" if kind == "support" else "fb"
    if error:
        return redirect(with_error(f"/p/drafts?d={draft_id}&at={at}#{at}-{draft_id}", error))
    sent = kind if kind != "support" else ("support" if on else "unsupport")
    return redirect(f"/p/drafts?sent={sent}&d={draft_id}#{at}-{draft_id}")


routes = [
    Route("/p/drafts", phone_drafts),
    Route("/p/drafts/{draft_id:int}", phone_feedback, methods=["POST"]),
]

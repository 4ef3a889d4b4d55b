"""The facilitator's drafts: start from themes, edit (each save a version), compare versions,
merge and split with lineage, open to tables, fold in their wording, provenance, exports."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import form_value, get_assembly, request_language, require_facilitator
from app.errors import ActionError
from app.events import LoggedEvent
from app.i18n import translations
from app.models import Assembly, Facilitator
from app.snapshot import published_round, seating_of
from app.templating import render_page
from app.themes import drafts
from app.themes.diff import version_diff
from app.themes.forms import act, ask_text, int_list, int_or_none, last_seq
from app.themes.models import Draft
from app.themes.provenance import draft_provenance, export_csv, export_markdown
from app.themes.read import phase_items, themes_of


def _id(draft: Draft) -> int:
    assert draft.id is not None
    return draft.id


def drafts_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        phases = [(p, themes_of(db, p.id or 0)) for p in phase_items(db, assembly_id)]
        all_drafts = drafts.drafts_of(db, assembly_id)
        tallies = {
            d.id: Counter(
                f.kind
                for f in drafts.feedback_of(db, d.id or 0)
                if f.status == "open" and (f.kind != "support" or f.version == d.version)
            )
            for d in all_drafts
            if d.status == "active"
        }
        seq = last_seq(db, assembly_id)
    return render_page(
        request,
        "f/drafts.html",
        assembly=assembly,
        phases=[(p, ts) for p, ts in phases if ts],
        active=[d for d in all_drafts if d.status == "active"],
        closed=[d for d in all_drafts if d.status != "active"],
        tallies=tallies,
        error=request.query_params.get("error", ""),
        seq=seq,
    )


async def drafts_action(request: Request) -> Response:
    """Start a draft from themes, or merge two drafts."""
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    made: list[int] = []

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent] | None:
        title = form_value(form, "title", 300)
        if action == "start":
            made.append(
                _id(drafts.do_start_draft(db, assembly, int_list(form, "theme_ids"), title, me))
            )
        elif action == "merge":
            first, second = int_or_none(form.get("first")), int_or_none(form.get("second"))
            if first is None or second is None:
                raise ActionError("bad_merge")
            made.append(_id(drafts.do_merge_drafts(db, assembly, first, second, me, title)))
        else:
            raise ActionError("bad_message")
        return None

    response = await act(request, work, f"/f/a/{assembly_id}/drafts")
    if made:
        response.headers["location"] = f"/f/a/{assembly_id}/drafts/{made[0]}"
    return response


def draft_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    draft_id = int(request.path_params["draft_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        try:
            draft = drafts.get_draft(db, assembly, draft_id)
        except ActionError as exc:
            raise HTTPException(404) from exc
        versions = drafts.versions_of(db, draft_id)
        by_number = {v.number: v for v in versions}
        newer = int_or_none(request.query_params.get("b")) or draft.version
        older = int_or_none(request.query_params.get("a")) or max(1, newer - 1)
        diff = None
        if older in by_number and newer in by_number and older != newer:
            diff = version_diff(by_number[older], by_number[newer])
        round_ = published_round(db, assembly_id)
        tables = seating_of(db, round_).tables if round_ is not None else []
        provenance = draft_provenance(db, draft)
        feedback = drafts.feedback_of(db, draft_id)
        seq = last_seq(db, assembly_id)
    support = Counter(
        f.table_no
        for f in feedback
        if f.kind == "support" and f.status == "open" and f.version == draft.version
    )
    return render_page(
        request,
        "f/drafts_one.html",
        assembly=assembly,
        draft=draft,
        versions=versions,
        older=older,
        newer=newer,
        diff=diff,
        tables=tables,
        provenance=provenance,
        feedback=[f for f in feedback if f.kind != "support"],
        support=sorted(support.items(), key=lambda kv: kv[0] or 0),
        error=request.query_params.get("error", ""),
        seq=seq,
    )


async def draft_action(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    draft_id = int(request.path_params["draft_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    back = f"/f/a/{assembly_id}/drafts/{draft_id}"
    ask = ask_text(request, "draft")
    gettext = translations(request_language(request)).gettext
    made: list[int] = []

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent] | None:
        if action == "edit":
            drafts.do_edit_draft(
                db,
                assembly,
                draft_id,
                form_value(form, "title", 300),
                form_value(form, "text", 10000),
                form_value(form, "rationale", 10000),
                facilitator=me,
                summary=form_value(form, "summary", 300),
            )
        elif action == "restore":
            number = int_or_none(form.get("number"))
            old = next((v for v in drafts.versions_of(db, draft_id) if v.number == number), None)
            if old is None:
                raise ActionError("bad_message")
            summary = gettext("Back to version %(n)s") % {"n": old.number}
            drafts.do_edit_draft(
                db, assembly, draft_id, old.title, old.text, old.rationale, me, summary=summary
            )
        elif action == "split":
            titles = (form_value(form, "title_a", 300), form_value(form, "title_b", 300))
            made.append(drafts.do_split_draft(db, assembly, draft_id, titles, me)[0].id or 0)
        elif action == "tables":
            drafts.do_set_open_tables(db, assembly, draft_id, int_list(form, "tables"), me)
        elif action == "show":
            return drafts.do_show_draft(db, assembly, draft_id, ask, me)
        elif action in ("fold", "dismiss"):
            feedback_id = int_or_none(form.get("feedback_id")) or 0
            drafts.get_draft(db, assembly, draft_id)
            drafts.do_settle_feedback(db, assembly, feedback_id, action == "fold", me)
        else:
            raise ActionError("bad_message")
        return None

    response = await act(request, work, back)
    if made:
        response.headers["location"] = f"/f/a/{assembly_id}/drafts/{made[0]}"
    return response


def provenance_page(request: Request) -> Response:
    """The console's provenance view: names shown (members, who typed a paper note)."""
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        try:
            draft = drafts.get_draft(db, assembly, int(request.path_params["draft_id"]))
        except ActionError as exc:
            raise HTTPException(404) from exc
        provenance = draft_provenance(db, draft, attributed=True)
    return render_page(
        request, "f/drafts_provenance.html", assembly=assembly, provenance=provenance
    )


def export(request: Request) -> Response:
    """Every draft with its provenance, unattributed: Markdown or CSV."""
    assembly_id = int(request.path_params["assembly_id"])
    fmt = request.path_params["fmt"]
    if fmt not in ("md", "csv"):
        raise HTTPException(404)
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        gettext = translations(request_language(request)).gettext
        if fmt == "csv":
            body = export_csv(db, assembly_id, gettext).encode("utf-8-sig")
            media = "text/csv; charset=utf-8"
        else:
            body = export_markdown(db, assembly_id, assembly.name, gettext).encode("utf-8")
            media = "text/markdown; charset=utf-8"
    name = f"drafts-{assembly_id}.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


routes = [
    Route("/f/a/{assembly_id:int}/drafts", drafts_page),
    Route("/f/a/{assembly_id:int}/drafts", drafts_action, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/drafts/{draft_id:int}", draft_page),
    Route("/f/a/{assembly_id:int}/drafts/{draft_id:int}", draft_action, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/drafts/{draft_id:int}/provenance", provenance_page),
    Route("/f/a/{assembly_id:int}/drafts.{fmt:str}", export),
]

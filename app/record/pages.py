"""Pages of the public record: the public page's sections (``public_context``), the Atom feed,
the observers' read-only view, the console's record page (settings, the members' statement,
the council's responses, surveys, the observers' link, the report) and the phone's survey.

Every change goes through the write path (``app/writes.py``: ``facilitator_write``, or
``write`` for a member's answers): one transaction, its events, the ring. No side door.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import (
    assembly_by_code,
    current_member,
    form_value,
    get_assembly,
    request_language,
    require_facilitator,
)
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent
from app.i18n import translate
from app.models import AgendaItem, Assembly, AssemblySession, Facilitator
from app.record import actions, report
from app.record.models import CouncilResponse, Survey, SurveyRespondent
from app.record.read import build_record
from app.security import normalise_code, same_token
from app.templating import render_page
from app.themes.models import Draft
from app.web_helpers import redirect
from app.writes import facilitator_write, write
from facilitation.record import CORE_QUESTIONS, RESPONSE_STATUSES, RESPONSE_WORDS, aggregate

# -- the public page -------------------------------------------------------------------------


def public_context(db: Session, assembly: Assembly) -> dict[str, Any]:
    """The public page's record: remit's commissioner, selection, process log, responses."""
    return {"record": build_record(db, assembly, utcnow().date())}


def _public_assembly(db: Session, code: str) -> Assembly:
    assembly = assembly_by_code(db, normalise_code(code))
    if assembly is None or assembly.id is None:
        raise HTTPException(status_code=404, detail="No such assembly")
    return assembly


ATOM = "http://www.w3.org/2005/Atom"


def _iso(value: datetime | date) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.isoformat(timespec="seconds")
    return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()


def feed_xml(db: Session, assembly: Assembly, base_url: str, lang: str) -> bytes:
    """An Atom feed of the public record: results published, each step of the council's
    response. Titles only from the record (no names)."""
    assert assembly.id is not None
    record = build_record(db, assembly, utcnow().date())
    page = f"{base_url}/a/{assembly.code}"
    entries: list[tuple[datetime, str, str, str]] = []  # when, id, title, text
    for ballot in record.ballots:
        if ballot.is_open:
            continue
        closed = next(
            (
                e.when
                for _d, es in record.log
                for e in es
                if e.kind == "ballot_closed" and e.what == ballot.title
            ),
            None,
        )
        title = translate("The results of the vote: %(title)s", lang) % {"title": ballot.title}
        lines = []
        for rec in record.recommendations:
            if rec.ballot.id == ballot.id and rec.result is not None:
                support = report.support_text(rec.result.support_pct, lang)
                lines.append(f"{rec.question.title}: {support}")
        entries.append((closed or utcnow(), f"ballot/{ballot.id}", title, "\n".join(lines)))
    for rec in record.recommendations:
        for step in rec.responses:
            status = translate(RESPONSE_WORDS.get(step.status, step.status), lang)
            title = translate("The council's response to %(title)s: %(status)s", lang) % {
                "title": rec.question.title,
                "status": status,
            }
            when = datetime.combine(step.responded_on, step.created_at.time(), tzinfo=UTC)
            entries.append((when, f"response/{step.id}", title, step.justification))
    entries.sort(key=lambda e: e[0], reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = assembly.name
    ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = assembly.remit
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{page}/feed.atom"
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{page}/feed.atom"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": page})
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(
        entries[0][0] if entries else assembly.created_at
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = record.settings.commissioned_by or assembly.name
    for when, key, title, text in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{page}#{key}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(when)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{page}#responses"})
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = text or title
    body: bytes = ET.tostring(feed, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def feed(request: Request) -> Response:
    with request.app.state.db() as db:
        assembly = _public_assembly(db, request.path_params["code"])
        body = feed_xml(
            db, assembly, request.app.state.settings.base_url, request_language(request)
        )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


# -- observers --------------------------------------------------------------------------------


def _observed(request: Request, db: Session) -> tuple[Assembly, Any]:
    assembly = get_assembly(db, int(request.path_params["assembly_id"]))
    settings = actions.settings_of(db, assembly.id or 0)
    expected = actions.observer_token(request.app.state.settings.secret_key, assembly, settings)
    if expected is None or not same_token(expected, request.path_params["token"]):
        raise HTTPException(status_code=404, detail="This observer link is not valid")
    return assembly, settings


def _observer_context(db: Session, assembly: Assembly, settings: Any) -> dict[str, Any]:
    from app.models import Note
    from app.themes.provenance import note_facts, visible

    assert assembly.id is not None
    record = build_record(db, assembly, utcnow().date())
    items = list(
        db.exec(
            select(AgendaItem)
            .join(AssemblySession, AssemblySession.id == AgendaItem.session_id)  # type: ignore[arg-type]
            .where(AgendaItem.assembly_id == assembly.id)
            .order_by(AssemblySession.day, AgendaItem.position)  # type: ignore[arg-type]
        )
    )
    current = next((i for i in items if i.id == assembly.current_item_id), None)
    later = [
        i
        for i in items
        if current and i.session_id == current.session_id and i.position > current.position
    ]
    drafts = list(
        db.exec(
            select(Draft)
            .where(Draft.assembly_id == assembly.id, Draft.status == "active")
            .order_by(Draft.id)  # type: ignore[arg-type]
        )
    )
    notes: list[Any] = []
    if settings.observer_notes:
        rows = [
            n
            for n in db.exec(
                select(Note).where(Note.assembly_id == assembly.id).order_by(col(Note.id))
            )
            if visible(n)
        ]
        facts = note_facts(db, rows, attributed=False)
        notes = [facts[n.id] for n in rows[-200:] if n.id is not None]
    from app.ballot.actions import voters_of

    open_ballot = record.open_ballot
    turnout = len(voters_of(db, open_ballot.id)) if open_ballot else 0
    return {
        "assembly": assembly,
        "record": record,
        "items": items,
        "current": current,
        "next_item": later[0] if later else None,
        "drafts": drafts,
        "notes": notes,
        "show_notes": settings.observer_notes,
        "open_turnout": turnout,
    }


def observer(request: Request) -> Response:
    with request.app.state.db() as db:
        assembly, settings = _observed(request, db)
        context = _observer_context(db, assembly, settings)
    name = (
        "record/observer_live.html"
        if request.query_params.get("part") == "live"
        else "record/observer.html"
    )
    return render_page(request, name, token=request.path_params["token"], **context)


# -- the console's record page ----------------------------------------------------------------


def _console_context(db: Session, request: Request, assembly: Assembly) -> dict[str, Any]:
    assert assembly.id is not None
    settings = actions.settings_of(db, assembly.id)
    record = build_record(db, assembly, utcnow().date())
    token = actions.observer_token(request.app.state.settings.secret_key, assembly, settings)
    base = request.app.state.settings.base_url
    surveys = []
    for s in record.surveys:
        surveys.append(s)
    sessions = list(
        db.exec(
            select(AssemblySession)
            .where(AssemblySession.assembly_id == assembly.id)
            .order_by(AssemblySession.day)  # type: ignore[arg-type]
        )
    )
    from app.record.retention import plan

    return {
        "assembly": assembly,
        "settings": settings,
        "record": record,
        "observer_url": f"{base}/observe/{assembly.id}/{token}" if token else "",
        "statuses": RESPONSE_STATUSES,
        "surveys": surveys,
        "sessions": sessions,
        "retention": plan(db, assembly, utcnow().date()),
        "today": utcnow().date(),
        "formats": report.FORMATS,
    }


def page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        context = _console_context(db, request, assembly)
    return render_page(
        request,
        "record/console.html",
        error=request.query_params.get("error", ""),
        done=request.query_params.get("done", ""),
        **context,
    )


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ActionError("bad_date") from None


async def act(request: Request) -> Response:
    """One route for every change on the record page; ``action`` names it."""
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    back = f"/f/a/{assembly_id}/record"

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> list[LoggedEvent]:
        if action == "settings":
            days_text = form_value(form, "retention_days", 10)
            days = _int(days_text)
            if days_text and days is None:
                raise ActionError("bad_retention")
            change = actions.SettingsChange(
                commissioned_by=form_value(form, "commissioned_by", 400),
                observer_notes=bool(form.get("observer_notes")),
                evaluation_public=bool(form.get("evaluation_public")),
                retention_days=days,
            )
            return actions.do_record_settings(db, assembly, change)
        if action == "statement":
            return actions.do_set_statement(db, assembly, form_value(form, "statement", 21000))
        if action == "response":
            spec = actions.ResponseSpec(
                question_id=_int(form.get("question_id")) or 0,
                status=form_value(form, "status", 30),
                justification=form_value(form, "justification", 4100),
                body=form_value(form, "body", 250),
                responded_on=_date(form_value(form, "responded_on", 12)),
                links=form_value(form, "links", 3000),
            )
            _row, events = actions.do_add_response(db, assembly, spec)
            return events
        if action in ("observers_on", "observers_off"):
            return actions.do_observer_link(db, assembly, action == "observers_on")
        if action == "survey_open":
            kind = form_value(form, "kind", 12) or "gathering"
            _survey, events = actions.do_open_survey(
                db, assembly, kind, form_value(form, "title", 250), _int(form.get("session_id"))
            )
            return events
        if action == "survey_close":
            return actions.do_close_survey(db, assembly, _int(form.get("survey_id")) or 0)
        raise ActionError("bad_message")

    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        return redirect(f"{back}?error={exc.code}")
    return redirect(f"{back}?done={action}")


def download(request: Request) -> Response:
    """The report from the console's button: ``?format=html|pdf|md|csv&lang=da|en``."""
    assembly_id = int(request.path_params["assembly_id"])
    fmt = request.query_params.get("format", "html")
    lang = request.query_params.get("lang", request_language(request))
    if fmt not in report.FORMATS or lang not in report.LANGS:
        raise HTTPException(status_code=404)
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        data = report.build(db, assembly, fmt, lang, utcnow().date())
    name = f"report-{assembly.code}-{lang}.{report.EXTENSIONS[fmt]}"
    return Response(
        data,
        media_type=report.MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


# -- the phone's survey -----------------------------------------------------------------------


def _member_survey(request: Request, db: Session) -> tuple[Any, Any]:
    member = current_member(request, db)
    if member is None:
        raise HTTPException(status_code=403, detail="Open your join link first")
    survey_id = int(request.path_params["survey_id"])
    survey = db.get(Survey, survey_id)
    if survey is None or survey.assembly_id != member.assembly_id:
        raise HTTPException(status_code=404)
    return member, survey


async def survey_page(request: Request) -> Response:
    error = ""
    if request.method == "POST":
        form = await request.form()
        answers = {k: form_value(form, k, 2) for k, _text in CORE_QUESTIONS}
        survey_id = int(request.path_params["survey_id"])

        def work(db: Session) -> list[LoggedEvent]:
            member, _survey = _member_survey(request, db)
            return actions.do_answer_survey(db, member, survey_id, answers)

        try:
            await write(request.app.state.hub, work)
        except ActionError as exc:
            error = exc.code
        else:
            return redirect("/p")
    with request.app.state.db() as db:
        member, survey = _member_survey(request, db)
        answered = db.exec(
            select(SurveyRespondent).where(
                SurveyRespondent.survey_id == survey.id,
                SurveyRespondent.member_id == member.id,
            )
        ).first()
    return render_page(
        request,
        "record/survey.html",
        survey=survey,
        answered=answered is not None,
        questions=CORE_QUESTIONS,
        error=error,
        status_code=400 if error else 200,
    )


routes = [
    Route("/a/{code:str}/feed.atom", feed),
    Route("/observe/{assembly_id:int}/{token:str}", observer),
    Route("/f/a/{assembly_id:int}/record", page),
    Route("/f/a/{assembly_id:int}/record/act", act, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/record/report", download),
    Route("/p/survey/{survey_id:int}", survey_page, methods=["GET", "POST"]),
]

__all__ = ["CouncilResponse", "aggregate", "public_context", "routes"]

"""Facilitator console pages: login, assemblies, and an assembly's console in sections.

The console is one page per section (see ``SECTIONS``): "Salen" (the live room, at
/f/a/<id>), the run-sheet, members, settings, and the pages other modules serve (rounds,
themes, drafts, lottery). Forms post to their own routes and land back on their section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import segno
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import (
    attempt_login,
    form_value,
    get_assembly,
    request_language,
    require_facilitator,
    sign_in_facilitator,
)
from app.csvfiles import MAX_BYTES, CsvError, CsvTable, decode, parse_csv
from app.events import LoggedEvent
from app.i18n import translate
from app.members import (
    create_assembly,
    do_add_members,
    do_edit_member,
    do_new_join_link,
    do_revoke_projector_link,
    do_set_active,
    import_members,
    join_card,
    members_of,
    projector_url,
)
from app.models import Assembly, AssemblySession, Facilitator, Member
from app.roles import assemblies_of, grant
from app.snapshot import session_items
from app.templating import render_page
from app.web_helpers import in_db, redirect, safe_next
from app.writes import facilitator_write, require, write
from facilitation.roster import MemberSpec


async def login(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render_page(request, "login.html", next_path=next_path, error=False)
    form = await request.form()
    email, password = form_value(form, "email", 254).lower(), form_value(form, "password", 1000)
    user, wait_minutes = await attempt_login(request, email, password)  # throttled, logged
    if user is None:
        status = 429 if wait_minutes else 400
        return render_page(
            request,
            "login.html",
            status_code=status,
            next_path=next_path,
            error=True,
            wait_minutes=wait_minutes,
            email=email,
        )
    sign_in_facilitator(request, user)
    return redirect(next_path or "/f")


async def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/")


def assemblies(request: Request) -> Response:
    with request.app.state.db() as db:
        user = require_facilitator(request, db)
        rows = assemblies_of(db, user)  # only the assemblies this account has a role in
    return render_page(request, "f/assemblies.html", assemblies=rows, errors=[])


Shown = dict[str, Any] | None  # a form's work: None when saved, else the page to show again


async def save_or_show(
    request: Request,
    work: Callable[[Session, Assembly, Facilitator], Shown],
    template: str,
    done: str,
) -> Response:
    """Run a form's change through the write path; ``work`` returns None when saved (→ redirect
    to ``done``) or the page's context to show again with the errors (400)."""
    failed = await facilitator_write(request, work)
    if failed:
        return render_page(request, template, status_code=400, **failed)
    return redirect(done)


def _assembly_fields(form: Any) -> tuple[dict[str, str], list[str]]:
    fields = {
        "name": form_value(form, "name", 200),
        "remit": form_value(form, "remit", 2000),
        "languages": ",".join(lang for lang in ("da", "en") if form.get(f"lang_{lang}")) or "da",
    }
    errors = []
    if not fields["name"]:
        errors.append("name")
    if not fields["remit"]:
        errors.append("remit")
    return fields, errors


async def assembly_create(request: Request) -> Response:
    form = await request.form()
    fields, errors = _assembly_fields(form)

    def work(db: Session) -> int | None:
        user = require(request, db, "facilitator", None)
        if errors:
            return None
        assembly = create_assembly(db, **fields)
        assert assembly.id is not None and user.id is not None
        grant(db, assembly.id, user.id, "organiser")  # who creates it organises it
        return assembly.id

    assembly_id = await write(request.app.state.hub, work)
    if assembly_id is None:
        return render_page(
            request, "f/assemblies.html", status_code=400, assemblies=[], errors=errors, form=fields
        )
    return redirect(f"/f/a/{assembly_id}")


def _console(request: Request, db: Session, assembly_id: int, **extra: Any) -> dict[str, Any]:
    assembly = get_assembly(db, assembly_id)
    sessions = list(
        db.exec(
            select(AssemblySession)
            .where(AssemblySession.assembly_id == assembly_id)
            .order_by(col(AssemblySession.day), col(AssemblySession.starts_at))
        )
    )
    members = members_of(db, assembly_id)
    items = {s.id: session_items(db, s.id) for s in sessions if s.id is not None}
    attribute_names = sorted({k for m in members for k in m.attributes})
    return {
        "assembly": assembly,
        "sessions": sessions,
        "items": items,
        "members": members,
        "attribute_names": attribute_names,
        "projector_url": projector_url(request.app.state.settings, assembly),
        "import_errors": [],
        "form_errors": [],
        **extra,
    }


# section → template; "Salen" (the live room) is the assembly's own URL
SECTION_TEMPLATES = {
    "live": "f/assembly.html",
    "runsheet": "f/runsheet.html",
    "members": "f/members.html",
    "settings": "f/settings.html",
}


def section_url(assembly_id: int, section: str, anchor: str = "") -> str:
    suffix = "" if section == "live" else f"/{section}"
    return f"/f/a/{assembly_id}{suffix}{anchor}"


def _section_page(request: Request, section: str) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        context = _console(request, db, assembly_id)
    return render_page(request, SECTION_TEMPLATES[section], **context)


def console(request: Request) -> Response:
    """Salen: the live room, with the live controls always in reach."""
    return _section_page(request, "live")


def runsheet_page(request: Request) -> Response:
    return _section_page(request, "runsheet")


def settings_page(request: Request) -> Response:
    return _section_page(request, "settings")


async def members_page(request: Request) -> Response:
    if request.method == "POST":
        return await member_add(request)
    return _section_page(request, "members")


async def assembly_edit(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    fields, errors = _assembly_fields(await request.form())

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> Shown:
        if errors:
            return _console(request, db, assembly_id, form_errors=errors)
        for key, value in fields.items():
            setattr(assembly, key, value)
        db.add(assembly)
        return None

    done = section_url(assembly_id, "settings", "?saved=1#details")
    return await save_or_show(request, work, SECTION_TEMPLATES["settings"], done)


def _parse_session(form: Any) -> tuple[dict[str, Any], list[str]]:
    errors = []
    values: dict[str, Any] = {
        "venue": form_value(form, "venue", 200),
        "host": form_value(form, "host", 200),
    }
    try:
        values["day"] = date.fromisoformat(form_value(form, "day", 10))
    except ValueError:
        errors.append("day")
    try:
        values["starts_at"] = time.fromisoformat(form_value(form, "starts_at", 8))
        values["ends_at"] = time.fromisoformat(form_value(form, "ends_at", 8))
        if values["ends_at"] <= values["starts_at"]:
            errors.append("ends_at")
    except ValueError:
        errors.append("time")
    return values, errors


async def session_add(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    values, errors = _parse_session(await request.form())

    def work(db: Session, _assembly: Assembly, _me: Facilitator) -> Shown:
        if errors:
            return _console(request, db, assembly_id, form_errors=errors)
        db.add(AssemblySession(assembly_id=assembly_id, **values))
        return None

    done = section_url(assembly_id, "runsheet", "#sessions")
    return await save_or_show(request, work, SECTION_TEMPLATES["runsheet"], done)


async def session_delete(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    session_id = int(request.path_params["session_id"])

    def work(db: Session, _assembly: Assembly, _me: Facilitator) -> None:
        row = db.get(AssemblySession, session_id)
        if row is None or row.assembly_id != assembly_id:
            raise HTTPException(404)
        db.delete(row)

    await facilitator_write(request, work)
    return redirect(section_url(assembly_id, "runsheet", "#sessions"))


def _parse_upload(data: bytes) -> tuple[CsvTable | None, list[str]]:
    try:
        return parse_csv(decode(data)), []
    except CsvError as exc:
        return None, exc.problems


async def members_import(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    async with request.form(max_part_size=MAX_BYTES) as form:
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    settings = request.app.state.settings
    await in_db(
        request, lambda db: (require_facilitator(request, db), get_assembly(db, assembly_id))
    )
    # parsed in the threadpool outside any transaction (bounded by app.csvfiles' limits), so a
    # big or hostile file holds no lock; then one short write
    table, problems = await run_in_threadpool(_parse_upload, data)

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> tuple[int, list[str]]:
        assert table is not None
        try:
            count = import_members(db, settings, assembly, table)
        except CsvError as exc:
            db.rollback()
            return 0, exc.problems
        return count, []

    count = 0
    if table is not None:
        count, problems = await facilitator_write(request, work)
    if problems:
        with request.app.state.db() as db:
            lang = request_language(request)
            errors = [translate(p, lang) for p in problems]  # shown in the viewer's language
            context = _console(request, db, assembly_id, import_errors=errors)
        return render_page(request, SECTION_TEMPLATES["members"], status_code=400, **context)
    return redirect(section_url(assembly_id, "members", f"?imported={count}"))


def _member_fields(form: Any) -> tuple[MemberSpec, list[str]]:
    attributes = {}
    for line in form_value(form, "attributes", 2000).splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and value.strip():
            attributes[key.strip()[:40]] = value.strip()[:80]
    spec = MemberSpec(form_value(form, "code", 64), form_value(form, "name", 120), attributes)
    errors = [f for f in ("code", "name") if not getattr(spec, f)]
    return spec, errors


async def member_add(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    spec, errors = _member_fields(await request.form())
    settings = request.app.state.settings

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> Shown:
        if not errors and spec.code in {m.code for m in members_of(db, assembly_id)}:
            errors.append("code_taken")
        if errors:
            return _console(request, db, assembly_id, form_errors=errors)
        do_add_members(db, settings, assembly, [spec])
        return None

    done = section_url(assembly_id, "members", "#roster")
    return await save_or_show(request, work, SECTION_TEMPLATES["members"], done)


def _member(db: Session, assembly_id: int, member_id: int) -> Member:
    member = db.get(Member, member_id)
    if member is None or member.assembly_id != assembly_id:
        raise HTTPException(404)
    return member


async def member_edit(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    member_id = int(request.path_params["member_id"])
    if request.method == "GET":
        with request.app.state.db() as db:
            require_facilitator(request, db)
            member = _member(db, assembly_id, member_id)
            assembly = get_assembly(db, assembly_id)
        return render_page(request, "f/member.html", assembly=assembly, member=member, errors=[])
    spec, errors = _member_fields(await request.form())

    def work(db: Session, assembly: Assembly, _me: Facilitator) -> Shown:
        member = _member(db, assembly_id, member_id)
        clash = db.exec(
            select(Member).where(
                Member.assembly_id == assembly_id, Member.code == spec.code, Member.id != member_id
            )
        ).first()
        if clash is not None:
            errors.append("code_taken")
        if errors:
            return {"assembly": assembly, "member": member, "errors": errors}
        do_edit_member(db, member, spec)
        return None

    done = section_url(assembly_id, "members", f"#member-{member_id}")
    return await save_or_show(request, work, "f/member.html", done)


async def member_action(request: Request) -> Response:
    """Deactivate, reactivate or reissue the join link of one member."""
    assembly_id = int(request.path_params["assembly_id"])
    member_id = int(request.path_params["member_id"])
    action = request.path_params["action"]
    settings = request.app.state.settings

    def work(db: Session, _assembly: Assembly, _me: Facilitator) -> list[LoggedEvent]:
        member = _member(db, assembly_id, member_id)
        if action in ("deactivate", "activate"):
            return do_set_active(db, member, action == "activate")
        if action == "reissue":
            return do_new_join_link(db, settings, member)
        raise HTTPException(404)

    await facilitator_write(request, work)
    return redirect(section_url(assembly_id, "members", f"#member-{member_id}"))


async def projector_revoke(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])

    await facilitator_write(
        request, lambda db, assembly, _me: do_revoke_projector_link(db, assembly)
    )
    return redirect(section_url(assembly_id, "settings", "#links"))


async def me(request: Request) -> Response:
    """The facilitator's own name, shown to tables instead of the e-mail address."""
    if request.method == "GET":
        with request.app.state.db() as db:
            user = require_facilitator(request, db)
        saved = bool(request.query_params.get("saved"))
        return render_page(request, "f/me.html", me=user, saved=saved, errors=[])
    name = " ".join(form_value(await request.form(), "name", 120).split())

    def work(db: Session) -> Shown:
        user = require(request, db, "facilitator", None)
        if not name:
            return {"me": user, "saved": False, "errors": ["name"]}
        user.name = name
        db.add(user)
        return None

    failed = await write(request.app.state.hub, work)
    if failed:
        return render_page(request, "f/me.html", status_code=400, **failed)
    return redirect("/f/me?saved=1")


def cards(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    settings = request.app.state.settings
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        rows = [join_card(settings, assembly, m) for m in members_of(db, assembly_id, True)]
    qr = {
        card.member.id: segno.make(card.url, error="m").svg_inline(scale=4, border=2, title="")
        for card in rows
    }
    return render_page(request, "f/cards.html", assembly=assembly, cards=rows, qr=qr)


routes = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/f", assemblies),
    Route("/f/assemblies", assembly_create, methods=["POST"]),
    Route("/f/me", me, methods=["GET", "POST"]),
    Route("/f/a/{assembly_id:int}", console),
    Route("/f/a/{assembly_id:int}/runsheet", runsheet_page),
    Route("/f/a/{assembly_id:int}/settings", settings_page),
    Route("/f/a/{assembly_id:int}/edit", assembly_edit, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/sessions", session_add, methods=["POST"]),
    Route(
        "/f/a/{assembly_id:int}/sessions/{session_id:int}/delete", session_delete, methods=["POST"]
    ),
    Route("/f/a/{assembly_id:int}/members/import", members_import, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/members", members_page, methods=["GET", "POST"]),
    Route("/f/a/{assembly_id:int}/members/{member_id:int}", member_edit, methods=["GET", "POST"]),
    Route(
        "/f/a/{assembly_id:int}/members/{member_id:int}/{action:str}",
        member_action,
        methods=["POST"],
    ),
    Route("/f/a/{assembly_id:int}/projector/revoke", projector_revoke, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/cards", cards),
]

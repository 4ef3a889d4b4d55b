"""The programme's pages: the console's programme (gatherings, experts and talks, material,
wishes, the parking lot, replacements), attendance (check-in by list, QR scan or phone, hours,
who is in the room against the strata, the CSV), the questions (moderation, duplicates,
answers); the phone's programme page; material downloads; the public part of /a/<code>.

Every change goes through the write path (``app/writes.py``: ``facilitator_write`` on the
console, ``write`` on the phone): one transaction, its events, the ring."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.agenda import do_set_scene
from app.auth import (
    assembly_by_code,
    current_member,
    form_value,
    get_assembly,
    require_facilitator,
    require_member,
)
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent
from app.exports import writer as csv_writer
from app.members import member_by_token, members_of
from app.models import AgendaItem, Assembly, AssemblySession, Facilitator, Member
from app.programme import actions
from app.programme.models import Attendance, ExpertWish, Material, Question, Replacement
from app.security import normalise_code
from app.snapshot import load_room
from app.templating import render_page
from app.web_helpers import in_db, redirect
from app.writes import facilitator_write, write
from facilitation import programme as pure

MAX_UPLOAD_BODY = actions.MAX_FILE + 64 * 1024


def _int(value: Any) -> int | None:
    text_ = str(value or "").strip()
    return int(text_) if text_.isdigit() and len(text_) < 10 else None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ActionError("bad_date") from exc


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError as exc:
        raise ActionError("bad_times") from exc


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(actions.LOCAL) if value is not None else None


# -- the programme page --------------------------------------------------------------------------


def _items_by_gathering(db: Session, assembly_id: int) -> dict[int, list[AgendaItem]]:
    rows = db.exec(
        select(AgendaItem)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(AgendaItem.session_id, AgendaItem.position)  # type: ignore[arg-type]
    )
    found: dict[int, list[AgendaItem]] = {}
    for item in rows:
        found.setdefault(item.session_id, []).append(item)
    return found


def programme_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        gatherings = actions.gatherings_of(db, assembly_id)
        members = members_of(db, assembly_id)
        context: dict[str, Any] = {
            "assembly": assembly,
            "gatherings": gatherings,
            "items": _items_by_gathering(db, assembly_id),
            "experts": actions.experts_of(db, assembly_id),
            "talks": actions.talks_of(db, assembly_id),
            "materials": actions.materials_of(db, assembly_id),
            "parking": actions.parking_of(db, assembly_id),
            "wishes": list(
                db.exec(
                    select(ExpertWish)
                    .where(ExpertWish.assembly_id == assembly_id)
                    .order_by(ExpertWish.id.desc())  # type: ignore[union-attr]
                )
            ),
            "replacements": list(
                db.exec(select(Replacement).where(Replacement.assembly_id == assembly_id))
            ),
            "members": members,
            "names": {m.id: m.name for m in members},
            "edit": _int(request.query_params.get("edit")),
        }
    return render_page(
        request,
        "programme/console.html",
        error=request.query_params.get("error", ""),
        done=request.query_params.get("done", ""),
        **context,
    )


def _gathering_fields(form: Any) -> actions.GatheringFields:
    return actions.GatheringFields(
        day=_day(form_value(form, "day", 20)),
        starts_at=_time(form_value(form, "starts_at", 10)),
        ends_at=_time(form_value(form, "ends_at", 10)),
        title=form_value(form, "title", 300),
        venue=form_value(form, "venue", 300),
        host=form_value(form, "host", 300),
        description=form_value(form, "description", 3000),
        public=bool(form.get("public")),
        public_meeting=bool(form.get("public_meeting")),
    )


async def programme_act(request: Request) -> Response:
    """One route for the programme page's forms; ``action`` names it."""
    assembly_id = int(request.path_params["assembly_id"])
    size = int(request.headers.get("content-length") or 0)
    back = f"/f/a/{assembly_id}/programme"
    if size > MAX_UPLOAD_BODY:
        return redirect(f"{back}?error=file_too_large#material")
    data = b""
    filename = ""
    async with request.form(max_part_size=MAX_UPLOAD_BODY) as raw:  # closes the spooled file
        form = {k: v for k, v in raw.multi_items() if not hasattr(v, "read")}
        upload = raw.get("file")
        if upload is not None and hasattr(upload, "read"):
            data = await upload.read(actions.MAX_FILE + 1)
            filename = str(getattr(upload, "filename", "") or "")
    action = form_value(form, "action", 30)

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent]:
        if action == "gathering":
            return actions.do_save_gathering(
                db, assembly, _gathering_fields(form), _int(form.get("session_id"))
            )
        if action == "expert":
            _expert, events = actions.do_save_expert(
                db,
                assembly,
                form_value(form, "name", 200),
                form_value(form, "role", 300),
                form_value(form, "organisation", 300),
                form_value(form, "kind", 20) or "expert",
                bool(form.get("public")),
                _int(form.get("expert_id")),
            )
            return events
        if action == "talk":
            return actions.do_assign_talk(
                db, assembly, _int(form.get("item_id")) or 0, _int(form.get("expert_id"))
            )
        if action == "material":
            _material, events = actions.do_add_material(
                db,
                assembly,
                form_value(form, "title", 300),
                url=form_value(form, "url", 1100) if not data else "",
                filename=filename,
                data=data,
                expert_id=_int(form.get("expert_id")),
                session_id=_int(form.get("session_id")),
                public=bool(form.get("public")),
            )
            return events
        if action in ("material_public", "material_private"):
            return actions.do_material_public(
                db, assembly, _int(form.get("material_id")) or 0, action == "material_public"
            )
        if action == "material_delete":
            return actions.do_delete_material(db, assembly, _int(form.get("material_id")) or 0)
        if action == "parking_add":
            return actions.do_add_parking(
                db,
                assembly,
                form_value(form, "text", 600),
                form_value(form, "owner", 200),
                _int(form.get("session_id")),
            )
        if action == "parking_update":
            return actions.do_update_parking(
                db,
                assembly,
                _int(form.get("parking_id")) or 0,
                form_value(form, "status", 20),
                form_value(form, "answer", 2100),
                form_value(form, "owner", 200),
            )
        if action == "replacement":
            return actions.do_record_replacement(
                db,
                assembly,
                _int(form.get("member_id")) or 0,
                _int(form.get("replaces_id")) or 0,
                _int(form.get("session_id")),
                form_value(form, "note", 600),
            )
        raise ActionError("bad_message")

    anchor = {
        "gathering": "gatherings",
        "expert": "experts",
        "talk": "experts",
        "replacement": "replacements",
    }.get(action, "material" if action.startswith("material") else "parking")
    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        return redirect(f"{back}?error={exc.code}#{anchor}")
    return redirect(f"{back}?done={action}#{anchor}")


# -- attendance ----------------------------------------------------------------------------------


def _lottery_quotas(db: Session, assembly_id: int) -> list[dict[str, Any]]:
    """The newest lottery's quota categories (feature, value, min, max), if any."""
    from app.lottery.flow import latest

    lottery = latest(db, assembly_id)
    return [q for q in (lottery.quotas or []) if isinstance(q, dict)] if lottery else []


def _chosen_gathering(db: Session, assembly_id: int, wanted: int | None) -> AssemblySession | None:
    if wanted is not None:
        try:
            return actions.get_gathering(db, assembly_id, wanted)
        except ActionError:
            return None
    return actions.current_gathering(db, assembly_id, utcnow())


def attendance_context(db: Session, assembly: Assembly, wanted: int | None) -> dict[str, Any]:
    assert assembly.id is not None
    now = utcnow()
    gatherings = actions.gatherings_of(db, assembly.id)
    gathering = _chosen_gathering(db, assembly.id, wanted)
    members = members_of(db, assembly.id, active_only=True)
    rows = actions.attendance_rows(db, assembly.id)
    here = {(r.session_id, r.member_id): r for r in rows}
    hours = actions.hours_of(db, assembly.id, now)
    came: dict[int, set[int]] = {}
    for r in rows:
        if r.checked_in_at is not None:
            came.setdefault(r.session_id, set()).add(r.member_id)
    held = [
        g.id
        for g in gatherings
        if g.id is not None and actions.bounds(g).ends <= now and g.id in came
    ]
    missed = pure.missed([m.id for m in members if m.id], held, came)
    present_ids = (
        [
            m
            for (g, m), r in here.items()
            if g == gathering.id and r.checked_in_at and not r.checked_out_at
        ]
        if gathering
        else []
    )
    strata = pure.presence_by_stratum(
        {m.id: m.attributes for m in members if m.id is not None},
        present_ids,
        _lottery_quotas(db, assembly.id),
    )
    replacements = {
        r.member_id: r
        for r in db.exec(select(Replacement).where(Replacement.assembly_id == assembly.id))
    }
    names = {m.id: m.name for m in members_of(db, assembly.id)}
    return {
        "assembly": assembly,
        "gatherings": gatherings,
        "gathering": gathering,
        "members": members,
        "here": here,
        "hours": hours,
        "missed": missed,
        "flagged": pure.flagged(missed),
        "held": held,
        "strata": strata,
        "present_count": len(present_ids),
        "replacements": replacements,
        "names": names,
        "hours_text": pure.hours_text,
        "local": _local,
        "goal_hours": pure.GOAL_MINUTES // 60,
        "reached": hours.assembly_progress([m.id for m in members if m.id]),
    }


def attendance_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        context = attendance_context(db, assembly, _int(request.query_params.get("g")))
    return render_page(
        request,
        "programme/attendance.html",
        error=request.query_params.get("error", ""),
        done=request.query_params.get("done", ""),
        **context,
    )


async def attendance_act(request: Request) -> Response:
    """Check in, check out, correct hours, open or close self check-in. From htmx (a tap in
    the list) the answer is the member's row; from a plain form, the page again."""
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    session_id = _int(form.get("session_id")) or 0
    member_id = _int(form.get("member_id")) or 0
    back = f"/f/a/{assembly_id}/attendance?g={session_id}"

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent]:
        if action == "in":
            return actions.do_check_in(db, assembly, session_id, member_id, "list")
        if action == "out":
            return actions.do_check_out(db, assembly, session_id, member_id)
        if action == "adjust":
            raw = form_value(form, "hours", 10).replace(",", ".").strip()
            minutes = None
            if raw:
                try:
                    minutes = round(float(raw) * 60)
                except ValueError as exc:
                    raise ActionError("bad_minutes") from exc
            return actions.do_adjust_hours(
                db, assembly, me, session_id, member_id, minutes, form_value(form, "reason", 600)
            )
        if action == "self_open":
            return actions.do_open_self_checkin(db, assembly, session_id)
        if action == "self_close":
            return actions.do_open_self_checkin(db, assembly, None)
        raise ActionError("bad_message")

    htmx = request.headers.get("hx-request") == "true" and action in ("in", "out")
    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        if htmx:
            return Response(status_code=204)
        return redirect(f"{back}&error={exc.code}")
    if htmx:
        return await _member_row(request, assembly_id, session_id, member_id)
    return redirect(f"{back}&done={action}" + ("#self" if action.startswith("self") else ""))


async def _member_row(
    request: Request, assembly_id: int, session_id: int, member_id: int
) -> Response:
    def read(db: Session) -> dict[str, Any]:
        assembly = get_assembly(db, assembly_id)
        context = attendance_context(db, assembly, session_id)
        context["member"] = db.get(Member, member_id)
        return context

    context = await in_db(request, read)
    return render_page(request, "programme/attendance_row.html", **context)


async def attendance_scan(request: Request) -> Response:
    """What the tablet's camera read from a join card (the join link, or its token, typed when
    there is no camera): check the member in. Answers a short status line."""
    form = await request.form()
    session_id = _int(form.get("session_id")) or 0
    scanned = form_value(form, "scanned", 600).strip()
    token = scanned.rstrip("/").rsplit("/join/", 1)[-1] if "/join/" in scanned else scanned
    found: dict[str, Any] = {}

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent]:
        member = member_by_token(db, token) if token else None
        if member is None or member.assembly_id != assembly.id or member.id is None:
            raise ActionError("unknown_card")
        found["name"] = member.name
        row = db.exec(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.member_id == member.id
            )
        ).first()
        found["again"] = (
            row is not None and row.checked_in_at is not None and not row.checked_out_at
        )
        return actions.do_check_in(db, assembly, session_id, member.id, "scan")

    try:
        await facilitator_write(request, work)
        code = "again" if found.get("again") else "ok"
    except ActionError as exc:
        code = exc.code
    return render_page(
        request, "programme/scan_result.html", code=code, member_name=found.get("name", "")
    )


def attendance_csv(request: Request) -> Response:
    """One row per member and gathering (check-in, check-out, hours, correction), then a
    total per member: for remuneration."""
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        gatherings = actions.gatherings_of(db, assembly_id)
        members = members_of(db, assembly_id)
        rows = {(r.session_id, r.member_id): r for r in actions.attendance_rows(db, assembly_id)}
        hours = actions.hours_of(db, assembly_id)
        replaced = {
            r.member_id: r.replaces_id
            for r in db.exec(select(Replacement).where(Replacement.assembly_id == assembly_id))
        }
    codes = {m.id: m.code for m in members}
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(
        [
            "member_code",
            "name",
            "gathering_id",
            "date",
            "checked_in",
            "checked_out",
            "minutes",
            "hours",
            "adjusted_reason",
            "replaces",
        ]
    )

    def stamp(value: datetime | None) -> str:
        local = _local(value)
        return local.isoformat(timespec="minutes") if local else ""

    for m in members:
        if not m.active and not any((g.id, m.id) in rows for g in gatherings):
            continue
        total = 0
        for g in gatherings:
            r = rows.get((g.id, m.id))  # type: ignore[arg-type]
            minutes = hours.per_stay.get((m.id, g.id), 0) if m.id and g.id else 0
            total += minutes
            writer.writerow(
                [
                    m.code,
                    m.name,
                    g.id,
                    g.day.isoformat(),
                    stamp(r.checked_in_at) if r else "",
                    stamp(r.checked_out_at) if r else "",
                    minutes,
                    f"{minutes / 60:.2f}",
                    r.adjust_reason if r and r.adjusted_minutes is not None else "",
                    codes.get(replaced.get(m.id or 0), ""),
                ]
            )
        writer.writerow([m.code, m.name, "total", "", "", "", total, f"{total / 60:.2f}", "", ""])
    name = f"attendance-{assembly.code}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


# -- questions -----------------------------------------------------------------------------------


def _talk_items(db: Session, assembly_id: int) -> list[AgendaItem]:
    return list(
        db.exec(
            select(AgendaItem)
            .where(AgendaItem.assembly_id == assembly_id, AgendaItem.kind == "talk")
            .order_by(AgendaItem.session_id, AgendaItem.position)  # type: ignore[arg-type]
        )
    )


def questions_context(db: Session, assembly: Assembly, wanted: int | None) -> dict[str, Any]:
    assert assembly.id is not None
    talks = _talk_items(db, assembly.id)
    room = load_room(db, assembly.id)
    chosen = next((t for t in talks if t.id == wanted), None)
    if chosen is None:
        current = actions.talk_item(db, assembly)
        asked = {q.item_id for q in room.programme.questions.values()}
        chosen = current or next((t for t in reversed(talks) if t.id in asked), None)
        chosen = chosen or (talks[0] if talks else None)
    prog = room.programme
    item_id = chosen.id if chosen else None
    return {
        "assembly": assembly,
        "talks": talks,
        "talk": chosen,
        "prog": prog,
        "pending": prog.for_item(item_id, ("pending",)),
        "on_screen": prog.for_item(item_id, ("approved",)),
        "answered": prog.for_item(item_id, ("answered",)),
        "parked": prog.for_item(item_id, ("parked",)),
        "merged": prog.for_item(item_id, ("merged", "hidden")),
        "duplicates": actions.duplicate_suggestions(prog, item_id),
        "scene": room.settings.scene,
        "expert": actions.talks_of(db, assembly.id).get(item_id or 0),
        "is_live": item_id is not None and room.current_item_id == item_id,
    }


def questions_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    template = "programme/questions_live.html" if request.query_params.get("part") else None
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        context = questions_context(db, assembly, _int(request.query_params.get("item")))
    return render_page(
        request,
        template or "programme/questions.html",
        error=request.query_params.get("error", ""),
        done=request.query_params.get("done", ""),
        **context,
    )


async def questions_act(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    item_id = _int(form.get("item_id"))
    back = f"/f/a/{assembly_id}/questions" + (f"?item={item_id}" if item_id else "?")

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent]:
        if action == "scene":
            return do_set_scene(db, assembly, "questions")
        return actions.do_moderate_question(
            db,
            assembly,
            _int(form.get("question_id")) or 0,
            action,
            into=_int(form.get("into")),
            answer=form_value(form, "answer", 4100),
            public=bool(form.get("public")),
            owner=form_value(form, "owner", 200),
        )

    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        return redirect(f"{back}&error={exc.code}")
    return redirect(f"{back}&done={action}")


# -- the phone's programme page ------------------------------------------------------------------


def phone_programme(request: Request) -> Response:
    with request.app.state.db() as db:
        member = require_member(request, db)
        assembly = db.get(Assembly, member.assembly_id)
        assert assembly is not None and assembly.id is not None
        answered = [
            q for q in actions.questions_of(db, assembly.id) if q.status == "answered" and q.answer
        ]
        context = {
            "assembly": assembly,
            "member": member,
            "gatherings": actions.gatherings_of(db, assembly.id),
            "items": _items_by_gathering(db, assembly.id),
            "talks": actions.talks_of(db, assembly.id),
            "materials": actions.materials_of(db, assembly.id),
            "experts": {e.id: e for e in actions.experts_of(db, assembly.id)},
            "answered": answered,
            "parking": actions.parking_of(db, assembly.id),
            "hours": actions.hours_of(db, assembly.id),
            "hours_text": pure.hours_text,
            "goal_hours": pure.GOAL_MINUTES // 60,
        }
    return render_page(
        request,
        "programme/phone.html",
        done=request.query_params.get("done", ""),
        error=request.query_params.get("error", ""),
        **context,
    )


async def phone_wish(request: Request) -> Response:
    form = await request.form()
    wish = form_value(form, "text", 600)

    def work(db: Session) -> list[LoggedEvent]:
        member = current_member(request, db)
        if member is None:
            raise ActionError("not_allowed")
        return actions.do_add_wish(db, member, wish)

    try:
        await write(request.app.state.hub, work)
    except ActionError as exc:
        return redirect(f"/p/programme?error={exc.code}#wish")
    return redirect("/p/programme?done=wish#wish")


# -- material downloads ------------------------------------------------------------------------


def _file_response(material: Material) -> Response:
    if material.url:
        return redirect(material.url)
    name = material.filename or "file"
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
    return Response(
        material.data or b"",
        media_type=material.content_type or "application/octet-stream",
        headers={
            "content-disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
            ),
            "content-security-policy": "sandbox; default-src 'none'",
            "cache-control": "private, no-store",
        },
    )


def member_material(request: Request) -> Response:
    with request.app.state.db() as db:
        member = current_member(request, db)
        if member is None:
            raise HTTPException(403, detail="Join the assembly first")
        material = db.get(Material, int(request.path_params["material_id"]))
        if material is None or material.assembly_id != member.assembly_id:
            raise HTTPException(404)
        return _file_response(material)


def facilitator_material(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        material = db.get(Material, int(request.path_params["material_id"]))
        if material is None or material.assembly_id != assembly_id:
            raise HTTPException(404)
        return _file_response(material)


def public_material(request: Request) -> Response:
    with request.app.state.db() as db:
        assembly = assembly_by_code(db, normalise_code(request.path_params["code"]))
        material = db.get(Material, int(request.path_params["material_id"]))
        if (
            assembly is None
            or material is None
            or material.assembly_id != assembly.id
            or not material.public
        ):
            raise HTTPException(404)
        return _file_response(material)


def public_context(db: Session, assembly: Assembly) -> dict[str, Any]:
    """For the public page /a/<code>: the public gatherings, public material, and the
    experts' written answers chosen for the public."""
    assert assembly.id is not None
    experts = {e.id: e for e in actions.experts_of(db, assembly.id) if e.public}
    answers = [
        q
        for q in db.exec(
            select(Question)
            .where(
                Question.assembly_id == assembly.id,
                Question.answer_public == True,  # noqa: E712
                Question.status == "answered",
            )
            .order_by(Question.id)  # type: ignore[arg-type]
        )
        if q.answer
    ]
    return {
        "public_programme": [g for g in actions.gatherings_of(db, assembly.id) if g.public],
        "public_materials": actions.materials_of(db, assembly.id, public_only=True),
        "public_experts": experts,
        "public_answers": answers,
    }


routes = [
    Route("/f/a/{assembly_id:int}/programme", programme_page),
    Route("/f/a/{assembly_id:int}/programme/act", programme_act, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/programme/material/{material_id:int}", facilitator_material),
    Route("/f/a/{assembly_id:int}/attendance", attendance_page),
    Route("/f/a/{assembly_id:int}/attendance/act", attendance_act, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/attendance/scan", attendance_scan, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/attendance.csv", attendance_csv),
    Route("/f/a/{assembly_id:int}/questions", questions_page),
    Route("/f/a/{assembly_id:int}/questions/act", questions_act, methods=["POST"]),
    Route("/p/programme", phone_programme),
    Route("/p/programme/wish", phone_wish, methods=["POST"]),
    Route("/p/material/{material_id:int}", member_material),
    Route("/a/{code:str}/material/{material_id:int}", public_material),
]

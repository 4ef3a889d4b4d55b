"""Roles per assembly, the pages (app/roles.py holds the rules): an assembly's team and its
invitations (organisers only), redeeming an invitation code or link, and the observer view for
an account with the observer role.

Membership changes are not room events: no live screen shows who is on the team. The role is
checked again on every page and on every socket message, so a change holds at once.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import roles
from app.auth import (
    current_facilitator,
    form_value,
    get_assembly,
    require_facilitator,
    sign_in_facilitator,
)
from app.clock import utcnow
from app.models import Facilitator, Invitation, Membership
from app.security import hash_password, password_problem
from app.templating import render_page
from app.web_helpers import redirect
from app.writes import require, write

A = "/f/a/{assembly_id:int}"


def _team_context(request: Request, db: Session, assembly_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "assembly": get_assembly(db, assembly_id),
        "team": roles.team(db, assembly_id),
        "invitations": roles.pending_invitations(db, assembly_id),
        "roles": roles.ROLES,
        "new_code": "",
        "new_link": "",
        "errors": [],
        **extra,
    }


def team_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        me = require_facilitator(request, db)
        context = _team_context(request, db, assembly_id, me=me)
    return render_page(request, "f/team.html", **context)


async def team_invite(request: Request) -> Response:
    """A new one-time code: shown once here (only its hash is kept), with its link."""
    assembly_id = int(request.path_params["assembly_id"])
    form = await request.form()
    role = form_value(form, "role", 20)
    tables = roles.parse_tables(form_value(form, "tables", 200))
    note = form_value(form, "note", 120)
    errors = []
    if role not in roles.ROLES:
        errors.append("role")
    elif role == "table" and not tables:
        errors.append("tables")

    def work(db: Session) -> dict[str, Any]:
        me = require(request, db, "organise", assembly_id)
        if errors:
            return _team_context(request, db, assembly_id, me=me, errors=errors)
        invited = roles.invite(db, assembly_id, me, role, tables, note)
        link = f"{request.app.state.settings.base_url}/invite/{invited.code}"
        return _team_context(request, db, assembly_id, me=me, new_code=invited.code, new_link=link)

    context = await write(request.app.state.hub, work)
    return render_page(request, "f/team.html", status_code=400 if errors else 200, **context)


async def team_change(request: Request) -> Response:
    """Change a member's role (and tables), or remove them; the last organiser stays."""
    assembly_id = int(request.path_params["assembly_id"])
    membership_id = int(request.path_params["membership_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    role = form_value(form, "role", 20)
    tables = form_value(form, "tables", 200)

    def work(db: Session) -> dict[str, Any] | None:
        me = require(request, db, "organise", assembly_id)
        row = db.get(Membership, membership_id)
        if row is None or row.assembly_id != assembly_id:
            raise HTTPException(404)
        errors: list[str] = []
        leaves_organisers = row.role == "organiser" and (action == "remove" or role != "organiser")
        if leaves_organisers and roles.organisers(db, assembly_id) <= 1:
            errors.append("last_organiser")
        elif action == "remove":
            db.delete(row)
        elif role not in roles.ROLES:
            errors.append("role")
        elif role == "table" and not roles.parse_tables(tables):
            errors.append("tables")
        else:
            roles.grant(db, assembly_id, row.facilitator_id, role, tables)
        if errors:
            return _team_context(request, db, assembly_id, me=me, errors=errors)
        return None

    failed = await write(request.app.state.hub, work)
    if failed:
        return render_page(request, "f/team.html", status_code=400, **failed)
    return redirect(f"/f/a/{assembly_id}/team?saved=1#members")


async def invitation_revoke(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    invitation_id = int(request.path_params["invitation_id"])

    def work(db: Session) -> None:
        require(request, db, "organise", assembly_id)
        row = db.get(Invitation, invitation_id)
        if row is None or row.assembly_id != assembly_id:
            raise HTTPException(404)
        if row.used_at is None:
            row.expires_at = utcnow()  # expired now: kept, so the team page can say who used what
            db.add(row)

    await write(request.app.state.hub, work)
    return redirect(f"/f/a/{assembly_id}/team#invitations")


# -- redeeming ---------------------------------------------------------------------------------


def _invitation_view(db: Session, code: str) -> dict[str, Any]:
    invitation, why = roles.open_invitation(db, code, utcnow())
    assembly = get_assembly(db, invitation.assembly_id) if invitation is not None else None
    return {"invitation": invitation, "assembly": assembly, "why": why}


async def invite_code(request: Request) -> Response:
    """``/invite``: type the code (GET shows the form, POST goes on to the code's page)."""
    if request.method == "GET":
        return render_page(request, "invite.html", code="", invitation=None, why="", errors=[])
    code = roles.normalise_code(form_value(await request.form(), "code", 40))
    with request.app.state.db() as db:
        found = _invitation_view(db, code)
        me = current_facilitator(request, db)
    if found["invitation"] is None:
        return render_page(request, "invite.html", status_code=400, code="", errors=[], **found)
    return render_page(request, "invite.html", code=code, me=me, errors=[], **found)


def _invite_page(request: Request, code: str, status: int = 200, **extra: Any) -> Response:
    with request.app.state.db() as db:
        found = _invitation_view(db, code)
        me = current_facilitator(request, db)
    if found["invitation"] is None:
        status = 400
    context = {"code": code if found["invitation"] else "", "me": me, "errors": [], **extra}
    return render_page(request, "invite.html", status_code=status, **found, **context)


async def invite_link(request: Request) -> Response:
    """``/invite/<code>``: the invitation, then accept it (signed in) or make an account."""
    code = roles.normalise_code(request.path_params["code"])
    if request.method == "GET":
        return _invite_page(request, code)
    form = await request.form()
    email = form_value(form, "email", 254).lower()
    name = " ".join(form_value(form, "name", 120).split())
    password = form_value(form, "password", 1000)

    def work(db: Session) -> tuple[int | None, str, list[Any], Facilitator | None]:
        """(assembly id, why not, form errors, the account made now)"""
        me = current_facilitator(request, db)
        made = None
        if me is None:  # a new account, made by the invitation
            problems: list[Any] = []
            if "@" not in email or len(email) < 3:
                problems.append("email")
            if not name:
                problems.append("name")
            problem = password_problem(password, email, name)
            if problem:
                problems.append(problem)
            taken = db.exec(select(Facilitator).where(Facilitator.email == email)).first()
            if taken is not None:
                problems.append("email_taken")
            invitation, why = roles.open_invitation(db, code, utcnow())
            if invitation is None or problems:
                return None, why, problems, None
            me = made = Facilitator(
                email=email, name=name, password_hash=hash_password(password), created_at=utcnow()
            )
            db.add(me)
            db.flush()
        membership, why = roles.redeem(db, code, me)
        if membership is None:
            db.rollback()  # no account without the role it was made for
            return None, why, [], None
        return membership.assembly_id, "", [], made

    assembly_id, _why, problems, made = await write(request.app.state.hub, work)
    if assembly_id is None:
        return _invite_page(
            request, code, status=400, errors=problems, email=email, person_name=name
        )
    if made is not None:
        sign_in_facilitator(request, made)
    return redirect("/f")


def observe(request: Request) -> Response:
    """The observer view for an account (the same read-only page as the observer link)."""
    from app.record import actions as record_actions
    from app.record.pages import _observer_context

    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        settings = record_actions.settings_of(db, assembly_id)
        context = _observer_context(db, assembly, settings)
    name = (
        "record/observer_live.html"
        if request.query_params.get("part") == "live"
        else "record/observer.html"
    )
    return render_page(request, name, token="", **context)


routes = [
    Route(f"{A}/team", team_page),
    Route(f"{A}/team/invite", team_invite, methods=["POST"]),
    Route(f"{A}/team/{{membership_id:int}}", team_change, methods=["POST"]),
    Route(
        f"{A}/team/invitations/{{invitation_id:int}}/revoke", invitation_revoke, methods=["POST"]
    ),
    Route(f"{A}/observe", observe),
    Route("/invite", invite_code, methods=["GET", "POST"]),
    Route("/invite/{code:str}", invite_link, methods=["GET", "POST"]),
]

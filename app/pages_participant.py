"""Participant pages: joining by link, QR or code, and the phone's room page."""

from __future__ import annotations

import time

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import form_value, require_member, sign_in_member
from app.config import SUPPORTED_LANGUAGES
from app.members import member_by_codes, member_by_token
from app.models import Assembly, Member
from app.templating import render_page
from app.web_helpers import in_db, redirect, safe_next
from facilitation.ratelimit import RateLimiter

# Manual codes are guessable in principle: limit tries per address and per assembly code.
# A whole room shares one NAT, so the per-address limit is generous.
MANUAL_BY_ADDRESS = RateLimiter(burst=30, per_second=0.5)
MANUAL_BY_ASSEMBLY = RateLimiter(burst=60, per_second=1.0)


def join_link(request: Request) -> Response:
    token = request.path_params["token"]
    with request.app.state.db() as db:
        member = member_by_token(db, token)
    if member is None:
        return render_page(request, "p/join.html", status_code=404, error="revoked", form={})
    sign_in_member(request, member)
    return redirect("/p")  # a clean URL: the token leaves the address bar and the history


async def join_manual(request: Request) -> Response:
    if request.method == "GET":
        return render_page(request, "p/join.html", error=None, form={})
    form = await request.form()
    assembly_code = form_value(form, "assembly_code", 20)
    personal_code = form_value(form, "personal_code", 20)
    now = time.monotonic()
    address = request.client.host if request.client else "?"
    if not (
        MANUAL_BY_ADDRESS.allow(address, now)
        and MANUAL_BY_ASSEMBLY.allow(assembly_code.upper(), now)
    ):
        return render_page(request, "p/join.html", status_code=429, error="slow_down", form=form)
    settings = request.app.state.settings

    def find(db: Session) -> Member | None:
        return member_by_codes(db, settings, assembly_code, personal_code)

    member = await in_db(request, find)
    if member is None:
        return render_page(request, "p/join.html", status_code=400, error="unknown", form=form)
    sign_in_member(request, member)
    return redirect("/p")


def room(request: Request) -> Response:
    with request.app.state.db() as db:
        member = require_member(request, db)
        assembly = db.get(Assembly, member.assembly_id)
    # "Hej Anne T.": the display name the room knows the person by (first names repeat)
    return render_page(
        request, "p/room.html", member=member, assembly=assembly, greeting_name=member.name
    )


async def set_language(request: Request) -> Response:
    form = await request.form()
    lang = form_value(form, "lang", 5)
    if lang in SUPPORTED_LANGUAGES:
        request.session["lang"] = lang
    return redirect(safe_next(form_value(form, "next", 500)) or "/")


routes = [
    Route("/join/{token:str}", join_link),
    Route("/join", join_manual, methods=["GET", "POST"]),
    Route("/p", room),
    Route("/lang", set_language, methods=["POST"]),
]

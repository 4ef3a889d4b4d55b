"""Helpers shared by the theme board, drafts and phone pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app.auth import request_language
from app.errors import ActionError
from app.i18n import translations
from app.models import Assembly, Facilitator
from app.web_helpers import redirect
from app.writes import facilitator_write

Work = Callable[[Session, Assembly, Facilitator], object]


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def int_list(form: FormData, name: str) -> list[int]:
    return [n for n in (int_or_none(v) for v in form.getlist(name)) if n is not None]


def with_error(url: str, code: str) -> str:
    base, _, anchor = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{urlencode({'error': code})}" + (f"#{anchor}" if anchor else "")


def last_seq(db: Session, assembly_id: int) -> int:
    return int(db.exec(select(Assembly.last_seq).where(Assembly.id == assembly_id)).one())


async def act(request: Request, work: Work, back: str) -> Response:
    """Run a board or draft action through the write path (every event it records — ``board``,
    ``drafts``, ``drafting``, ``spotlight``… — is rung), go back to ``back``; a refusal goes
    back with its code."""
    try:
        await facilitator_write(request, work)
    except ActionError as exc:
        return redirect(with_error(back, exc.code))
    return redirect(back)


def ask_text(request: Request, kind: str) -> str:
    gettext = translations(request_language(request)).gettext
    if kind == "theme":
        return gettext("Does this theme fit these notes? Say so, or tell us what to change.")
    return gettext("Is this what we mean? Say so, or tell us what to change.")

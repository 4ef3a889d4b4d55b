"""Who is asking: facilitator logins, participant sessions, CSRF, the viewer's language."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote

from sqlmodel import Session, select
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import pick_language
from app.models import Assembly, Facilitator, Member
from app.security import new_csrf_token, same_token

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 5 * 1024 * 1024  # a members or pool CSV of a few thousand rows fits easily


class LoginRequired(HTTPException):
    """Raised by facilitator routes for anonymous visitors (redirected to the login page)."""

    def __init__(self, next_path: str) -> None:
        super().__init__(status_code=303, headers={"Location": f"/login?next={quote(next_path)}"})


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get("csrf")
    if not token:
        token = new_csrf_token()
        conn.session["csrf"] = token
    return str(token)


def request_language(conn: HTTPConnection) -> str:
    return pick_language(
        conn.session.get("lang"),
        conn.headers.get("accept-language"),
        conn.app.state.settings.lang,
    )


def current_facilitator(conn: HTTPConnection, db: Session) -> Facilitator | None:
    facilitator_id = conn.session.get("facilitator_id")
    return db.get(Facilitator, facilitator_id) if facilitator_id else None


def require_facilitator(request: Request, db: Session) -> Facilitator:
    """The logged-in facilitator, or: redirect to login (GET) / 403 (anything else)."""
    facilitator = current_facilitator(request, db)
    if facilitator is None:
        if request.method == "GET":
            raise LoginRequired(request.url.path)
        raise HTTPException(status_code=403, detail="Facilitator login required")
    return facilitator


def current_member(conn: HTTPConnection, db: Session) -> Member | None:
    """The participant of this browser session, if their join link is still valid."""
    member_id = conn.session.get("member_id")
    if not member_id:
        return None
    member = db.get(Member, member_id)
    if member is None or not member.active or member.token_nonce != conn.session.get("nonce"):
        return None
    return member


def sign_in_member(conn: HTTPConnection, member: Member) -> None:
    conn.session.pop("facilitator_id", None)
    conn.session["member_id"] = member.id
    conn.session["nonce"] = member.token_nonce


def sign_in_facilitator(conn: HTTPConnection, facilitator: Facilitator) -> None:
    lang = conn.session.get("lang")
    conn.session.clear()
    conn.session["facilitator_id"] = facilitator.id
    if lang:
        conn.session["lang"] = lang
    conn.session["csrf"] = new_csrf_token()


def get_assembly(db: Session, assembly_id: int) -> Assembly:
    assembly = db.get(Assembly, assembly_id)
    if assembly is None:
        raise HTTPException(status_code=404, detail="No such assembly")
    return assembly


def assembly_by_code(db: Session, code: str) -> Assembly | None:
    return db.exec(select(Assembly).where(Assembly.code == code)).first()


class CSRFMiddleware:
    """Refuse every state-changing HTTP request without the session's CSRF token.

    The token comes in the ``X-CSRF-Token`` header (htmx sends it, see static/js/samling.js)
    or a ``csrf_token`` form field. The body is buffered once and replayed to the route.
    Runs inside the session middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get("csrf")
        headers = Headers(scope=scope)
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _plain(send, 413, b"Request too large")
                return
        supplied = headers.get(CSRF_HEADER) or _form_token(headers, body)
        if not same_token(expected, supplied):
            await _plain(send, 403, b"CSRF token missing or wrong. Reload the page and try again.")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _form_token(headers: Headers, body: bytes) -> str | None:
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1")).get(CSRF_FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        marker = f'name="{CSRF_FIELD}"'.encode()
        start = body.find(marker)
        if start < 0:
            return None
        value_start = body.find(b"\r\n\r\n", start) + 4
        value_end = body.find(b"\r\n", value_start)
        return body[value_start:value_end].decode("ascii", "replace").strip()
    return None


async def _plain(send: Send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text})


def form_value(form: Any, name: str, limit: int = 2000) -> str:
    """A trimmed text field from a submitted form, cut at ``limit`` characters."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""

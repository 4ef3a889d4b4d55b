"""Who is asking: facilitator logins, participant sessions, CSRF, the viewer's language."""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.clock import utcnow
from app.csvfiles import MAX_BYTES
from app.i18n import pick_language, translate
from app.models import Assembly, Facilitator, LoginThrottle, Member
from app.security import check_password, new_csrf_token, same_token
from facilitation.messages import N_

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = MAX_BYTES  # a members or pool CSV of a few thousand rows fits easily


log = logging.getLogger("samling.auth")

# Failed logins: an account (or an address, which a whole town hall may share behind one NAT)
# that fails this often within LOGIN_WINDOW waits LOGIN_BLOCK before it may try again.
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_BLOCK = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 30


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


def signed_in(request: Request, db: Session) -> Facilitator:
    """The logged-in account, or: redirect to login (GET) / 403 (anything else)."""
    facilitator = current_facilitator(request, db)
    if facilitator is None:
        if request.method == "GET":
            raise LoginRequired(request.url.path)
        raise HTTPException(status_code=403, detail="Facilitator login required")
    return facilitator


def require_facilitator(request: Request, db: Session) -> Facilitator:
    """The logged-in account if its role in the path's assembly allows what this route does
    (app/roles.py: the capability map), or: login (GET) / 403."""
    from app.roles import enforce  # late: roles is loaded with the models

    facilitator = signed_in(request, db)
    enforce(request, db, facilitator)
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


class JoinRequired(HTTPException):
    """Raised by a phone's page when nobody is signed in (redirected to /join: the join link
    or the codes on the card)."""

    def __init__(self) -> None:
        super().__init__(status_code=303, headers={"Location": "/join"})


def require_member(conn: HTTPConnection, db: Session) -> Member:
    """The member of this browser session, or: to /join (the one place a phone's page
    decides that, like ``require_facilitator`` for the console)."""
    member = current_member(conn, db)
    if member is None:
        raise JoinRequired()
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
                await _plain(send, 413, _refusal(scope, N_("The request is too large.")))
                return
        supplied = headers.get(CSRF_HEADER) or _form_token(headers, body)
        if not same_token(expected, supplied):
            refusal = N_("This form has expired. Reload the page and try again.")
            await _plain(send, 403, _refusal(scope, refusal))
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


def _refusal(scope: Scope, message: Any) -> bytes:
    """A refusal in the person's language (the middleware runs before any route)."""
    return translate(message, request_language(HTTPConnection(scope))).encode()


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


# -- logins ----------------------------------------------------------------------------------


def _throttle_keys(email: str, address: str) -> dict[str, int]:
    """Row key -> failures allowed. Keys are hashed: the table holds no e-mail addresses."""

    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    return {key(f"account:{email}"): ACCOUNT_FAILURES, key(f"address:{address}"): ADDRESS_FAILURES}


def login_wait(db: Session, email: str, address: str, now: datetime) -> timedelta | None:
    """How long this account or address must still wait before trying again, if at all."""
    waits = []
    for key in _throttle_keys(email, address):
        row = db.get(LoginThrottle, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            waits.append(row.blocked_until - now)
    return max(waits) if waits else None


def record_login_failure(db: Session, email: str, address: str, now: datetime) -> None:
    """Count a failure for the account and the address (one short write transaction)."""
    for key, allowed in _throttle_keys(email, address).items():
        row = db.get(LoginThrottle, key)
        if row is None or now - row.window_start > LOGIN_WINDOW:
            row = row or LoginThrottle(key=key, window_start=now)
            row.failures, row.window_start, row.blocked_until = 0, now, None
        row.failures += 1
        if row.failures >= allowed:
            row.blocked_until = now + LOGIN_BLOCK
        db.add(row)
    stale = now - max(LOGIN_WINDOW, LOGIN_BLOCK) * 4
    db.execute(delete(LoginThrottle).where(col(LoginThrottle.window_start) < stale))


def authenticate(db: Session, email: str, password: str) -> Facilitator | None:
    """The account for these credentials. An unknown e-mail costs the same argon2 verification
    as a known one (against a dummy hash), so the answer's timing does not tell them apart."""
    user = db.exec(select(Facilitator).where(Facilitator.email == email)).first()
    ok = check_password(user.password_hash if user is not None else None, password)
    return user if ok else None


async def attempt_login(
    request: Request, email: str, password: str
) -> tuple[Facilitator | None, int]:
    """Check a login form: (the facilitator, 0), or (None, minutes to wait; 0 = just wrong).

    A throttled account or address is refused before any password is checked; the argon2 work
    runs in a read transaction, and a failure is then counted in a short write transaction. A
    failed login is logged with the e-mail address and the client address, never the password.
    """
    from app.web_helpers import in_db

    address = request.client.host if request.client else ""
    now = utcnow()

    def check(db: Session) -> tuple[Facilitator | None, timedelta | None]:
        wait = login_wait(db, email, address, now)
        return (None, wait) if wait is not None else (authenticate(db, email, password), None)

    user, wait = await in_db(request, check)
    if user is not None:
        await in_db(request, lambda db: _clear_account(db, email), write=True)
        return user, 0
    if wait is not None:
        log.warning("login refused while throttled: email=%r address=%s", email, address)
        return None, max(1, math.ceil(wait.total_seconds() / 60))
    await in_db(request, lambda db: record_login_failure(db, email, address, utcnow()), write=True)
    log.warning("failed login: email=%r address=%s", email, address)
    return None, 0


def _clear_account(db: Session, email: str) -> None:
    account = next(iter(_throttle_keys(email, "")))
    row = db.get(LoginThrottle, account)
    if row is not None:
        db.delete(row)

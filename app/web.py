"""The Starlette application: middleware, routes, static files, startup and shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import (
    pages_facilitator,
    pages_participant,
    pages_public,
    pages_roles,
    pages_rounds,
    pages_runsheet,
)
from app.auth import CSRFMiddleware, request_language
from app.ballot import pages as ballot_pages
from app.config import Settings, load_settings
from app.db import make_engine, session_scope
from app.i18n import is_translated, translate
from app.lottery import pages as lottery_pages
from app.programme import pages as programme_pages
from app.record import pages as record_pages
from app.templating import TEMPLATES, render_page
from app.themes import pages as theme_pages
from facilitation.messages import N_

STATIC = TEMPLATES.parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Strict CSP without inline script, and the usual hardening headers, on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Every HTTPException detail raised in app/ (English msgids, translated for the viewer by
# http_error; tests/app/test_danish.py fails on a detail missing here), and Starlette's own.
ERROR_DETAILS = (
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Facilitator login required"),
    N_("No such assembly"),
    N_("This projector link is not valid"),
    N_("This observer link is not valid"),
    N_("Open your join link first"),
    N_("No lottery"),
    N_("The pool's personal data has been deleted"),
    N_("No computed lottery"),
    N_("No draw yet"),
    N_("No confirmed draw"),
    N_("Join the assembly first"),
    N_("Drafting is not open to your table"),
    N_("Your role in this assembly does not allow this."),
)


def error_detail(detail: str, lang: str) -> str:
    """The detail in the viewer's language; empty if it has no translation (never English)."""
    return translate(detail, lang) if detail and is_translated(detail, lang) else ""


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (301, 302, 303, 307):
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = error_detail(str(exc.detail), request_language(request))
    if "text/html" in request.headers.get("accept", ""):
        return render_page(
            request, "error.html", status_code=exc.status_code, exc=exc, detail=detail
        )
    if not detail:
        detail = translate("Something went wrong", request_language(request))
    return PlainTextResponse(detail, status_code=exc.status_code)


def retention_check(engine: Any) -> None:
    """At start-up: remove what links people to their words where a retention period is over."""
    from app.clock import utcnow
    from app.record.retention import check_all

    with session_scope(engine, write=True) as db:
        check_all(db, utcnow().date())


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from app.dispatch import note_limiter
        from app.hub import Hub

        hub = Hub(settings, engine, note_limiter())
        app.state.hub = hub
        # the organisers' retention periods (app/record/retention.py), off the event loop
        await run_in_threadpool(retention_check, engine)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            engine.dispose()

    routes = [
        *pages_public.routes,
        *pages_participant.routes,
        *pages_facilitator.routes,
        *pages_runsheet.routes,
        *pages_roles.routes,
        *pages_rounds.routes,
        *theme_pages.routes,
        *lottery_pages.routes,
        *ballot_pages.routes,
        *record_pages.routes,
        *programme_pages.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    from app.sockets import routes as socket_routes

    app = Starlette(
        routes=[*socket_routes, *routes],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="samling",
                same_site="lax",
                https_only=settings.secure_cookies,
                max_age=14 * 24 * 3600,
            ),
            Middleware(CSRFMiddleware),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.db = lambda: session_scope(engine)
    return app

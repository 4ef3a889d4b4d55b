"""Small helpers shared by the page modules."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.db import session_scope


async def in_db(request: Request, work: Any, *args: Any, write: bool = False) -> Any:
    """Run ``work(db, *args)`` in the threadpool inside one transaction: for reads (a change
    goes through ``app.writes``, which rings the hub with its events)."""

    def run() -> Any:
        with session_scope(request.app.state.engine, write=write) as db:
            return work(db, *args)

    return await run_in_threadpool(run)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site paths may be a post-login destination (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return ""

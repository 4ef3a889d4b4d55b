"""Small helpers shared by the page modules."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.db import session_scope


async def in_db(request: Request, work: Any, *args: Any, write: bool = False) -> Any:
    """Run ``work(db, *args)`` in the threadpool inside one transaction."""

    def run() -> Any:
        with session_scope(request.app.state.engine, write=write) as db:
            return work(db, *args)

    return await run_in_threadpool(run)


async def facilitator_action(request: Request, work: Any) -> Any:
    """The one way a facilitator's HTTP form changes the room: login checked, then
    ``work(db, assembly, facilitator)`` in one write transaction, then the hub rung with the
    events it returns (a list, or the first item of a tuple). An ActionError propagates: the
    page decides how to say no."""
    from app.auth import get_assembly, require_facilitator

    assembly_id = int(request.path_params["assembly_id"])

    def run(db: Any) -> Any:
        facilitator = require_facilitator(request, db)
        return work(db, get_assembly(db, assembly_id), facilitator)

    result = await in_db(request, run, write=True)
    events = result[0] if isinstance(result, tuple) else result
    await request.app.state.hub.ring(list(events or []))
    return result


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site paths may be a post-login destination (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return ""

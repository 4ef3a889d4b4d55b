"""Pages anyone may open: the landing page, the projector (by its link), the public record."""

from __future__ import annotations

import segno
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth import assembly_by_code, get_assembly
from app.members import projector_token
from app.security import normalise_code, same_token
from app.templating import render_page
from app.web_helpers import redirect


def home(request: Request) -> Response:
    if request.session.get("facilitator_id"):
        return redirect("/f")
    if request.session.get("member_id"):
        return redirect("/p")
    return render_page(request, "home.html")


def projector(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        assembly = get_assembly(db, assembly_id)
    expected = projector_token(request.app.state.settings, assembly)
    if not same_token(expected, request.path_params["token"]):
        raise HTTPException(status_code=404, detail="This projector link is not valid")
    join_url = f"{request.app.state.settings.base_url}/join"
    return render_page(
        request,
        "projector.html",
        assembly=assembly,
        token=request.path_params["token"],
        join_url=join_url,
        # a late arrival scans this and types the assembly code and their personal code
        join_qr=segno.make(join_url, error="m").svg_inline(border=1, light="#fff", omitsize=True),
    )


def public(request: Request) -> Response:
    from app.ballot.pages import public_context
    from app.lottery.flow import latest
    from app.programme.pages import public_context as programme_public
    from app.record.pages import public_context as record_context

    with request.app.state.db() as db:
        assembly = assembly_by_code(db, normalise_code(request.path_params["code"]))
        if assembly is None or assembly.id is None:
            raise HTTPException(status_code=404, detail="No such assembly")
        lottery = latest(db, assembly.id)
        results = public_context(db, assembly)  # the ballots' results (app/ballot/pages.py)
        results.update(record_context(db, assembly))  # the public record (app/record/pages.py)
        results.update(programme_public(db, assembly))  # the programme (app/programme/pages.py)
    drawn = lottery is not None and lottery.confirmed_at is not None
    return render_page(request, "public.html", assembly=assembly, drawn=drawn, **results)


def health(request: Request) -> Response:
    return Response("ok", media_type="text/plain")


routes = [
    Route("/", home),
    Route("/healthz", health),
    Route("/projector/{assembly_id:int}/{token:str}", projector),
    Route("/a/{code:str}", public),
]

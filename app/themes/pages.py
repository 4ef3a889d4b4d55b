"""The facilitator's theme board: a phase's notes with the engine's suggestions, themes made,
renamed, merged and split, notes chosen and moved together (by dragging, with a mouse or a
finger, or with the toolbar's "move to theme" select), undo, and the room's confirmation
through the spotlight. Every form posts to one action route per phase; every action writes a
``board`` event, and every open board of the phase fetches itself again (static/js/board.js)."""

from __future__ import annotations

import re

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.agenda import do_spotlight
from app.auth import form_value, get_assembly, require_facilitator
from app.errors import ActionError
from app.events import LoggedEvent
from app.models import Assembly, Facilitator, Note
from app.templating import render_page
from app.themes import board as theme_board
from app.themes import pages_drafts, pages_phone
from app.themes.forms import act, ask_text, int_list, int_or_none, last_seq
from app.themes.provenance import note_trail
from app.themes.read import load_board, phase_item, phase_items, phase_notes

ANCHOR = re.compile(r"[A-Za-z][\w-]{0,39}")


def board_page(request: Request) -> Response:
    assembly_id = int(request.path_params["assembly_id"])
    wanted = int_or_none(request.query_params.get("item"))
    k = int_or_none(request.query_params.get("k"))
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        phases = phase_items(db, assembly_id)
        counts = {p.id: len(phase_notes(db, p.id or 0)) for p in phases}
        if wanted is None and phases:
            ids = [p.id for p in phases]
            wanted = assembly.current_item_id if assembly.current_item_id in ids else ids[0]
        board = None
        if wanted is not None:
            try:
                board = load_board(db, assembly, wanted, k if k and 1 <= k <= 30 else None)
            except ActionError as exc:
                raise HTTPException(404) from exc
        spotlight = assembly.spotlight or {}
        seq = last_seq(db, assembly_id)
    return render_page(
        request,
        "f/themes.html",
        assembly=assembly,
        phases=phases,
        counts=counts,
        board=board,
        spotlight_ref=spotlight.get("ref") if spotlight.get("kind") == "theme" else None,
        error=request.query_params.get("error", ""),
        seq=seq,
    )


async def board_action(request: Request) -> Response:
    """One route for every board action; ``action`` names it."""
    assembly_id = int(request.path_params["assembly_id"])
    item_id = int(request.path_params["item_id"])
    form = await request.form()
    action = form_value(form, "action", 20)
    theme_id = int_or_none(form.get("theme_id"))
    note_id = int_or_none(form.get("note_id"))
    name = form_value(form, "name", 300)
    back = f"/f/a/{assembly_id}/themes?item={item_id}"
    anchor = form_value(form, "back", 40)
    ask = ask_text(request, "theme")

    def work(db: Session, assembly: Assembly, me: Facilitator) -> list[LoggedEvent] | None:
        phase_item(db, assembly, item_id)
        if action == "create":
            theme_board.do_create_theme(db, assembly, item_id, name, me, int_list(form, "note_ids"))
        elif action == "group":
            wanted = theme_board.free_name(db, item_id, name)
            theme_board.do_create_theme(
                db, assembly, item_id, wanted, me, int_list(form, "note_ids"), "group"
            )
        elif action == "groups":
            groups = []
            for i in range(1, 31):
                ids = [int(x) for x in form_value(form, f"notes_{i}").split(",") if x.isdigit()]
                if ids:
                    groups.append((form_value(form, f"name_{i}", 300), ids))
            theme_board.do_create_themes(db, assembly, item_id, groups, me)
        elif action == "rename" and theme_id is not None:
            theme_board.do_rename_theme(db, assembly, theme_id, name, me)
        elif action == "merge" and theme_id is not None:
            target = int_or_none(form.get("target_id"))
            if target is None:
                raise ActionError("same_theme")
            theme_board.do_merge_themes(db, assembly, theme_id, target, me)
        elif action == "split" and theme_id is not None:
            theme_board.do_split_theme(db, assembly, theme_id, int_list(form, "note_ids"), name, me)
        elif action == "move":  # the toolbar or a drop: the chosen notes into one theme
            chosen = int_list(form, "note_ids")
            if not chosen:
                raise ActionError("none_chosen")
            if theme_id is None and form.get("theme_id") != "out":
                raise ActionError("no_target")
            theme_board.do_place_notes(db, assembly, item_id, chosen, theme_id, me)
        elif action == "newfrom":
            theme_board.do_theme_from_notes(
                db, assembly, item_id, int_list(form, "note_ids"), name, me
            )
        elif action in ("place", "accept") and note_id is not None:
            _check_phase(db, note_id, item_id)
            theme_board.do_place_note(db, assembly, note_id, theme_id, me, action)
        elif action == "reject" and note_id is not None and theme_id is not None:
            theme_board.do_reject_suggestion(db, assembly, note_id, theme_id, me)
        elif action in ("confirm", "unconfirm") and theme_id is not None:
            theme_board.do_confirm_theme(db, assembly, theme_id, action == "confirm", me)
        elif action == "show" and theme_id is not None:
            return theme_board.do_show_theme(db, assembly, theme_id, ask, me)
        elif action == "hide":
            return do_spotlight(db, assembly, None)
        elif action == "undo":
            return theme_board.do_undo_last(db, assembly, item_id, me)[1]
        else:
            raise ActionError("bad_message")
        return None

    return await act(request, work, back + (f"#{anchor}" if ANCHOR.fullmatch(anchor) else ""))


def _check_phase(db: Session, note_id: int, item_id: int) -> None:
    note = db.get(Note, note_id)
    if note is None or note.item_id != item_id:
        raise ActionError("no_such_note")


def note_page(request: Request) -> Response:
    """Where a note ended up (the console view, with names)."""
    assembly_id = int(request.path_params["assembly_id"])
    with request.app.state.db() as db:
        require_facilitator(request, db)
        assembly = get_assembly(db, assembly_id)
        note = db.get(Note, int(request.path_params["note_id"]))
        if note is None or note.assembly_id != assembly_id:
            raise HTTPException(404)
        trail = note_trail(db, note, attributed=True)
    return render_page(request, "f/themes_note.html", assembly=assembly, trail=trail)


routes = [
    Route("/f/a/{assembly_id:int}/themes", board_page),
    Route("/f/a/{assembly_id:int}/themes/{item_id:int}", board_action, methods=["POST"]),
    Route("/f/a/{assembly_id:int}/notes/{note_id:int}", note_page),
    *pages_drafts.routes,
    *pages_phone.routes,
]

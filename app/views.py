"""What each role sees of the live room: snapshots and event fragments, rendered per viewer.

Every top-level element of a message has an ``id`` and an explicit ``hx-swap-oob``, so it
means the same to htmx 2 and htmx 4. User text goes through autoescaped templates only.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from app.events import LoggedEvent
from app.templating import render_fragment
from facilitation.room import NoteView, RoomState

ROLES = ("participant", "facilitator", "projector")
# What the server sends: the framing kinds, then one per event kind (templates/live/event_*.html).
SERVER_KINDS = ("cursor", "snapshot", "ack", "error", "heartbeat", "note_saved", "presence")


@dataclass(frozen=True)
class Viewer:
    role: str
    lang: str
    assembly_id: int
    member_id: int | None = None
    name: str = ""


def cursor_fragment(seq: int) -> str:
    return f'<div id="cursor" hx-swap-oob="true" data-seq="{int(seq)}" hidden></div>'


def heartbeat_fragment(seq: int) -> str:
    return f'<div id="heartbeat" hx-swap-oob="true" data-seq="{int(seq)}" hidden></div>'


def _visible_notes(state: RoomState, viewer: Viewer) -> list[NoteView]:
    notes = sorted(state.notes.values(), key=lambda n: n.id)
    if viewer.role == "facilitator":
        return notes
    if viewer.role == "participant":
        return [n for n in notes if n.member_id == viewer.member_id]
    return [n for n in notes if not n.hidden]


def render_snapshot(state: RoomState, viewer: Viewer, context: dict[str, Any]) -> str:
    """The role's whole view, replacing ``#stage``, then the cursor."""
    html = render_fragment(
        viewer.lang,
        f"live/stage_{viewer.role}.html",
        state=state,
        viewer=viewer,
        notes=_visible_notes(state, viewer),
        **context,
    )
    return html + cursor_fragment(state.seq)


def event_view_key(event: LoggedEvent, viewer: Viewer) -> Hashable | None:
    """Viewers with equal keys get the same fragment (rendered once); None: not for them."""
    if event.audience == "facilitator" and viewer.role != "facilitator":
        return None
    if event.kind == "note_saved":
        note = event.payload["note"]
        if viewer.role == "participant":
            if note["member_id"] != viewer.member_id:
                return None
            return (event.seq, "participant", viewer.lang)
        return (event.seq, viewer.role, viewer.lang)
    if event.kind == "presence":
        return (event.seq, viewer.role, viewer.lang)
    return None


def render_event(event: LoggedEvent, viewer: Viewer) -> str:
    """The fragment that brings a viewer's page from ``event.seq - 1`` to ``event.seq``."""
    body = render_fragment(
        viewer.lang,
        f"live/event_{event.kind}.html",
        viewer=viewer,
        payload=event.payload,
        note=NoteView.from_payload(event.payload["note"]) if "note" in event.payload else None,
    )
    return body + cursor_fragment(event.seq)


def render_ack(viewer: Viewer, note: NoteView) -> str:
    """The saved note in place of the page's pending element ``note-<client_key>``."""
    return render_fragment(viewer.lang, "live/ack.html", viewer=viewer, note=note)


def render_error(viewer: Viewer, code: str, client_key: str | None = None, text: str = "") -> str:
    return render_fragment(
        viewer.lang, "live/error.html", viewer=viewer, code=code, client_key=client_key, text=text
    )

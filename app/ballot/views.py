"""What each screen gets for a ballot event (hooked into app.views).

``ballot`` (a ballot opened, closed, or got a minority statement): each phone its ballot
section (with which questions this member has voted on: rendered per member), the projector
and the console their whole view. ``voted``: the projector's turnout line only, when it shows
a ballot scene; phones and consoles nothing (the console's ballot page asks for who voted).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from app.events import LoggedEvent
from app.templating import render_fragment
from facilitation.room import RoomState

BALLOT_SCENES = {"results": "final", "check": "check"}  # projector scene → ballot kind


def ballot_view_key(event: LoggedEvent, viewer: Any) -> Hashable | None:
    if event.kind == "ballot":
        if viewer.role == "participant":
            return (event.seq, viewer.lang, viewer.member_id)
        return ("snapshot", viewer.role, viewer.lang, viewer.table_no)
    if event.kind == "voted" and viewer.role == "projector":
        return (event.seq, "turnout", viewer.lang)
    return None


def render_ballot_event(
    event: LoggedEvent,
    viewer: Any,
    state: RoomState,
    whole_view: Callable[[RoomState, Any, int], str],
    cursor: str,
) -> str:
    if event.kind == "ballot" and viewer.role != "participant":
        return whole_view(state, viewer, event.seq)
    html = ""
    if event.kind == "ballot":
        html = render_fragment(
            viewer.lang, "live/ballot_participant.html", state=state, viewer=viewer, oob=True
        )
    elif event.kind == "voted":
        kind = BALLOT_SCENES.get(state.settings.scene)
        shown = state.ballots.newest(kind) if kind else None
        if shown is not None and shown.id == event.payload.get("ballot_id"):
            html = render_fragment(
                viewer.lang, "live/ballot_turnout.html", state=state, ballot=shown, oob=True
            )
    return html + cursor

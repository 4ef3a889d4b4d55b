"""What each screen gets for the programme's events (hooked into app.views).

``question`` and ``upvote``: each phone its programme section (rendered per member: which
questions are mine, which I have backed), the projector its whole view (the ``questions``
scene lists them in order of votes). ``attendance``: the member's own phone; ``checkin``:
every phone (the self check-in form) and the projector (the code). ``programme``: nothing
live (the console's and phone's programme pages read the database).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from app.events import LoggedEvent
from app.templating import render_fragment
from facilitation.programme import PROGRAMME_EVENTS
from facilitation.room import RoomState

PROGRAMME_KINDS = PROGRAMME_EVENTS | {"programme"}


def programme_view_key(event: LoggedEvent, viewer: Any) -> Hashable | None:
    if event.kind == "programme":
        return None
    if viewer.role == "participant":
        if event.kind == "attendance" and event.payload.get("member_id") != viewer.member_id:
            return None
        return (event.seq, viewer.lang, viewer.member_id)
    if viewer.role == "projector" and event.kind != "attendance":
        return ("snapshot", viewer.role, viewer.lang, viewer.table_no)
    return None


def render_programme_event(
    event: LoggedEvent,
    viewer: Any,
    state: RoomState,
    whole_view: Callable[[RoomState, Any, int], str],
    cursor: str,
) -> str:
    if viewer.role != "participant":
        return whole_view(state, viewer, event.seq)
    html = render_fragment(
        viewer.lang, "programme/phone_live.html", state=state, viewer=viewer, oob=True
    )
    return html + cursor

"""What each screen gets for the record's events (hooked into app.views).

``survey`` (opened or closed) and ``surveyed`` (a member answered): each phone its survey
section (whether this member has answered: rendered per member; for ``surveyed`` only the
member who answered). ``record``: nothing live (the public page and the console read the
database when opened); the cursor still moves.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from app.events import LoggedEvent
from app.templating import render_fragment
from facilitation.room import RoomState

RECORD_KINDS = frozenset({"record", "survey", "surveyed", "retention"})


def record_view_key(event: LoggedEvent, viewer: Any) -> Hashable | None:
    if viewer.role != "participant":
        return None
    if event.kind == "survey":
        return (event.seq, viewer.lang, viewer.member_id)
    if event.kind == "surveyed" and event.payload.get("member_id") == viewer.member_id:
        return (event.seq, viewer.lang, viewer.member_id)
    return None


def render_record_event(event: LoggedEvent, viewer: Any, state: RoomState, cursor: str) -> str:
    html = render_fragment(
        viewer.lang, "live/survey_participant.html", state=state, viewer=viewer, oob=True
    )
    return html + cursor

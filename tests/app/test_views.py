"""app/views.py: who gets what of each event (the routing table the hub follows), and the
signals to the board and drafts pages. The rendering itself is tested through the sockets."""

from __future__ import annotations

from typing import Any

import pytest

from app.events import LoggedEvent
from app.views import Viewer, event_view_key, note_visible, page_topics, render_signal
from facilitation.room import NoteView

PHONE = Viewer("participant", "da", 1, member_id=5, name="Anne T.")
OTHER_PHONE = Viewer("participant", "da", 1, member_id=6, name="Bo K.")
PROJECTOR = Viewer("projector", "da", 1)
CONSOLE = Viewer("facilitator", "da", 1, facilitator_id=1)
TABLE_VIEW = Viewer("facilitator", "da", 1, facilitator_id=1, table_no=2)


def event(kind: str, payload: dict[str, Any], audience: str = "all", seq: int = 10) -> LoggedEvent:
    return LoggedEvent(1, seq, kind, audience, payload)


def note(member: int | None, table: int | None, **kw: Any) -> NoteView:
    fields: dict[str, Any] = {"hidden": False, "created_at": "", "item_id": 1, **kw}
    return NoteView(1, "k-1", member, "", table, "value", "x", **fields)


def whole(key: Any) -> bool:
    return isinstance(key, tuple) and key[0] == "snapshot"


def test_roster_redraws_the_projector_and_console_and_no_phone() -> None:
    roster = event(
        "roster", {"members": [{"id": 5, "name": "A", "active": False}], "signed_out": [5]}
    )
    assert event_view_key(roster, PHONE, 1) is None
    assert whole(event_view_key(roster, PROJECTOR, None))
    assert whole(event_view_key(roster, CONSOLE, None))


@pytest.mark.parametrize("viewer", [PHONE, PROJECTOR, CONSOLE])
def test_access_sends_no_fragment_to_anyone(viewer: Viewer) -> None:
    assert event_view_key(event("access", {"revoked": "projector"}), viewer, 1) is None


def test_facilitator_events_reach_only_facilitators() -> None:
    drafts = event("drafts", {"draft_id": 3, "action": "draft_edit"}, audience="facilitator")
    assert event_view_key(drafts, PHONE, 1) is None
    assert event_view_key(drafts, PROJECTOR, None) is None
    board_page = Viewer("facilitator", "da", 1, facilitator_id=1, page="drafts")
    assert event_view_key(drafts, board_page, None) is not None


def test_settings_change_no_phone() -> None:
    settings = event("settings", {"settings": {"scene": "wall"}})
    assert event_view_key(settings, PHONE, 1) is None
    assert whole(event_view_key(settings, PROJECTOR, None))


def test_a_note_goes_where_it_can_be_seen_and_is_taken_off_where_it_was() -> None:
    mine = note(5, 1)
    saved = event("note_saved", {"note": mine.to_payload()})
    assert note_visible(mine, PHONE, 1) == "my"
    assert event_view_key(saved, OTHER_PHONE, 1) is not None  # a table mate sees it
    assert event_view_key(saved, OTHER_PHONE, 2) is None  # another table never had it
    assert whole(event_view_key(saved, PROJECTOR, None))  # the scene counts and pages notes
    assert event_view_key(saved, TABLE_VIEW, None) is None  # a table view of table 2 only
    hidden = note(5, 1, hidden=True)
    gone = event("note_saved", {"note": hidden.to_payload()})
    key = event_view_key(gone, OTHER_PHONE, 1)
    assert key is not None and "gone" in key  # it may be on the mate's page: remove it
    assert note_visible(hidden, PHONE, 1) == "my"  # the author still sees their own


def test_board_and_drafts_pages_get_topics_and_nothing_unsafe() -> None:
    assert page_topics("note_saved", {"note": {"item_id": 4}}, "board") == ["board:4"]
    assert page_topics("seating", {}, "drafts") == ["drafts:*"]
    assert page_topics("presence", {}, "board") is None
    signal = render_signal(12, ["board:4", 'x"><script>alert(1)</script>', "drafts:*"])
    assert 'data-topics="board:4 drafts:*"' in signal and "<script>" not in signal
    assert 'data-seq="12"' in signal

"""What each role sees of the live room: snapshots and event fragments, rendered per viewer.

Every top-level element of a message has an ``id`` and an explicit ``hx-swap-oob``, so it
means the same to htmx 2 and htmx 4. User text goes through autoescaped templates only.

Notes change in place with an "upsert": delete the element by id, then append it to its list,
so a fragment is right whether or not the page already had the note, and safe to repeat.
Structural events (run-sheet, seating, settings) re-render the projector's and facilitators'
whole view from the room state, and the phones' affected parts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from app.ballot.views import ballot_view_key, render_ballot_event
from app.clock import utcnow
from app.events import LoggedEvent
from app.programme.views import PROGRAMME_KINDS, programme_view_key, render_programme_event
from app.record.views import RECORD_KINDS, record_view_key, render_record_event
from app.templating import render_fragment
from facilitation.ballot import BALLOT_EVENTS
from facilitation.room import NoteView, RoomState, apply_event, first_name

ROLES = ("participant", "facilitator", "projector")
# What the server sends: the framing kinds, then one per event kind (templates/live/event_*.html).
SERVER_KINDS = (
    "cursor",
    "snapshot",
    "ack",
    "error",
    "heartbeat",
    "note_saved",
    "presence",
    "agenda",
    "seating",
    "settings",
    "spotlight",
    "drafting",
    "board",
    "drafts",
    "ballot",
    "voted",
    "roster",
    "access",
    "question",  # the programme (app/programme): the room's questions, upvotes, attendance
    "upvote",
    "attendance",
    "checkin",
    "programme",
    "record",  # the public record (app/record): a part of it changed; no live screen shows it
    "survey",  # an evaluation survey opened or closed (phones show it)
    "surveyed",  # a member answered a survey (that, never what)
    "retention",  # who wrote, voted and answered what was removed (app/record/retention.py)
)
STRUCTURAL = frozenset({"agenda", "seating", "settings", "spotlight", "roster"})
# Events that change no screen by themselves; the hub closes the sockets they sign out.
SILENT = frozenset({"access"})
# The projector is one screen whose scenes count and page what they show ("23 of 34 have
# written", the wall's pages, one table full-screen): notes and presence re-render its whole
# view from the room state as well, so no fragment ever looks for a list the scene lacks.
PROJECTOR_WHOLE = frozenset({"note_saved", "presence"})


@dataclass(frozen=True)
class Viewer:
    role: str
    lang: str
    assembly_id: int
    member_id: int | None = None
    name: str = ""
    facilitator_id: int | None = None
    table_no: int | None = None  # a facilitator's table view
    nonce: str = ""  # the participant's join-link nonce when the socket opened
    page: str = ""  # a facilitator's theme board ("board") or drafts pages ("drafts"), see below
    access: str = ""  # a facilitator's role in the assembly (app/roles.py): organiser, lead, table


def cursor_fragment(seq: int) -> str:
    return f'<div id="cursor" hx-swap-oob="true" data-seq="{int(seq)}" hidden></div>'


def heartbeat_fragment(seq: int) -> str:
    return f'<div id="heartbeat" hx-swap-oob="true" data-seq="{int(seq)}" hidden></div>'


def my_table(state: RoomState, viewer: Viewer) -> int | None:
    if viewer.role == "participant":
        return state.seating.table_of(viewer.member_id) if state.seating else None
    return viewer.table_no


def note_visible(note: NoteView, viewer: Viewer, table_no: int | None) -> str | None:
    """Which list of the viewer's page shows the note: ``my``, ``table``, ``wall`` or None."""
    if viewer.role == "participant":
        if note.member_id == viewer.member_id and note.entered_by == "":
            return "my"
        if table_no is not None and note.table_no == table_no and note.on_wall:
            return "table"
        return None
    if viewer.role == "facilitator":
        if viewer.table_no is not None and note.table_no != viewer.table_no:
            return None
        return "wall"
    return "wall" if note.on_wall else None


def could_have_shown(note: NoteView, viewer: Viewer, table_no: int | None) -> bool:
    """Whether an earlier version of the note may be on the viewer's page (so a change that
    takes it off must be sent): a phone only ever shows its own notes and its table's."""
    if viewer.role == "participant":
        return note.member_id == viewer.member_id or (
            table_no is not None and note.table_no == table_no
        )
    if viewer.role == "facilitator" and viewer.table_no is not None:
        return note.table_no == viewer.table_no
    return True


@dataclass(frozen=True)
class _NoteIndex:
    ordered: list[NoteView]
    by_member: dict[int | None, list[NoteView]]
    by_table: dict[int | None, list[NoteView]]


_last_index: tuple[RoomState, _NoteIndex] | None = None


def _note_index(state: RoomState) -> _NoteIndex:
    """The room's notes in order and grouped, built once per room state (a seating publish
    renders one view per phone from the same state)."""
    global _last_index
    if _last_index is not None and _last_index[0] is state:
        return _last_index[1]
    ordered = sorted(state.notes.values(), key=lambda n: n.id)
    by_member: dict[int | None, list[NoteView]] = {}
    by_table: dict[int | None, list[NoteView]] = {}
    for note in ordered:
        by_member.setdefault(note.member_id, []).append(note)
        by_table.setdefault(note.table_no, []).append(note)
    index = _NoteIndex(ordered, by_member, by_table)
    _last_index = (state, index)
    return index


def _context(state: RoomState, viewer: Viewer) -> dict[str, Any]:
    table_no = my_table(state, viewer)
    index = _note_index(state)
    if viewer.role == "participant":  # a phone only ever shows its own notes and its table's
        candidates = sorted(
            {
                n.id: n
                for n in [
                    *index.by_member.get(viewer.member_id, []),
                    *(index.by_table.get(table_no, []) if table_no else []),
                ]
            }.values(),
            key=lambda n: n.id,
        )
    else:
        candidates = index.ordered
    lists: dict[str, list[NoteView]] = {"my": [], "table": [], "wall": []}
    for note in candidates:
        where = note_visible(note, viewer, table_no)
        if where:
            lists[where].append(note)
    return {
        "state": state,
        "viewer": viewer,
        "table_no": table_no,
        "lists": lists,
        "now": utcnow().isoformat(timespec="seconds"),
        "first_name": first_name,
    }


# The theme board and the drafts pages render from the database (the grouping engine's
# suggestions, versions, feedback), not from the room: their socket (``?page=board|drafts``) gets
# a small signal naming what changed, and static/js/board.js fetches the affected parts of the
# page again, keeping what the facilitator has chosen or is typing.
PAGES = ("board", "drafts")
_TOPIC = re.compile(r"\*|(board|drafts):(\d+|\*)")


def page_topics(event_kind: str, payload: dict[str, Any], page: str) -> list[str] | None:
    """What a board or drafts page must fetch again for an event; None: nothing."""
    if page == "board":
        if event_kind == "board":
            return [f"board:{payload.get('item_id')}"]
        if event_kind == "note_saved":
            return [f"board:{payload['note'].get('item_id')}"]
        if event_kind == "spotlight":
            return ["board:*"]
    if page == "drafts":
        if event_kind == "drafts":
            return ["drafts:*", f"drafts:{payload.get('draft_id')}"]
        if event_kind in ("seating", "drafting"):
            return ["drafts:*"]
    return None


def render_signal(seq: int, topics: list[str]) -> str:
    """The signal to a board or drafts page (``#page-signal``), then the cursor."""
    topic = " ".join(t for t in topics if _TOPIC.fullmatch(t))
    return (
        f'<div id="page-signal" hx-swap-oob="true" data-seq="{int(seq)}" '
        f'data-topics="{topic}" hidden></div>' + cursor_fragment(seq)
    )


def render_snapshot(state: RoomState, viewer: Viewer) -> str:
    """The role's whole view, replacing ``#stage``, then the cursor."""
    if viewer.page:
        return render_signal(state.seq, ["*"])
    html = render_fragment(viewer.lang, f"live/stage_{viewer.role}.html", **_context(state, viewer))
    return html + cursor_fragment(state.seq)


_whole_views: dict[Hashable, tuple[RoomState, float, str]] = {}


def _whole_view(state: RoomState, viewer: Viewer, seq: int) -> str:
    """A projector's or facilitator's whole view for an event: the events of one batch share
    the room state after the batch, so its view is rendered once (within a second: the view
    carries the server's time for the timer) and only the cursor differs."""
    key = (viewer.assembly_id, viewer.role, viewer.lang, viewer.table_no)
    cached = _whole_views.get(key)
    now = time.monotonic()
    if cached is None or cached[0] is not state or now - cached[1] > 1.0:
        body = render_fragment(
            viewer.lang, f"live/stage_{viewer.role}.html", **_context(state, viewer)
        )
        if len(_whole_views) > 256:
            _whole_views.clear()
        _whole_views[key] = cached = (state, now, body)
    return cached[2] + cursor_fragment(seq)


WHOLE_VIEW = "snapshot"  # a view key starting with this: the role's whole view (``_whole_view``)


def is_whole_view(key: Hashable) -> bool:
    """Whether a view key stands for the role's whole view, which every event of a batch
    renders the same but for its cursor (``_whole_view`` of the room after the batch), so the
    hub sends it once per batch."""
    return isinstance(key, tuple) and bool(key) and key[0] == WHOLE_VIEW


def event_note(event: LoggedEvent) -> NoteView | None:
    """The note an event carries (parse it once per event, not once per viewer)."""
    return NoteView.from_payload(event.payload["note"]) if "note" in event.payload else None


def event_view_key(
    event: LoggedEvent, viewer: Viewer, table_no: int | None, note: NoteView | None = None
) -> Hashable | None:
    """Viewers with equal keys get the same fragment (rendered once); None: not for them.

    ``table_no`` is where the viewer sits now (participants) or the table they watch.
    """
    if event.audience == "facilitator" and viewer.role != "facilitator":
        return None
    if viewer.page:
        topics = page_topics(event.kind, event.payload, viewer.page)
        return None if topics is None else (event.seq, "page", viewer.page)
    if event.kind in BALLOT_EVENTS:  # app/ballot/views.py
        return ballot_view_key(event, viewer)
    if event.kind in PROGRAMME_KINDS:  # app/programme/views.py
        return programme_view_key(event, viewer)
    if event.kind in RECORD_KINDS:  # app/record/views.py
        return record_view_key(event, viewer)
    if viewer.role == "projector" and event.kind in PROJECTOR_WHOLE:
        return (WHOLE_VIEW, viewer.role, viewer.lang, viewer.table_no)
    if event.kind in SILENT:
        return None
    if event.kind in STRUCTURAL:
        if viewer.role != "participant":
            return (WHOLE_VIEW, viewer.role, viewer.lang, viewer.table_no)
        if event.kind in ("settings", "roster"):  # a phone's view shows neither
            return None
        if event.kind == "seating":
            return (event.seq, viewer.lang, table_no, viewer.member_id)
        return (event.seq, viewer.lang)
    if event.kind == "note_saved":
        note = note or NoteView.from_payload(event.payload["note"])
        where = note_visible(note, viewer, table_no)
        if where is None:
            if not could_have_shown(note, viewer, table_no):
                return None  # never on this page: nothing to send (most phones, most notes)
            return (event.seq, "gone", viewer.role)  # it may have been visible before: remove
        return (event.seq, viewer.role, viewer.lang, where)
    if event.kind == "presence":
        return (event.seq, viewer.lang)
    if event.kind == "drafting" and viewer.role == "participant":
        return (event.seq, viewer.lang, table_no in event.payload["tables"])
    return None


def render_event(
    event: LoggedEvent, viewer: Viewer, table_no: int | None, state: RoomState | None
) -> str:
    """The fragment that brings a viewer's page up to ``event.seq``. ``state`` (the room as
    of this event or later) is needed for structural events only."""
    if viewer.page:
        return render_signal(event.seq, page_topics(event.kind, event.payload, viewer.page) or [])
    if event.kind in BALLOT_EVENTS:  # app/ballot/views.py
        assert state is not None
        return render_ballot_event(event, viewer, state, _whole_view, cursor_fragment(event.seq))
    if event.kind in PROGRAMME_KINDS:  # app/programme/views.py
        assert state is not None
        return render_programme_event(event, viewer, state, _whole_view, cursor_fragment(event.seq))
    if event.kind in RECORD_KINDS:  # app/record/views.py
        assert state is not None
        return render_record_event(event, viewer, state, cursor_fragment(event.seq))
    if (event.kind in STRUCTURAL and viewer.role != "participant") or (
        viewer.role == "projector" and event.kind in PROJECTOR_WHOLE
    ):
        assert state is not None
        return _whole_view(state, viewer, event.seq)
    context: dict[str, Any] = {
        "viewer": viewer,
        "payload": event.payload,
        "table_no": table_no,
        "now": utcnow().isoformat(timespec="seconds"),
        "first_name": first_name,
    }
    if event.kind == "note_saved":
        note = NoteView.from_payload(event.payload["note"])
        context.update(note=note, where=note_visible(note, viewer, table_no))
    elif event.kind in ("spotlight", "drafting"):
        context["state"] = apply_event(
            RoomState(viewer.assembly_id, 0), event.seq, event.kind, event.payload
        )
    elif event.kind == "agenda":
        context["state"] = apply_event(
            RoomState(viewer.assembly_id, 0), event.seq, "agenda", event.payload
        )
    elif event.kind == "seating":
        assert state is not None
        context.update(_context(state, viewer))
        context["table_notes_html"] = _table_notes_html(
            event.seq, viewer.lang, table_no, context["lists"]["table"]
        )
    body = render_fragment(viewer.lang, f"live/event_{event.kind}.html", **context)
    return body + cursor_fragment(event.seq)


_table_notes: dict[tuple[int, str, int | None], Markup] = {}


def _table_notes_html(seq: int, lang: str, table_no: int | None, notes: list[NoteView]) -> Markup:
    """Everyone at a table sees the same notes: render the list once per table and language
    for a seating event (rendered templates, so safe to embed)."""
    key = (seq, lang, table_no)
    if key not in _table_notes:
        if any(k[0] != seq for k in _table_notes):
            _table_notes.clear()  # keep only the event being fanned out
        html = render_fragment(lang, "live/table_notes.html", notes=notes, first_name=first_name)
        _table_notes[key] = Markup(html)
    return _table_notes[key]


def render_ack(viewer: Viewer, note: NoteView) -> str:
    """The saved note in place of the page's pending element ``note-<client_key>``."""
    return render_fragment(
        viewer.lang, "live/ack.html", viewer=viewer, note=note, first_name=first_name
    )


def render_error(viewer: Viewer, code: str, client_key: str | None = None, text: str = "") -> str:
    return render_fragment(
        viewer.lang, "live/error.html", viewer=viewer, code=code, client_key=client_key, text=text
    )

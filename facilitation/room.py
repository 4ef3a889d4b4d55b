"""The live room as plain data, and how each event changes it.

A snapshot is a ``RoomState`` read from the database; an event is ``(seq, kind, payload)``.
``apply_event(snapshot_before, event)`` for every event an action wrote must equal the
snapshot read after it: that is how screens that only receive events stay correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from facilitation.ballot import BALLOT_EVENTS, Ballots, apply_ballot_event
from facilitation.programme import PROGRAMME_EVENTS, ProgrammeRoom, apply_programme_event
from facilitation.record import SURVEY_EVENTS, Surveys, apply_survey_event, forget_people

NOTE_KINDS = ("value", "theme", "solution", "free")
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class NoteView:
    id: int
    client_key: str
    member_id: int | None
    author: str
    table_no: int | None
    kind: str
    text: str
    hidden: bool
    created_at: str
    item_id: int | None = None
    round_id: int | None = None
    late: bool = False
    approved: bool = True
    withdrawn: bool = False
    entered_by: str = ""
    original_text: str | None = None

    @property
    def on_wall(self) -> bool:
        """Shown to the room (projector, tables): approved, not hidden, not withdrawn."""
        return self.approved and not self.hidden and not self.withdrawn

    def to_payload(self) -> dict[str, Any]:
        """The note as an event payload (plain JSON data)."""
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> NoteView:
        """The note back from an event payload; keys it does not know are ignored."""
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__ if k in payload})


@dataclass(frozen=True)
class ItemView:
    """One run-sheet item as screens show it (times as ISO strings, UTC)."""

    id: int
    session_id: int
    position: int
    kind: str
    title: str
    planned_minutes: int
    phase_kind: str | None
    prompt: str
    state: str
    ends_at: str | None
    closed_at: str | None

    def to_payload(self) -> dict[str, Any]:
        """The item as an event payload (plain JSON data)."""
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ItemView:
        """The item back from an event payload."""
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Seating:
    """The published round everyone is seated by: member → (table, host)."""

    round_id: int
    number: int
    seats: dict[int, tuple[int, bool]] = field(default_factory=dict)

    def table_of(self, member_id: int | None) -> int | None:
        """The member's table in this round, or None (not seated, or no member)."""
        seat = self.seats.get(member_id) if member_id is not None else None
        return seat[0] if seat else None

    def at_table(self, table_no: int) -> list[int]:
        """The members seated at ``table_no``, by id."""
        return sorted(m for m, (t, _host) in self.seats.items() if t == table_no)

    @property
    def tables(self) -> list[int]:
        """The table numbers that have anyone seated, in order."""
        return sorted({t for t, _host in self.seats.values()})

    def to_payload(self) -> dict[str, Any]:
        """The round as an event payload (member ids as strings: JSON keys)."""
        return {
            "round_id": self.round_id,
            "number": self.number,
            "seats": {str(m): [t, h] for m, (t, h) in sorted(self.seats.items())},
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Seating:
        """The round back from an event payload."""
        seats = {int(m): (int(t), bool(h)) for m, (t, h) in payload["seats"].items()}
        return cls(int(payload["round_id"]), int(payload["number"]), seats)


# What the storskærm (projector) can show, and what a scene's ``scene_ref`` names: a scene is
# one template, templates/live/scene_<name>.html. A new scene (say "questions", "results") is a
# line here and a template; the console's scene switch lists the ones without a ref.
SCENES: dict[str, str | None] = {
    "now": None,  # the prompt, a big timer, now and next
    "wall": None,  # the live note wall
    "plan": None,  # the published round's table plan
    "spotlight": None,  # the theme or draft put before the room
    "note": "note",  # one note full-screen: scene_ref is the note's id
    "table": "table",  # one table's notes full-screen: scene_ref is the table number
    "results": None,  # the final ballot: turnout while open, results once closed (app/ballot)
    "check": None,  # the agreement check: turnout while open, the distribution on reveal
    "questions": None,  # the room's questions to the expert, most votes first (app/programme)
}


@dataclass(frozen=True)
class RoomSettings:
    moderation: str = "open"  # open | approve
    show_names: bool = False
    wall_group: str = "table"  # table | kind
    scene: str = "now"  # what the projector shows, one of SCENES
    scene_ref: int | None = None  # the note or table the scene shows

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> RoomSettings:
        """The settings back from an event payload (an old ``wall_group="plan"``, from before
        scenes, becomes the plan scene)."""
        fields = {k: payload[k] for k in cls.__dataclass_fields__ if k in payload}
        if fields.get("wall_group") == "plan":  # before scenes, the plan was a wall grouping
            fields.update(wall_group="table", scene="plan", scene_ref=None)
        return cls(**fields)


def scene_problem(state: RoomState, scene: str, ref: int | None) -> str | None:
    """Why ``scene`` (with ``ref``) cannot be put on the projector now, or None when it can.

    A scene with a ref needs one that exists (a note shown on the wall, a table of the
    published round or one with notes); the plan needs a published round, the spotlight
    something in it. The reason is an error code the screens explain (``bad_scene``).
    """
    if scene not in SCENES:
        return "bad_scene"
    kind = SCENES[scene]
    if kind is None:
        if ref is not None:
            return "bad_scene"
        if scene == "plan" and state.seating is None:
            return "bad_scene"
        if scene == "spotlight" and not state.spotlight:
            return "bad_scene"
        return None
    if ref is None:
        return "bad_scene"
    if kind == "note":
        note = state.notes.get(ref)
        return None if note is not None and note.on_wall else "bad_scene"
    tables = set(state.seating.tables if state.seating else [])
    tables |= {n.table_no for n in state.notes.values() if n.table_no is not None}
    return None if ref in tables else "bad_scene"


@dataclass(frozen=True)
class RoomState:
    """What any screen of one assembly can show, as of event ``seq``."""

    assembly_id: int
    seq: int
    notes: dict[int, NoteView] = field(default_factory=dict)
    online: frozenset[int] = frozenset()
    items: tuple[ItemView, ...] = ()
    current_item_id: int | None = None
    seating: Seating | None = None
    settings: RoomSettings = RoomSettings()
    members: dict[int, str] = field(default_factory=dict)  # active roster: id → display name
    spotlight: dict[str, Any] | None = None  # what the facilitator puts before the room
    drafting: frozenset[int] = frozenset()  # tables a draft recommendation is open to
    ballots: Ballots = Ballots()  # ballots and agreement checks, who voted (facilitation.ballot)
    programme: ProgrammeRoom = ProgrammeRoom()  # questions, upvotes, check-in (app/programme)
    surveys: Surveys = Surveys()  # evaluation surveys and who has answered (app/record)

    def table_members(self, table_no: int | None) -> list[tuple[int, str]]:
        """Who sits at a table in the published round: active members only (a member
        deactivated after the round was published has left the room)."""
        if self.seating is None or table_no is None:
            return []
        return [(m, self.members[m]) for m in self.seating.at_table(table_no) if m in self.members]

    def phase_notes(self, item_id: int | None) -> list[NoteView]:
        """The notes written in the phase ``item_id`` that were not taken back."""
        return [n for n in self.notes.values() if n.item_id == item_id and not n.withdrawn]

    @property
    def current_item(self) -> ItemView | None:
        """The run-sheet item the room is on (``current_item_id``), if any."""
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def next_item(self) -> ItemView | None:
        """The item after the current one in running order (the first when none is current)."""
        current = self.current_item
        if current is None:
            return self.items[0] if self.items else None
        later = [i for i in self.items if i.position > current.position]
        return later[0] if later else None

    @property
    def open_phase(self) -> ItemView | None:
        """The item people answer now: the current item when it is an open phase."""
        item = self.current_item
        return item if item is not None and item.state == "open" and item.phase_kind else None

    def writing_progress(self) -> tuple[int, int] | None:
        """While a phase is open: (members who wrote a note in it, members in the room).

        "In the room" is the active members who are seated in the published round or
        connected (everyone active when neither is known), plus anyone who wrote.
        """
        item = self.open_phase
        if item is None:
            return None
        wrote = {
            n.member_id
            for n in self.phase_notes(item.id)
            if n.member_id is not None and n.member_id in self.members
        }
        seated = set(self.seating.seats) if self.seating else set()
        room = {m for m in self.members if m in seated or m in self.online}
        if not room:
            room = set(self.members)
        return len(wrote), len(room | wrote)


def apply_event(state: RoomState, seq: int, kind: str, payload: dict[str, Any]) -> RoomState:
    """The state after one event. Unknown kinds only move the cursor."""
    if kind == "note_saved":
        note = NoteView.from_payload(payload["note"])
        return replace(state, seq=seq, notes={**state.notes, note.id: note})
    if kind == "presence":
        member_id = int(payload["member_id"])
        online = state.online | {member_id} if payload["online"] else state.online - {member_id}
        return replace(state, seq=seq, online=online)
    if kind == "agenda":
        items = tuple(ItemView.from_payload(i) for i in payload["items"])
        return replace(state, seq=seq, items=items, current_item_id=payload["current_item_id"])
    if kind == "seating":
        return replace(state, seq=seq, seating=Seating.from_payload(payload["seating"]))
    if kind == "settings":
        return replace(state, seq=seq, settings=RoomSettings.from_payload(payload["settings"]))
    if kind == "spotlight":
        return replace(state, seq=seq, spotlight=payload["spotlight"])
    if kind == "drafting":
        return replace(state, seq=seq, drafting=frozenset(int(t) for t in payload["tables"]))
    if kind == "roster":
        return apply_roster(state, seq, payload["members"])
    if kind in BALLOT_EVENTS:
        return replace(state, seq=seq, ballots=apply_ballot_event(state.ballots, kind, payload))
    if kind in PROGRAMME_EVENTS:
        programme = apply_programme_event(state.programme, kind, payload)
        return replace(state, seq=seq, programme=programme)
    if kind in SURVEY_EVENTS:
        return replace(state, seq=seq, surveys=apply_survey_event(state.surveys, kind, payload))
    if kind == "retention":  # app/record/retention.py: the room forgets who wrote and voted
        forgotten: RoomState = forget_people(replace(state, seq=seq))
        return forgotten
    return replace(state, seq=seq)


def apply_roster(state: RoomState, seq: int, changed: list[dict[str, Any]]) -> RoomState:
    """Members added, renamed, deactivated or reactivated: the active roster (kept in name
    order, like the snapshot) and the author shown on each of their notes."""
    members = dict(state.members)
    names: dict[int, str] = {}
    for entry in changed:
        member_id, name = int(entry["id"]), str(entry["name"])
        names[member_id] = name
        if entry["active"]:
            members[member_id] = name
        else:
            members.pop(member_id, None)
    notes = {
        note_id: replace(note, author=names[note.member_id])
        if note.member_id in names and note.author != names[note.member_id]
        else note
        for note_id, note in state.notes.items()
    }
    ordered = dict(sorted(members.items(), key=lambda kv: (kv[1], kv[0])))
    return replace(state, seq=seq, members=ordered, notes=notes)


def clean_note_text(text: str) -> str:
    """Trim and collapse runs of blank lines; the caller refuses an empty result."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()


def first_name(name: str) -> str:
    """The first word of a display name ("Anne" of "Anne T."), or ""."""
    return name.split()[0] if name.strip() else ""

"""The live room as plain data, and how each event changes it.

A snapshot is a ``RoomState`` read from the database; an event is ``(seq, kind, payload)``.
``apply_event(snapshot_before, event)`` for every event an action wrote must equal the
snapshot read after it: that is how screens that only receive events stay correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

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
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> NoteView:
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
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ItemView:
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Seating:
    """The published round everyone is seated by: member → (table, host)."""

    round_id: int
    number: int
    seats: dict[int, tuple[int, bool]] = field(default_factory=dict)

    def table_of(self, member_id: int | None) -> int | None:
        seat = self.seats.get(member_id) if member_id is not None else None
        return seat[0] if seat else None

    def at_table(self, table_no: int) -> list[int]:
        return sorted(m for m, (t, _host) in self.seats.items() if t == table_no)

    @property
    def tables(self) -> list[int]:
        return sorted({t for t, _host in self.seats.values()})

    def to_payload(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "number": self.number,
            "seats": {str(m): [t, h] for m, (t, h) in sorted(self.seats.items())},
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Seating:
        seats = {int(m): (int(t), bool(h)) for m, (t, h) in payload["seats"].items()}
        return cls(int(payload["round_id"]), int(payload["number"]), seats)


@dataclass(frozen=True)
class RoomSettings:
    moderation: str = "open"  # open | approve
    show_names: bool = False
    wall_group: str = "table"  # table | kind | plan (the projector shows the table plan)


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

    def table_members(self, table_no: int | None) -> list[tuple[int, str]]:
        if self.seating is None or table_no is None:
            return []
        return [(m, self.members.get(m, "")) for m in self.seating.at_table(table_no)]

    def phase_notes(self, item_id: int | None) -> list[NoteView]:
        return [n for n in self.notes.values() if n.item_id == item_id and not n.withdrawn]

    @property
    def current_item(self) -> ItemView | None:
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def next_item(self) -> ItemView | None:
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
        return replace(state, seq=seq, settings=RoomSettings(**payload["settings"]))
    if kind == "spotlight":
        return replace(state, seq=seq, spotlight=payload["spotlight"])
    if kind == "drafting":
        return replace(state, seq=seq, drafting=frozenset(int(t) for t in payload["tables"]))
    return replace(state, seq=seq)


def clean_note_text(text: str) -> str:
    """Trim and collapse runs of blank lines; the caller refuses an empty result."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else ""

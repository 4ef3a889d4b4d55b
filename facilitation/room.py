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

    def to_payload(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> NoteView:
        return cls(**{k: payload[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RoomState:
    """What any screen of one assembly can show, as of event ``seq``."""

    assembly_id: int
    seq: int
    notes: dict[int, NoteView] = field(default_factory=dict)
    online: frozenset[int] = frozenset()


def apply_event(state: RoomState, seq: int, kind: str, payload: dict[str, Any]) -> RoomState:
    """The state after one event. Unknown kinds only move the cursor."""
    if kind == "note_saved":
        note = NoteView.from_payload(payload["note"])
        return replace(state, seq=seq, notes={**state.notes, note.id: note})
    if kind == "presence":
        member_id = int(payload["member_id"])
        online = state.online | {member_id} if payload["online"] else state.online - {member_id}
        return replace(state, seq=seq, online=online)
    return replace(state, seq=seq)


def clean_note_text(text: str) -> str:
    """Trim and collapse runs of blank lines; the caller refuses an empty result."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()

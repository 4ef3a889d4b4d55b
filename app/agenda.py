"""The run-sheet: planning items, opening and closing them, the timer, room settings.

Every change writes one ``agenda`` event carrying the live session's whole run-sheet (a few
dozen items at most), so every screen's "now", "next", prompt and timer follow from one path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, select

from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import AgendaItem, Assembly, AssemblySession, Note
from app.notes import phase_clock
from app.snapshot import agenda_payload, load_room, session_items, settings_of
from facilitation.phases import ITEM_KINDS, PhaseClock, adjust_timer, close_phase, open_phase
from facilitation.room import NOTE_KINDS, scene_problem

MAX_MINUTES = 600


def _agenda_event(db: Session, assembly: Assembly) -> list[LoggedEvent]:
    db.flush()
    assert assembly.id is not None
    return [record(db, assembly.id, "agenda", agenda_payload(db, assembly))]


def _item(db: Session, assembly: Assembly, item_id: int) -> AgendaItem:
    item = db.get(AgendaItem, item_id)
    if item is None or item.assembly_id != assembly.id:
        raise ActionError("no_such_item")
    return item


def check_item_fields(
    kind: str, title: str, minutes: int, phase_kind: str | None, prompt: str
) -> list[str]:
    """Names of the fields that are not acceptable (empty list: all fine)."""
    errors = []
    if kind not in ITEM_KINDS:
        errors.append("kind")
    if not title.strip() or len(title) > 200:
        errors.append("title")
    if not 1 <= minutes <= MAX_MINUTES:
        errors.append("minutes")
    if phase_kind is not None and phase_kind not in NOTE_KINDS:
        errors.append("phase_kind")
    if kind == "round" and phase_kind is None:
        errors.append("phase_kind")
    if len(prompt) > 1000:
        errors.append("prompt")
    return errors


def do_add_item(
    db: Session,
    assembly: Assembly,
    session: AssemblySession,
    kind: str,
    title: str,
    minutes: int,
    phase_kind: str | None = None,
    prompt: str = "",
) -> list[LoggedEvent]:
    errors = check_item_fields(kind, title, minutes, phase_kind, prompt)
    if errors or session.assembly_id != assembly.id:
        raise ActionError("bad_item")
    assert session.id is not None and assembly.id is not None
    last = session_items(db, session.id)
    db.add(
        AgendaItem(
            assembly_id=assembly.id,
            session_id=session.id,
            position=(last[-1].position + 1) if last else 1,
            kind=kind,
            title=title.strip(),
            planned_minutes=minutes,
            phase_kind=phase_kind,
            prompt=prompt.strip(),
        )
    )
    return _agenda_event(db, assembly)


def do_edit_item(
    db: Session,
    assembly: Assembly,
    item_id: int,
    kind: str,
    title: str,
    minutes: int,
    phase_kind: str | None,
    prompt: str,
) -> list[LoggedEvent]:
    item = _item(db, assembly, item_id)
    if check_item_fields(kind, title, minutes, phase_kind, prompt):
        raise ActionError("bad_item")
    item.kind, item.title, item.planned_minutes = kind, title.strip(), minutes
    item.phase_kind, item.prompt = phase_kind, prompt.strip()
    db.add(item)
    return _agenda_event(db, assembly)


def do_move_item(db: Session, assembly: Assembly, item_id: int, step: int) -> list[LoggedEvent]:
    """Move an item up (step -1) or down (+1) in its session's run-sheet."""
    item = _item(db, assembly, item_id)
    items = session_items(db, item.session_id)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index + step
    if not 0 <= target < len(items):
        return []
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
        db.add(other)
    return _agenda_event(db, assembly)


def do_delete_item(db: Session, assembly: Assembly, item_id: int) -> list[LoggedEvent]:
    """Only an item that never ran and holds no notes can go: nothing is destroyed."""
    item = _item(db, assembly, item_id)
    has_notes = db.exec(select(Note.id).where(Note.item_id == item.id)).first() is not None
    if item.state != "planned" or has_notes or assembly.current_item_id == item.id:
        raise ActionError("item_in_use")
    db.delete(item)
    return _agenda_event(db, assembly)


def do_open_item(
    db: Session, assembly: Assembly, item_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    """Make an item "now" and open it (phones get its prompt and form); closes the previous."""
    now = now or utcnow()
    item = _item(db, assembly, item_id)
    if assembly.current_item_id not in (None, item.id):
        previous = db.get(AgendaItem, assembly.current_item_id)
        if previous is not None and previous.state == "open":
            _set_clock(previous, close_phase(phase_clock(previous), now))
            db.add(previous)
    _set_clock(item, open_phase(phase_clock(item), now, item.planned_minutes))
    assembly.current_item_id = item.id
    db.add(item)
    db.add(assembly)
    return _agenda_event(db, assembly)


def do_close_item(
    db: Session, assembly: Assembly, item_id: int, now: datetime | None = None
) -> list[LoggedEvent]:
    item = _item(db, assembly, item_id)
    if item.state != "open":
        return []
    _set_clock(item, close_phase(phase_clock(item), now or utcnow()))
    db.add(item)
    return _agenda_event(db, assembly)


def do_adjust_timer(
    db: Session, assembly: Assembly, item_id: int, minutes: int, now: datetime | None = None
) -> list[LoggedEvent]:
    if not -60 <= minutes <= 60 or minutes == 0:
        raise ActionError("bad_message")
    item = _item(db, assembly, item_id)
    _set_clock(item, adjust_timer(phase_clock(item), now or utcnow(), minutes))
    db.add(item)
    return _agenda_event(db, assembly)


def do_room_settings(
    db: Session, assembly: Assembly, moderation: str, show_names: bool, wall_group: str
) -> list[LoggedEvent]:
    if moderation not in ("open", "approve") or wall_group not in ("table", "kind"):
        raise ActionError("bad_message")
    assembly.moderation, assembly.show_names, assembly.wall_group = (
        moderation,
        show_names,
        wall_group,
    )
    return _settings_event(db, assembly)


def _settings_event(db: Session, assembly: Assembly) -> list[LoggedEvent]:
    db.add(assembly)
    assert assembly.id is not None
    return [record(db, assembly.id, "settings", {"settings": settings_of(assembly).__dict__})]


def do_set_scene(
    db: Session, assembly: Assembly, scene: str, ref: int | None = None
) -> list[LoggedEvent]:
    """Put a scene on the projector (facilitation.room.SCENES): the console's scene switch,
    "show on the big screen" on a note, and publishing a round (the plan) all come here."""
    assert assembly.id is not None
    db.flush()
    problem = scene_problem(load_room(db, assembly.id), scene, ref)
    if problem:
        raise ActionError(problem)
    return _scene(db, assembly, scene, ref)


def _scene(db: Session, assembly: Assembly, scene: str, ref: int | None) -> list[LoggedEvent]:
    if (assembly.scene, assembly.scene_ref) == (scene, ref):
        return []
    assembly.scene, assembly.scene_ref = scene, ref
    return _settings_event(db, assembly)


def _set_clock(item: AgendaItem, clock: PhaseClock) -> None:
    item.state, item.opened_at, item.closed_at, item.ends_at = (
        clock.state,
        clock.opened_at,
        clock.closed_at,
        clock.ends_at,
    )


def do_spotlight(
    db: Session, assembly: Assembly, spotlight: Mapping[str, object] | None
) -> list[LoggedEvent]:
    """Put something before the room (projector and phones), or clear it with None.

    ``spotlight`` is plain data: ``{"kind": "theme", "title": str, "lines": [str, ...],
    "ask": str, "ref": int}``; the screens render it with ``templates/live/spotlight.html``.
    Putting something in the spotlight puts the spotlight scene on the projector; taking it
    down returns the projector from that scene to the wall.
    """
    assembly.spotlight = dict(spotlight) if spotlight is not None else None
    db.add(assembly)
    assert assembly.id is not None
    events = [record(db, assembly.id, "spotlight", {"spotlight": assembly.spotlight})]
    if spotlight:
        events += _scene(db, assembly, "spotlight", None)
    elif assembly.scene == "spotlight":
        events += _scene(db, assembly, "wall", None)
    return events

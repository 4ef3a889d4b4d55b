"""The theme board's actions: themes of a phase, notes placed in them, suggestions accepted or
rejected, the room's confirmation, and undo.

Each action runs in the caller's transaction and logs one ``BoardAction`` whose ``undo`` list
holds the steps that reverse it (applied last to first). Nothing is deleted: a theme merged
away or undone is archived, so the log and the drafts' sources keep pointing at something.
Each logged action also writes a ``board`` event (facilitators only), so every open board
of the phase fetches itself again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.agenda import do_spotlight
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import Assembly, Facilitator, Note
from app.themes.models import BoardAction, SuggestionRejection, Theme, ThemeNote
from app.themes.read import phase_item, placements, themes_of

MAX_NAME = 200
MAX_LINES = 40
Op = dict[str, Any]


# -- the undoable steps -------------------------------------------------------------------


def _theme(db: Session, assembly: Assembly, theme_id: int, item_id: int | None = None) -> Theme:
    theme = db.get(Theme, theme_id)
    if theme is None or theme.assembly_id != assembly.id or theme.archived:
        raise ActionError("no_such_theme")
    if item_id is not None and theme.item_id != item_id:
        raise ActionError("no_such_theme")
    return theme


def _note(db: Session, assembly: Assembly, note_id: int) -> Note:
    note = db.get(Note, note_id)
    if note is None or note.assembly_id != assembly.id:
        raise ActionError("no_such_note")
    return note


def _place(db: Session, note_id: int, theme_id: int | None) -> Op:
    """Put a note in a theme (None: take it out); return the step that puts it back."""
    row = db.exec(select(ThemeNote).where(ThemeNote.note_id == note_id)).first()
    before = row.theme_id if row is not None else None
    if row is not None and theme_id is None:
        db.delete(row)
    elif row is not None and theme_id is not None:
        row.theme_id, row.placed_at = theme_id, utcnow()
        db.add(row)
    elif theme_id is not None:
        db.add(ThemeNote(theme_id=theme_id, note_id=note_id, placed_at=utcnow()))
    db.flush()
    return {"op": "place", "note": note_id, "theme": before}


def _unconfirm(theme: Theme, db: Session) -> list[Op]:
    """A confirmed theme that changes needs the room again."""
    if theme.confirmed_at is None:
        return []
    before = theme.confirmed_at.isoformat()
    theme.confirmed_at = None
    db.add(theme)
    return [{"op": "confirmed", "theme": theme.id, "value": before}]


def _apply(db: Session, assembly: Assembly, op: Op) -> list[LoggedEvent]:
    kind = op["op"]
    if kind == "place":
        _place(db, int(op["note"]), op["theme"])
    elif kind in ("archive", "rename", "confirmed"):
        theme = db.get(Theme, int(op["theme"]))
        if theme is None:
            return []
        if kind == "archive":
            theme.archived = bool(op["value"])
        elif kind == "rename":
            theme.name = str(op["name"])
        else:
            value = op["value"]
            theme.confirmed_at = datetime.fromisoformat(value) if value else None
        db.add(theme)
    elif kind == "unreject":
        row = db.exec(
            select(SuggestionRejection).where(
                SuggestionRejection.note_id == op["note"],
                SuggestionRejection.theme_id == op["theme"],
            )
        ).first()
        if row is not None:
            db.delete(row)
    elif kind == "spotlight":
        return do_spotlight(db, assembly, op["value"])
    return []


def _log(
    db: Session,
    assembly: Assembly,
    item_id: int | None,
    facilitator: Facilitator | None,
    kind: str,
    summary: str,
    undo: list[Op],
) -> BoardAction:
    assert assembly.id is not None
    action = BoardAction(
        assembly_id=assembly.id,
        item_id=item_id,
        facilitator_id=facilitator.id if facilitator else None,
        kind=kind,
        summary=summary[:300],
        undo=undo,
        created_at=utcnow(),
    )
    db.add(action)
    db.flush()
    board_event(db, assembly.id, item_id, kind)
    return action


def board_event(db: Session, assembly_id: int, item_id: int | None, action: str) -> LoggedEvent:
    """Tell the facilitators' boards that a phase's board changed (in the same transaction);
    their pages fetch the board again. The room's state does not change."""
    payload = {"item_id": item_id, "action": action}
    return record(db, assembly_id, "board", payload, audience="facilitator")


def _clean_name(db: Session, item_id: int, name: str, except_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ActionError("bad_name")
    taken = {t.name.casefold() for t in themes_of(db, item_id) if t.id != except_id}
    if name.casefold() in taken:
        raise ActionError("name_taken")
    return name


def free_name(db: Session, item_id: int, wanted: str) -> str:
    """``wanted``, or ``wanted (2)`` and so on when a theme of the phase has that name."""
    wanted = " ".join(wanted.split())[: MAX_NAME - 6] or "?"
    taken = {t.name.casefold() for t in themes_of(db, item_id)}
    name, n = wanted, 1
    while name.casefold() in taken:
        n += 1
        name = f"{wanted} ({n})"
    return name


# -- actions ------------------------------------------------------------------------------


def _new_theme(
    db: Session, assembly: Assembly, item_id: int, name: str, note_ids: Iterable[int]
) -> tuple[Theme, list[Op]]:
    item = phase_item(db, assembly, item_id)
    assert item.id is not None and assembly.id is not None
    clean = _clean_name(db, item.id, name)
    last = themes_of(db, item.id)
    theme = Theme(
        assembly_id=assembly.id,
        item_id=item.id,
        name=clean,
        position=(max(t.position for t in last) + 1) if last else 1,
        created_at=utcnow(),
    )
    db.add(theme)
    db.flush()
    undo: list[Op] = []
    for note_id in note_ids:
        if _note(db, assembly, note_id).item_id != item.id:
            raise ActionError("no_such_note")
        undo.append(_place(db, note_id, theme.id))
    undo.append(_archive_op(theme))
    return theme, undo


def do_create_theme(
    db: Session,
    assembly: Assembly,
    item_id: int,
    name: str,
    facilitator: Facilitator | None = None,
    note_ids: Iterable[int] = (),
    kind: str = "create",
) -> Theme:
    """A new theme in a phase, optionally with notes (an accepted group suggestion)."""
    theme, undo = _new_theme(db, assembly, item_id, name, note_ids)
    _log(db, assembly, item_id, facilitator, kind, theme.name, undo)
    return theme


def do_create_themes(
    db: Session,
    assembly: Assembly,
    item_id: int,
    groups: list[tuple[str, list[int]]],
    facilitator: Facilitator | None = None,
) -> list[Theme]:
    """Every suggested group as a theme at once: one action, undone in one step."""
    made, undo = [], []
    for name, note_ids in groups:
        theme, steps = _new_theme(db, assembly, item_id, free_name(db, item_id, name), note_ids)
        made.append(theme)
        undo += steps
    if made:
        summary = ", ".join(t.name for t in made)
        _log(db, assembly, item_id, facilitator, "groups", summary, undo)
    return made


def _archive_op(theme: Theme) -> Op:
    """Undo of a creation: archive it (the notes were put back by the steps before)."""
    return {"op": "archive", "theme": theme.id, "value": True}


def do_rename_theme(
    db: Session, assembly: Assembly, theme_id: int, name: str, facilitator: Facilitator | None
) -> Theme:
    theme = _theme(db, assembly, theme_id)
    clean = _clean_name(db, theme.item_id, name, except_id=theme.id)
    if clean == theme.name:
        return theme
    undo = [{"op": "rename", "theme": theme.id, "name": theme.name}, *_unconfirm(theme, db)]
    summary = f"{theme.name} → {clean}"
    theme.name = clean
    db.add(theme)
    _log(db, assembly, theme.item_id, facilitator, "rename", summary, undo)
    return theme


def theme_note_ids(db: Session, theme_id: int) -> list[int]:
    rows = db.exec(
        select(ThemeNote.note_id)
        .where(ThemeNote.theme_id == theme_id)
        .order_by(col(ThemeNote.note_id))
    )
    return [int(n) for n in rows]


def do_merge_themes(
    db: Session, assembly: Assembly, source_id: int, target_id: int, facilitator: Facilitator | None
) -> Theme:
    """Move every note of ``source`` into ``target``; ``source`` is archived."""
    source = _theme(db, assembly, source_id)
    target = _theme(db, assembly, target_id, source.item_id)
    if source.id == target.id:
        raise ActionError("same_theme")
    undo = [_place(db, n, target.id) for n in theme_note_ids(db, source_id)]
    undo += _unconfirm(target, db)
    source.archived = True
    db.add(source)
    undo.append({"op": "archive", "theme": source.id, "value": False})
    _log(db, assembly, source.item_id, facilitator, "merge", f"{source.name} → {target.name}", undo)
    return target


def do_split_theme(
    db: Session,
    assembly: Assembly,
    theme_id: int,
    note_ids: Iterable[int],
    name: str,
    facilitator: Facilitator | None,
) -> Theme:
    """Move the chosen notes of a theme into a new theme called ``name``."""
    theme = _theme(db, assembly, theme_id)
    inside = set(theme_note_ids(db, theme_id))
    chosen = sorted(set(note_ids))
    if not chosen or not set(chosen) <= inside:
        raise ActionError("bad_split")
    assert theme.id is not None
    clean = _clean_name(db, theme.item_id, name)
    new = Theme(
        assembly_id=theme.assembly_id,
        item_id=theme.item_id,
        name=clean,
        position=theme.position,
        created_at=utcnow(),
    )
    db.add(new)
    db.flush()
    undo = [_place(db, n, new.id) for n in chosen]
    undo += _unconfirm(theme, db)
    undo.append(_archive_op(new))
    _log(db, assembly, theme.item_id, facilitator, "split", f"{theme.name} → {clean}", undo)
    return new


def do_place_note(
    db: Session,
    assembly: Assembly,
    note_id: int,
    theme_id: int | None,
    facilitator: Facilitator | None,
    kind: str = "move",
) -> None:
    """Put a note in a theme of its phase (None: back to the unplaced notes)."""
    note = _note(db, assembly, note_id)
    assert note.item_id is not None and note.id is not None
    target = _theme(db, assembly, theme_id, note.item_id) if theme_id is not None else None
    before = placements(db, note.item_id).get(note.id)
    if before == theme_id:
        return
    undo = [_place(db, note.id, theme_id)]
    for affected in (before, theme_id):
        if affected is not None:
            undo += _unconfirm(_theme(db, assembly, affected), db)
    summary = f"{note.text[:80]} → {target.name if target else '—'}"
    _log(db, assembly, note.item_id, facilitator, kind, summary, undo)


def do_place_notes(
    db: Session,
    assembly: Assembly,
    item_id: int,
    note_ids: Iterable[int],
    theme_id: int | None,
    facilitator: Facilitator | None,
) -> int:
    """Move several notes of a phase into one theme (None: out of their themes) as one action,
    undone in one step. Returns how many moved."""
    item = phase_item(db, assembly, item_id)
    assert item.id is not None
    target = _theme(db, assembly, theme_id, item.id) if theme_id is not None else None
    before = placements(db, item.id)
    undo: list[Op] = []
    touched: set[int] = set()
    moved = []
    for note_id in dict.fromkeys(note_ids):
        note = _note(db, assembly, note_id)
        if note.item_id != item.id:
            raise ActionError("no_such_note")
        if before.get(note_id) == theme_id:
            continue
        undo.append(_place(db, note_id, theme_id))
        moved.append(note)
        touched.update(t for t in (before.get(note_id), theme_id) if t is not None)
    if not moved:
        return 0
    for affected in sorted(touched):
        undo += _unconfirm(_theme(db, assembly, affected), db)
    first = moved[0].text[:60] + (f" (+{len(moved) - 1})" if len(moved) > 1 else "")
    summary = f"{first} → {target.name if target else '—'}"
    _log(db, assembly, item.id, facilitator, "place", summary, undo)
    return len(moved)


def do_theme_from_notes(
    db: Session,
    assembly: Assembly,
    item_id: int,
    note_ids: Iterable[int],
    name: str,
    facilitator: Facilitator | None,
) -> Theme:
    """A new theme from chosen notes: when they all sit in one theme it is split off from it
    (the old theme needs the room again); otherwise a new theme takes them from wherever."""
    chosen = sorted(set(note_ids))
    if not chosen:
        raise ActionError("bad_split")
    item = phase_item(db, assembly, item_id)
    assert item.id is not None
    where = placements(db, item.id)
    homes = {where.get(n) for n in chosen}
    if len(homes) == 1 and None not in homes:
        return do_split_theme(db, assembly, int(homes.pop() or 0), chosen, name, facilitator)
    theme, undo = _new_theme(db, assembly, item.id, name, [])
    for note_id in chosen:
        if _note(db, assembly, note_id).item_id != item.id:
            raise ActionError("no_such_note")
        undo.insert(0, _place(db, note_id, theme.id))
    for old in sorted(h for h in homes if h is not None):
        undo += _unconfirm(_theme(db, assembly, old), db)
    _log(db, assembly, item.id, facilitator, "create", theme.name, undo)
    return theme


def do_reject_suggestion(
    db: Session, assembly: Assembly, note_id: int, theme_id: int, facilitator: Facilitator | None
) -> None:
    note = _note(db, assembly, note_id)
    theme = _theme(db, assembly, theme_id, note.item_id)
    exists = db.exec(
        select(SuggestionRejection).where(
            SuggestionRejection.note_id == note_id, SuggestionRejection.theme_id == theme_id
        )
    ).first()
    if exists is not None:
        return
    db.add(SuggestionRejection(note_id=note_id, theme_id=theme_id))
    undo = [{"op": "unreject", "note": note_id, "theme": theme_id}]
    _log(
        db, assembly, note.item_id, facilitator, "reject", f"{note.text[:80]} ≠ {theme.name}", undo
    )


def do_confirm_theme(
    db: Session, assembly: Assembly, theme_id: int, confirmed: bool, facilitator: Facilitator | None
) -> Theme:
    """Record that the room confirmed the theme as shown (or take the mark back)."""
    theme = _theme(db, assembly, theme_id)
    before = theme.confirmed_at.isoformat() if theme.confirmed_at else None
    theme.confirmed_at = utcnow() if confirmed else None
    db.add(theme)
    undo = [{"op": "confirmed", "theme": theme.id, "value": before}]
    kind = "confirm" if confirmed else "unconfirm"
    _log(db, assembly, theme.item_id, facilitator, kind, theme.name, undo)
    return theme


def do_show_theme(
    db: Session, assembly: Assembly, theme_id: int, ask: str, facilitator: Facilitator | None
) -> list[LoggedEvent]:
    """Put the theme with its notes before the room (projector and phones)."""
    theme = _theme(db, assembly, theme_id)
    notes = [db.get(Note, n) for n in theme_note_ids(db, theme_id)]
    lines = [n.text for n in notes if n and n.approved and not (n.hidden or n.withdrawn)]
    if len(lines) > MAX_LINES:  # a screen's worth; the rest are counted
        lines = [*lines[: MAX_LINES - 1], f"+ {len(lines) - MAX_LINES + 1}"]
    spotlight = {
        "kind": "theme",
        "title": theme.name,
        "lines": lines,
        "ask": ask,
        "ref": theme.id,
    }
    undo = [{"op": "spotlight", "value": assembly.spotlight}]
    _log(db, assembly, theme.item_id, facilitator, "show", theme.name, undo)
    return do_spotlight(db, assembly, spotlight)


def do_undo_last(
    db: Session, assembly: Assembly, item_id: int, facilitator: Facilitator | None
) -> tuple[BoardAction | None, list[LoggedEvent]]:
    """Reverse the newest action of the phase's board that is not undone yet."""
    action = db.exec(
        select(BoardAction)
        .where(
            BoardAction.assembly_id == assembly.id,
            BoardAction.item_id == item_id,
            BoardAction.undone == False,  # noqa: E712
            BoardAction.kind != "undo",
        )
        .order_by(col(BoardAction.id).desc())
    ).first()
    if action is None:
        return None, []
    events: list[LoggedEvent] = []
    for op in reversed(action.undo):
        events += _apply(db, assembly, op)
    action.undone = True
    db.add(action)
    _log(db, assembly, item_id, facilitator, "undo", action.summary, [])
    return action, events

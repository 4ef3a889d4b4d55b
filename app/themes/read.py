"""Reading the theme board: a phase's notes, themes and placements, and the grouping engine's
suggestions for them (facilitation/grouping.py, see docs/contracts/group.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.errors import ActionError
from app.models import AgendaItem, Assembly, AssemblySession, Note
from app.themes.models import BoardAction, SuggestionRejection, Theme, ThemeNote
from facilitation.grouping import Note as TextNote
from facilitation.grouping import Theme as TextTheme
from facilitation.grouping import cluster_notes, rank_themes

# -- the board ------------------------------------------------------------------------------


def phase_items(db: Session, assembly_id: int) -> list[AgendaItem]:
    """The run-sheet items that collect notes, in running order."""
    rows = db.exec(
        select(AgendaItem, col(AssemblySession.day))
        .join(AssemblySession, col(AssemblySession.id) == AgendaItem.session_id)
        .where(AgendaItem.assembly_id == assembly_id, AgendaItem.phase_kind != None)  # noqa: E711
    )
    return [item for item, _day in sorted(rows, key=lambda r: (r[1], r[0].position, r[0].id))]


def phase_item(db: Session, assembly: Assembly, item_id: int) -> AgendaItem:
    item = db.get(AgendaItem, item_id)
    if item is None or item.assembly_id != assembly.id or not item.phase_kind:
        raise ActionError("no_such_item")
    return item


def phase_notes(db: Session, item_id: int) -> list[Note]:
    """The notes of a phase that the room can see (not hidden, withdrawn or waiting)."""
    return list(
        db.exec(
            select(Note)
            .where(
                Note.item_id == item_id,
                Note.hidden == False,  # noqa: E712
                Note.withdrawn == False,  # noqa: E712
                Note.approved == True,  # noqa: E712
            )
            .order_by(col(Note.id))
        )
    )


def themes_of(db: Session, item_id: int) -> list[Theme]:
    return list(
        db.exec(
            select(Theme)
            .where(Theme.item_id == item_id, Theme.archived == False)  # noqa: E712
            .order_by(col(Theme.position), col(Theme.id))
        )
    )


def placements(db: Session, item_id: int) -> dict[int, int]:
    """note id → theme id for the phase's placed notes."""
    rows = db.exec(
        select(ThemeNote.note_id, ThemeNote.theme_id)
        .join(Theme, col(Theme.id) == col(ThemeNote.theme_id))
        .where(Theme.item_id == item_id)
    )
    return {int(n): int(t) for n, t in rows}


def rejections(db: Session, note_ids: Iterable[int]) -> set[tuple[int, int]]:
    ids = list(note_ids)
    if not ids:
        return set()
    rows = db.exec(
        select(SuggestionRejection.note_id, SuggestionRejection.theme_id).where(
            col(SuggestionRejection.note_id).in_(ids)
        )
    )
    return {(int(n), int(t)) for n, t in rows}


def recent_actions(db: Session, assembly_id: int, item_id: int, limit: int = 12) -> list[Any]:
    return list(
        db.exec(
            select(BoardAction)
            .where(BoardAction.assembly_id == assembly_id, BoardAction.item_id == item_id)
            .order_by(col(BoardAction.id).desc())
            .limit(limit)
        )
    )


# -- suggestions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """The themes the engine proposes for an unplaced note, best first (rejected ones left out)."""

    note_id: int
    ranked: tuple[tuple[int, float], ...]

    @property
    def best(self) -> tuple[int, float] | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class GroupSuggestion:
    label: str
    note_ids: tuple[int, ...]


def suggest_themes(
    themes: list[Theme],
    examples: dict[int, list[str]],
    unplaced: list[Note],
    rejected: set[tuple[int, int]],
) -> dict[int, Suggestion]:
    """Rank the phase's themes for each unplaced note (one engine call for all of them)."""
    if not themes or not unplaced:
        return {}
    by_name = {t.name: t.id for t in themes if t.id is not None}
    text_themes = [TextTheme(t.name, tuple(examples.get(t.id or 0, ()))) for t in themes]
    rankings = rank_themes(text_themes, [TextNote(str(n.id), n.text) for n in unplaced])
    result = {}
    for ranking in rankings:
        note_id = int(ranking.note_id)
        ranked = tuple(
            (by_name[name], score)
            for name, score in ranking.themes
            if (note_id, by_name[name]) not in rejected
        )
        result[note_id] = Suggestion(note_id, ranked)
    return result


def suggest_groups(unplaced: list[Note], k: int) -> list[GroupSuggestion]:
    """Groups of unplaced notes that say related things, each with a label from their words."""
    if len(unplaced) < 2 or k < 1:
        return []
    clusters = cluster_notes([TextNote(str(n.id), n.text) for n in unplaced], k=k)
    return [GroupSuggestion(c.label, tuple(int(i) for i in c.note_ids)) for c in clusters]


def default_k(count: int) -> int:
    """About one group per five notes, between 2 and 12."""
    return max(2, min(12, round(count / 5)))


@dataclass
class Board:
    """Everything the board page shows for one phase."""

    item: AgendaItem
    notes: dict[int, Note]
    themes: list[Theme]
    members: dict[int, list[Note]]
    unplaced: list[Note]
    suggestions: dict[int, Suggestion]
    groups: list[GroupSuggestion]
    actions: list[Any]


def load_board(db: Session, assembly: Assembly, item_id: int, k: int | None = None) -> Board:
    item = phase_item(db, assembly, item_id)
    assert item.id is not None
    notes = phase_notes(db, item.id)
    themes = themes_of(db, item.id)
    placed = placements(db, item.id)
    members: dict[int, list[Note]] = {t.id: [] for t in themes if t.id is not None}
    unplaced = []
    for note in notes:
        theme_id = placed.get(note.id or 0)
        if theme_id in members:
            members[theme_id].append(note)
        else:
            unplaced.append(note)
    examples = {tid: [n.text for n in ns] for tid, ns in members.items()}
    rejected = rejections(db, [n.id for n in unplaced if n.id is not None])
    suggestions = suggest_themes(themes, examples, unplaced, rejected)
    wanted = not themes or k is not None
    groups = suggest_groups(unplaced, k or default_k(len(unplaced))) if wanted else []
    return Board(
        item=item,
        notes={n.id: n for n in notes if n.id is not None},
        themes=themes,
        members=members,
        unplaced=unplaced,
        suggestions=suggestions,
        groups=groups,
        actions=recent_actions(db, assembly.id or 0, item.id),
    )

"""Where everything came from and where it went: a draft's themes and notes (table, round,
phase, typed on behalf), a note's theme and drafts, and exports as Markdown and CSV.

Names of members and facilitators appear only when ``attributed`` is asked for, which only
the facilitator console does; every other view and both exports are unattributed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app import exports
from app.models import AgendaItem, Facilitator, Member, Note, SeatingRound
from app.themes.drafts import Kin, ancestors, descendants, drafts_of
from app.themes.models import Draft, DraftSource, Theme, ThemeNote
from facilitation.messages import N_

# the column names are msgids: the export's header is in the viewer's language
CSV_COLUMNS = (
    N_("draft_id"),
    N_("draft_title"),
    N_("draft_status"),
    N_("draft_version"),
    N_("draft_text"),
    N_("draft_rationale"),
    N_("came_from"),
    N_("theme"),
    N_("theme_confirmed"),
    N_("note_id"),
    N_("note_text"),
    N_("phase"),
    N_("round"),
    N_("table"),
    N_("kind"),
    N_("typed_on_behalf"),
)
# words in the cells (a draft's status, a note's kind), translated with the header
CSV_WORDS = {
    "active": N_("active"),
    "merged": N_("merged"),
    "split": N_("split"),
    "value": N_("value"),
    "theme": N_("theme"),
    "solution": N_("solution"),
    "free": N_("other"),
}
STATUS_COLUMN, KIND_COLUMN = CSV_COLUMNS.index("draft_status"), CSV_COLUMNS.index("kind")


@dataclass(frozen=True)
class NoteFacts:
    id: int
    text: str
    kind: str
    table_no: int | None
    round_no: int | None
    phase: str
    on_behalf: bool
    author: str = ""  # only when attributed
    typist: str = ""  # only when attributed


@dataclass
class ThemeFacts:
    id: int | None
    name: str
    phase: str
    confirmed: bool
    notes: list[NoteFacts] = field(default_factory=list)


@dataclass
class DraftProvenance:
    draft: Draft
    themes: list[ThemeFacts]
    came_from: list[Kin]
    went_to: list[Kin]

    @property
    def note_count(self) -> int:
        return len({n.id for t in self.themes for n in t.notes})


def visible(note: Note) -> bool:
    return note.approved and not note.hidden and not note.withdrawn


def note_facts(db: Session, notes: list[Note], attributed: bool = False) -> dict[int, NoteFacts]:
    item_ids = {n.item_id for n in notes if n.item_id is not None}
    round_ids = {n.round_id for n in notes if n.round_id is not None}
    phases = {
        i.id: i.title for i in db.exec(select(AgendaItem).where(col(AgendaItem.id).in_(item_ids)))
    }
    rounds = {
        r.id: r.number
        for r in db.exec(select(SeatingRound).where(col(SeatingRound.id).in_(round_ids)))
    }
    facts = {}
    for n in notes:
        assert n.id is not None
        author = typist = ""
        if attributed:
            member = db.get(Member, n.member_id) if n.member_id else None
            author = member.name if member else ""
            typing = db.get(Facilitator, n.entered_by) if n.entered_by else None
            typist = typing.email if typing else ""
        facts[n.id] = NoteFacts(
            id=n.id,
            text=n.text,
            kind=n.kind,
            table_no=n.table_no,
            round_no=rounds.get(n.round_id),
            phase=phases.get(n.item_id, ""),
            on_behalf=n.entered_by is not None,
            author=author,
            typist=typist,
        )
    return facts


def draft_provenance(db: Session, draft: Draft, attributed: bool = False) -> DraftProvenance:
    """The draft's themes with their notes (notes without a theme come last, unnamed)."""
    assert draft.id is not None
    sources = list(
        db.exec(
            select(DraftSource)
            .where(DraftSource.draft_id == draft.id)
            .order_by(col(DraftSource.id))
        )
    )
    note_ids = sorted({s.note_id for s in sources if s.note_id is not None})
    notes = list(db.exec(select(Note).where(col(Note.id).in_(note_ids)))) if note_ids else []
    if not attributed:  # a note hidden by moderation or withdrawn stays out of public sight
        notes = [n for n in notes if visible(n)]
    facts = note_facts(db, notes, attributed)
    themes: dict[int | None, ThemeFacts] = {}
    for source in sources:
        if source.theme_id not in themes:
            theme = db.get(Theme, source.theme_id) if source.theme_id else None
            item = db.get(AgendaItem, theme.item_id) if theme else None
            themes[source.theme_id] = ThemeFacts(
                id=source.theme_id,
                name=theme.name if theme else "",
                phase=item.title if item else "",
                confirmed=bool(theme and theme.confirmed_at),
            )
        if source.note_id in facts:
            themes[source.theme_id].notes.append(facts[source.note_id])
    ordered = [t for key, t in themes.items() if key is not None]
    if None in themes:
        ordered.append(themes[None])
    return DraftProvenance(draft, ordered, ancestors(db, draft.id), descendants(db, draft.id))


@dataclass
class NoteTrail:
    """Where a note ended up: its theme on the board, the drafts made from it, and theirs."""

    note: NoteFacts
    theme: Theme | None
    drafts: list[Draft]
    later: list[Draft]

    @property
    def current(self) -> list[Draft]:
        return [d for d in [*self.drafts, *self.later] if d.status == "active"]


def note_trail(db: Session, note: Note, attributed: bool = False) -> NoteTrail:
    assert note.id is not None
    placed = db.exec(select(ThemeNote).where(ThemeNote.note_id == note.id)).first()
    theme = db.get(Theme, placed.theme_id) if placed else None
    draft_ids = sorted(
        {
            int(d)
            for d in db.exec(select(DraftSource.draft_id).where(DraftSource.note_id == note.id))
        }
    )
    drafts = [d for d in (db.get(Draft, i) for i in draft_ids) if d is not None]
    later: dict[int, Draft] = {}
    for draft in drafts:
        for kin in descendants(db, draft.id or 0):
            if kin.draft.id not in draft_ids:
                later.setdefault(kin.draft.id or 0, kin.draft)
    facts = note_facts(db, [note], attributed)[note.id]
    return NoteTrail(facts, theme, drafts, [later[k] for k in sorted(later)])


# -- exports (unattributed) ---------------------------------------------------------------


def _came_from(kins: list[Kin]) -> str:
    return "; ".join(f"{k.kind} #{k.draft.id}" for k in kins if k.depth == 1)


def export_rows(db: Session, assembly_id: int) -> list[list[object]]:
    """One row per draft and source note (a draft without notes: one row)."""
    rows: list[list[object]] = []
    for draft in drafts_of(db, assembly_id):
        p = draft_provenance(db, draft)
        head = [
            draft.id,
            draft.title,
            draft.status,
            draft.version,
            draft.text,
            draft.rationale,
            _came_from(p.came_from),
        ]
        pairs: list[tuple[ThemeFacts | None, NoteFacts | None]] = (
            [(t, n) for t in p.themes for n in t.notes]
            or [(t, None) for t in p.themes[:1]]
            or [(None, None)]
        )
        for theme, n in pairs:
            theme_cells = [theme.name, int(theme.confirmed)] if theme and theme.id else ["", ""]
            note_cells: list[object] = ["", "", "", "", "", "", ""]
            if n is not None:
                note_cells = [
                    n.id,
                    n.text,
                    n.phase,
                    n.round_no or "",
                    n.table_no or "",
                    n.kind,
                    int(n.on_behalf),
                ]
            rows.append([*head, *theme_cells, *note_cells])
    return rows


def export_csv(db: Session, assembly_id: int, gettext: Callable[[str], str] = str) -> str:
    """The drafts and their sources as CSV; ``gettext``: header and words in the viewer's
    language (names, texts and numbers as they are)."""
    buffer = io.StringIO()
    writer = exports.writer(buffer)
    writer.writerow([gettext(c) for c in CSV_COLUMNS])
    for row in export_rows(db, assembly_id):
        for i in (STATUS_COLUMN, KIND_COLUMN):
            word = CSV_WORDS.get(str(row[i]))
            row[i] = gettext(word) if word else row[i]
        writer.writerow(row)
    return buffer.getvalue()


def _md(text: str) -> str:
    """Plain text that Markdown shows as written (no accidental headings, lists or links)."""
    escaped = "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)
    return escaped.replace("\n", "  \n")


def export_markdown(
    db: Session, assembly_id: int, title: str, gettext: Callable[[str], str]
) -> str:
    _ = gettext
    status = {"active": _("active"), "merged": _("merged"), "split": _("split")}
    word_draft, word_version, word_why = _("Draft"), _("version"), _("Why")
    word_sources, word_confirmed = _("Sources"), _("confirmed by the room")
    out = [f"# {_md(title)}", ""]
    for draft in drafts_of(db, assembly_id):
        p = draft_provenance(db, draft)
        out += [f"## {_md(draft.title)}", ""]
        out.append(
            f"*{word_draft} #{draft.id} · {word_version} {draft.version} · "
            f"{status.get(draft.status, draft.status)}*"
        )
        out.append("")
        if draft.text:
            out += [_md(draft.text), ""]
        if draft.rationale:
            out += [f"**{word_why}:** {_md(draft.rationale)}", ""]
        for kin in p.came_from:
            if kin.depth == 1:
                label = _("Merged from") if kin.kind == "merge" else _("Split from")
                out.append(f"- {label} #{kin.draft.id} {_md(kin.draft.title)}")
        if p.came_from:
            out.append("")
        out += [f"### {word_sources}", ""]
        for theme in p.themes:
            confirmed = f" ({word_confirmed})" if theme.confirmed else ""
            name = _md(theme.name) if theme.id else _("Notes without a theme")
            out.append(f"- **{name}**{confirmed}")
            for n in theme.notes:
                where = [_("phase") + ": " + _md(n.phase)]
                if n.round_no:
                    where.append(_("round") + f" {n.round_no}")
                if n.table_no:
                    where.append(_("table") + f" {n.table_no}")
                if n.on_behalf:
                    where.append(_("typed on behalf"))
                out.append(f"  - {_md(n.text)} ({', '.join(where)})")
        out.append("")
    return "\n".join(out).rstrip() + "\n"

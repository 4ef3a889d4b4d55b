"""Draft recommendations: started from themes, every version kept, merged and split with their
lineage, worked on by the tables the facilitator opened them to. Every change writes a
``drafts`` event (facilitators only), so open drafts pages fetch the changed parts again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.agenda import do_spotlight
from app.clock import utcnow
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import Assembly, Facilitator, Member
from app.snapshot import drafting_tables, published_round, seating_of
from app.themes.board import theme_note_ids
from app.themes.models import (
    BoardAction,
    Draft,
    DraftFeedback,
    DraftLineage,
    DraftSource,
    DraftVersion,
    Theme,
)

MAX_TITLE = 300
MAX_TEXT = 10000
FEEDBACK_KINDS = ("proposal", "comment", "support", "object")


def drafts_event(db: Session, assembly_id: int, draft_id: int | None, action: str) -> LoggedEvent:
    """Tell the facilitators' drafts pages that a draft changed; the room's state does not."""
    payload = {"draft_id": draft_id, "action": action}
    return record(db, assembly_id, "drafts", payload, audience="facilitator")


def _tell_tables(db: Session, assembly_id: int, before: list[int]) -> list[LoggedEvent]:
    """A ``drafting`` event when the tables a draft is open to changed since ``before`` (their
    phones show or hide the draft's work)."""
    db.flush()
    after = drafting_tables(db, assembly_id)
    return [] if after == before else [record(db, assembly_id, "drafting", {"tables": after})]


def _log(db: Session, draft: Draft, facilitator: Facilitator | None, kind: str) -> None:
    drafts_event(db, draft.assembly_id, draft.id, kind)
    db.add(
        BoardAction(
            assembly_id=draft.assembly_id,
            facilitator_id=facilitator.id if facilitator else None,
            kind=kind,
            summary=f"#{draft.id} {draft.title}"[:300],
            created_at=utcnow(),
        )
    )


def get_draft(db: Session, assembly: Assembly, draft_id: int) -> Draft:
    draft = db.get(Draft, draft_id)
    if draft is None or draft.assembly_id != assembly.id:
        raise ActionError("no_such_draft")
    return draft


def drafts_of(db: Session, assembly_id: int, active_only: bool = False) -> list[Draft]:
    query = select(Draft).where(Draft.assembly_id == assembly_id)
    if active_only:
        query = query.where(Draft.status == "active")
    return list(db.exec(query.order_by(col(Draft.id))))


def versions_of(db: Session, draft_id: int) -> list[DraftVersion]:
    return list(
        db.exec(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft_id)
            .order_by(col(DraftVersion.number))
        )
    )


def _fields(title: str, text: str, rationale: str) -> tuple[str, str, str]:
    title = " ".join(title.split())
    text, rationale = text.strip().replace("\r\n", "\n"), rationale.strip().replace("\r\n", "\n")
    if not title or len(title) > MAX_TITLE or len(text) > MAX_TEXT or len(rationale) > MAX_TEXT:
        raise ActionError("bad_draft")
    return title, text, rationale


def _new_draft(
    db: Session,
    assembly_id: int,
    title: str,
    text: str,
    rationale: str,
    facilitator: Facilitator | None,
    summary: str,
) -> Draft:
    now = utcnow()
    draft = Draft(
        assembly_id=assembly_id,
        title=title,
        text=text,
        rationale=rationale,
        created_at=now,
        updated_at=now,
    )
    db.add(draft)
    db.flush()
    assert draft.id is not None
    db.add(
        DraftVersion(
            draft_id=draft.id,
            number=1,
            title=title,
            text=text,
            rationale=rationale,
            author_kind="facilitator",
            facilitator_id=facilitator.id if facilitator else None,
            summary=summary[:300],
            created_at=now,
        )
    )
    return draft


def _add_sources(
    db: Session, draft_id: int, pairs: Iterable[tuple[int | None, int | None]]
) -> None:
    seen: set[tuple[int | None, int | None]] = set()
    for pair in pairs:
        if pair not in seen:
            seen.add(pair)
            db.add(DraftSource(draft_id=draft_id, theme_id=pair[0], note_id=pair[1]))


def source_pairs(db: Session, draft_id: int) -> list[tuple[int | None, int | None]]:
    rows = db.exec(
        select(DraftSource).where(DraftSource.draft_id == draft_id).order_by(col(DraftSource.id))
    )
    return [(s.theme_id, s.note_id) for s in rows]


def do_start_draft(
    db: Session,
    assembly: Assembly,
    theme_ids: Iterable[int],
    title: str,
    facilitator: Facilitator | None,
    text: str = "",
    rationale: str = "",
) -> Draft:
    """A new draft from one or more themes; the themes' notes become its source notes."""
    themes = []
    for theme_id in dict.fromkeys(theme_ids):
        theme = db.get(Theme, theme_id)
        if theme is None or theme.assembly_id != assembly.id or theme.archived:
            raise ActionError("no_such_theme")
        themes.append(theme)
    if not themes:
        raise ActionError("no_such_theme")
    title, text, rationale = _fields(title or themes[0].name, text, rationale)
    assert assembly.id is not None
    draft = _new_draft(db, assembly.id, title, text, rationale, facilitator, "")
    assert draft.id is not None
    pairs: list[tuple[int | None, int | None]] = [(t.id, None) for t in themes]
    for theme in themes:
        assert theme.id is not None
        pairs += [(theme.id, n) for n in theme_note_ids(db, theme.id)]
    _add_sources(db, draft.id, pairs)
    _log(db, draft, facilitator, "draft_start")
    return draft


def do_edit_draft(
    db: Session,
    assembly: Assembly,
    draft_id: int,
    title: str,
    text: str,
    rationale: str,
    facilitator: Facilitator | None = None,
    table_no: int | None = None,
    summary: str = "",
) -> DraftVersion | None:
    """Save a new version (None when nothing changed); a table's words keep the table as author."""
    draft = get_draft(db, assembly, draft_id)
    if draft.status != "active":
        raise ActionError("draft_closed")
    title, text, rationale = _fields(title, text, rationale)
    if (title, text, rationale) == (draft.title, draft.text, draft.rationale):
        return None
    assert draft.id is not None
    draft.version += 1
    draft.title, draft.text, draft.rationale = title, text, rationale
    draft.updated_at = utcnow()
    db.add(draft)
    version = DraftVersion(
        draft_id=draft.id,
        number=draft.version,
        title=title,
        text=text,
        rationale=rationale,
        author_kind="table" if table_no is not None else "facilitator",
        facilitator_id=facilitator.id if facilitator else None,
        table_no=table_no,
        summary=summary[:300],
        created_at=draft.updated_at,
    )
    db.add(version)
    _log(db, draft, facilitator, "draft_edit")
    return version


def _link(db: Session, parent: Draft, child: Draft, kind: str) -> None:
    assert parent.id is not None and child.id is not None
    db.add(DraftLineage(parent_id=parent.id, child_id=child.id, kind=kind, created_at=utcnow()))


def do_merge_drafts(
    db: Session,
    assembly: Assembly,
    first_id: int,
    second_id: int,
    facilitator: Facilitator | None,
    title: str = "",
) -> Draft:
    """One new draft from two: both texts, both rationales, all sources; the two are closed."""
    a, b = get_draft(db, assembly, first_id), get_draft(db, assembly, second_id)
    if a.id == b.id or a.status != "active" or b.status != "active":
        raise ActionError("bad_merge")
    assert assembly.id is not None
    before = drafting_tables(db, assembly.id)
    text = "\n\n".join(t for t in (a.text, b.text) if t)
    rationale = "\n\n".join(t for t in (a.rationale, b.rationale) if t)
    title, text, rationale = _fields(title or f"{a.title} + {b.title}"[:MAX_TITLE], text, rationale)
    assert assembly.id is not None and a.id is not None and b.id is not None
    merged = _new_draft(db, assembly.id, title, text, rationale, facilitator, "")
    assert merged.id is not None
    _add_sources(db, merged.id, source_pairs(db, a.id) + source_pairs(db, b.id))
    for parent in (a, b):
        parent.status = "merged"
        db.add(parent)
        _link(db, parent, merged, "merge")
    _log(db, merged, facilitator, "draft_merge")
    _tell_tables(db, assembly.id, before)
    return merged


def do_split_draft(
    db: Session,
    assembly: Assembly,
    draft_id: int,
    titles: tuple[str, str],
    facilitator: Facilitator | None,
) -> tuple[Draft, Draft]:
    """Two new drafts from one, each starting from its text and keeping all its sources."""
    parent = get_draft(db, assembly, draft_id)
    if parent.status != "active":
        raise ActionError("draft_closed")
    assert assembly.id is not None and parent.id is not None
    before = drafting_tables(db, assembly.id)
    children = []
    for wanted in titles:
        title, text, rationale = _fields(wanted or parent.title, parent.text, parent.rationale)
        child = _new_draft(db, assembly.id, title, text, rationale, facilitator, "")
        assert child.id is not None
        _add_sources(db, child.id, source_pairs(db, parent.id))
        _link(db, parent, child, "split")
        children.append(child)
    parent.status = "split"
    db.add(parent)
    _log(db, parent, facilitator, "draft_split")
    _tell_tables(db, assembly.id, before)
    return children[0], children[1]


@dataclass(frozen=True)
class Kin:
    draft: Draft
    kind: str
    depth: int


def _walk(db: Session, draft_id: int, up: bool) -> list[Kin]:
    found: list[Kin] = []
    seen = {draft_id}
    frontier = [draft_id]
    depth = 0
    while frontier:
        depth += 1
        column = DraftLineage.child_id if up else DraftLineage.parent_id
        links = db.exec(select(DraftLineage).where(col(column).in_(frontier)))
        frontier = []
        for link in sorted(links, key=lambda x: x.id or 0):
            other = link.parent_id if up else link.child_id
            if other in seen:
                continue
            seen.add(other)
            frontier.append(other)
            kin = db.get(Draft, other)
            if kin is not None:
                found.append(Kin(kin, link.kind, depth))
    return found


def ancestors(db: Session, draft_id: int) -> list[Kin]:
    """Every draft this one came from, nearest first."""
    return _walk(db, draft_id, up=True)


def descendants(db: Session, draft_id: int) -> list[Kin]:
    """Every draft that came from this one, nearest first."""
    return _walk(db, draft_id, up=False)


def do_show_draft(
    db: Session, assembly: Assembly, draft_id: int, ask: str, facilitator: Facilitator | None
) -> list[LoggedEvent]:
    draft = get_draft(db, assembly, draft_id)
    lines = [p for p in (draft.text, draft.rationale) if p]
    spotlight = {"kind": "draft", "title": draft.title, "lines": lines, "ask": ask, "ref": draft.id}
    _log(db, draft, facilitator, "draft_show")
    return do_spotlight(db, assembly, spotlight)


# -- the tables' work from their phones ---------------------------------------------------


def do_set_open_tables(
    db: Session,
    assembly: Assembly,
    draft_id: int,
    tables: Iterable[int],
    facilitator: Facilitator | None,
) -> Draft:
    draft = get_draft(db, assembly, draft_id)
    before = drafting_tables(db, draft.assembly_id)
    draft.open_tables = sorted({int(t) for t in tables if int(t) > 0})
    db.add(draft)
    _log(db, draft, facilitator, "draft_tables")
    _tell_tables(db, draft.assembly_id, before)
    return draft


def member_table(db: Session, member: Member) -> int | None:
    round_ = published_round(db, member.assembly_id)
    return seating_of(db, round_).table_of(member.id) if round_ is not None else None


def open_to(draft: Draft, table_no: int | None) -> bool:
    return draft.status == "active" and table_no is not None and table_no in draft.open_tables


def do_add_feedback(
    db: Session, member: Member, draft_id: int, kind: str, text: str
) -> DraftFeedback:
    """A table's proposal, comment or objection; only on drafts opened to its table. (Support
    is a state per member, see ``do_set_support``.)"""
    draft = db.get(Draft, draft_id)
    table_no = member_table(db, member)
    if draft is None or draft.assembly_id != member.assembly_id or not open_to(draft, table_no):
        raise ActionError("not_allowed")
    text = text.strip().replace("\r\n", "\n")
    if kind == "support":
        return do_set_support(db, member, draft_id, True)
    if kind not in FEEDBACK_KINDS or len(text) > MAX_TEXT or not text:
        raise ActionError("bad_feedback")
    drafts_event(db, draft.assembly_id, draft.id, "feedback")
    feedback = DraftFeedback(
        draft_id=draft_id,
        member_id=member.id,
        table_no=table_no,
        kind=kind,
        text=text,
        version=draft.version,
        created_at=utcnow(),
    )
    db.add(feedback)
    return feedback


def my_support(db: Session, member_id: int | None, draft: Draft) -> DraftFeedback | None:
    """The member's standing support of the draft's current version, if any."""
    return db.exec(
        select(DraftFeedback).where(
            DraftFeedback.draft_id == draft.id,
            DraftFeedback.member_id == member_id,
            DraftFeedback.kind == "support",
            DraftFeedback.version == draft.version,
            DraftFeedback.status == "open",
        )
    ).first()


def do_set_support(db: Session, member: Member, draft_id: int, on: bool) -> DraftFeedback:
    """One support per member per version of a draft: ``on`` gives it, off takes it back.
    Repeating the same request changes nothing (a double tap on a slow network)."""
    draft = db.get(Draft, draft_id)
    table_no = member_table(db, member)
    if draft is None or draft.assembly_id != member.assembly_id or not open_to(draft, table_no):
        raise ActionError("not_allowed")
    current = my_support(db, member.id, draft)
    if current is not None and not on:
        current.status = "withdrawn"
        db.add(current)
        drafts_event(db, draft.assembly_id, draft.id, "support")
        return current
    if current is not None or not on:
        return current or DraftFeedback(
            draft_id=draft_id,
            kind="support",
            version=draft.version,
            status="withdrawn",
            created_at=utcnow(),
        )
    feedback = DraftFeedback(
        draft_id=draft_id,
        member_id=member.id,
        table_no=table_no,
        kind="support",
        version=draft.version,
        created_at=utcnow(),
    )
    db.add(feedback)
    drafts_event(db, draft.assembly_id, draft.id, "support")
    return feedback


def feedback_of(db: Session, draft_id: int) -> list[DraftFeedback]:
    return list(
        db.exec(
            select(DraftFeedback)
            .where(DraftFeedback.draft_id == draft_id)
            .order_by(col(DraftFeedback.id))
        )
    )


def do_settle_feedback(
    db: Session, assembly: Assembly, feedback_id: int, fold: bool, facilitator: Facilitator | None
) -> DraftVersion | None:
    """Fold a table's proposed wording into the draft as a new version, or set it aside."""
    feedback = db.get(DraftFeedback, feedback_id)
    if feedback is None or feedback.status != "open":
        raise ActionError("no_such_feedback")
    draft = get_draft(db, assembly, feedback.draft_id)
    version = None
    if fold:
        if feedback.kind != "proposal":
            raise ActionError("bad_feedback")
        assert draft.id is not None
        version = do_edit_draft(
            db,
            assembly,
            draft.id,
            draft.title,
            feedback.text,
            draft.rationale,
            facilitator=facilitator,
            table_no=feedback.table_no,
        )
    feedback.status = "folded" if fold else "dismissed"
    db.add(feedback)
    drafts_event(db, assembly.id or 0, draft.id, "settle")
    return version

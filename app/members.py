"""The assembly's roster: members, their join links and personal codes, the projector link.

Every change to who is in the room, what they are called or which links work is a ``do_*``
action that writes an event in the caller's transaction: ``roster`` (the members it changed, and
whose phones are signed out) or ``access`` (the projector link was revoked). The hub moves its
room by them and closes the sockets they sign out (1008).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.config import Settings
from app.csvfiles import CsvError, CsvTable
from app.errors import ActionError
from app.events import LoggedEvent, record
from app.models import Assembly, Member
from app.security import (
    capability_token,
    new_assembly_code,
    new_nonce,
    normalise_code,
    personal_code,
    token_hash,
)
from facilitation.roster import MemberSpec, read_roster


@dataclass(frozen=True)
class JoinCard:
    member: Member
    url: str
    assembly_code: str
    personal_code: str


def join_token(settings: Settings, member: Member) -> str:
    assert member.id is not None
    return capability_token(settings.secret_key, "join", member.id, member.token_nonce)


def join_url(settings: Settings, member: Member) -> str:
    return f"{settings.base_url}/join/{join_token(settings, member)}"


def join_card(settings: Settings, assembly: Assembly, member: Member) -> JoinCard:
    assert member.id is not None
    return JoinCard(
        member=member,
        url=join_url(settings, member),
        assembly_code=assembly.code,
        personal_code=personal_code(settings.secret_key, member.id, member.token_nonce),
    )


def projector_token(settings: Settings, assembly: Assembly) -> str:
    assert assembly.id is not None
    return capability_token(settings.secret_key, "projector", assembly.id, assembly.projector_nonce)


def projector_url(settings: Settings, assembly: Assembly) -> str:
    return f"{settings.base_url}/projector/{assembly.id}/{projector_token(settings, assembly)}"


def create_assembly(db: Session, name: str, remit: str, languages: str = "da,en") -> Assembly:
    code = new_assembly_code()
    while db.exec(select(Assembly).where(Assembly.code == code)).first() is not None:
        code = new_assembly_code()
    assembly = Assembly(
        name=name,
        remit=remit,
        languages=languages,
        code=code,
        projector_nonce=new_nonce(),
        created_at=utcnow(),
    )
    db.add(assembly)
    db.flush()
    return assembly


def _issue_token(settings: Settings, member: Member) -> None:
    member.token_nonce = new_nonce()
    member.join_token_hash = token_hash(join_token(settings, member))


def roster_event(
    db: Session, assembly_id: int, members: Iterable[Member], signed_out: Iterable[int] = ()
) -> LoggedEvent:
    """A ``roster`` event: the members it names as they are now (id, display name, active),
    and the members whose signed-in phones are signed out (their sockets close with 1008)."""
    payload = {
        "members": [{"id": m.id, "name": m.name, "active": m.active} for m in members],
        "signed_out": sorted(set(signed_out)),
    }
    return record(db, assembly_id, "roster", payload)


def _new_member(db: Session, settings: Settings, assembly: Assembly, spec: MemberSpec) -> Member:
    assert assembly.id is not None
    member = Member(
        assembly_id=assembly.id,
        code=spec.code,
        name=spec.name,
        attributes=spec.attributes,
        token_nonce="",
        join_token_hash=f"pending-{new_nonce()}",
        created_at=utcnow(),
    )
    db.add(member)
    db.flush()  # the token is derived from the id
    _issue_token(settings, member)
    return member


def do_add_members(
    db: Session, settings: Settings, assembly: Assembly, specs: Sequence[MemberSpec]
) -> list[Member]:
    """Add members with their join links; one ``roster`` event names them all."""
    assert assembly.id is not None
    members = [_new_member(db, settings, assembly, spec) for spec in specs]
    if members:
        roster_event(db, assembly.id, members)
    return members


def add_member(db: Session, settings: Settings, assembly: Assembly, spec: MemberSpec) -> Member:
    return do_add_members(db, settings, assembly, [spec])[0]


def do_set_active(db: Session, member: Member, active: bool) -> list[LoggedEvent]:
    """Deactivate (their phone is signed out and they leave the room's roster) or reactivate."""
    if member.active == active:
        return []
    member.active = active
    db.add(member)
    assert member.id is not None
    signed_out = [] if active else [member.id]
    return [roster_event(db, member.assembly_id, [member], signed_out)]


def do_deactivate_members(db: Session, members: Iterable[Member]) -> list[LoggedEvent]:
    """Deactivate several members of one assembly at once (one ``roster`` event)."""
    changed = [m for m in members if m.active]
    for member in changed:
        member.active = False
        db.add(member)
    if not changed:
        return []
    ids = [m.id for m in changed if m.id is not None]
    return [roster_event(db, changed[0].assembly_id, changed, ids)]


def do_edit_member(db: Session, member: Member, spec: MemberSpec) -> list[LoggedEvent]:
    """New code, display name or attributes; screens show the new name."""
    member.code, member.name, member.attributes = spec.code, spec.name, spec.attributes
    db.add(member)
    return [roster_event(db, member.assembly_id, [member])]


def do_new_join_link(db: Session, settings: Settings, member: Member) -> list[LoggedEvent]:
    """Revoke the member's join link, code and any signed-in phone, and issue new ones."""
    _issue_token(settings, member)
    db.add(member)
    assert member.id is not None
    return [roster_event(db, member.assembly_id, [member], [member.id])]


def do_revoke_projector_link(db: Session, assembly: Assembly) -> list[LoggedEvent]:
    """A new projector link; the old one stops working and open projectors close (1008)."""
    assert assembly.id is not None
    assembly.projector_nonce = new_nonce()
    db.add(assembly)
    return [record(db, assembly.id, "access", {"revoked": "projector"})]


def members_of(db: Session, assembly_id: int, active_only: bool = False) -> list[Member]:
    query = select(Member).where(Member.assembly_id == assembly_id)
    if active_only:
        query = query.where(Member.active == True)  # noqa: E712
    return list(db.exec(query.order_by(col(Member.name), col(Member.id))))


def import_members(db: Session, settings: Settings, assembly: Assembly, table: CsvTable) -> int:
    """Add every row of a members CSV, or nothing: raises CsvError listing every bad row."""
    assert assembly.id is not None
    existing = {m.code for m in members_of(db, assembly.id)}
    result = read_roster(table.columns, [(r.line, r.values) for r in table.rows], existing)
    if result.problems:
        raise CsvError(result.problems)
    do_add_members(db, settings, assembly, result.members)
    return len(result.members)


def member_by_token(db: Session, token: str) -> Member | None:
    member = db.exec(select(Member).where(Member.join_token_hash == token_hash(token))).first()
    return member if member is not None and member.active else None


def member_by_codes(
    db: Session, settings: Settings, assembly_code: str, code: str
) -> Member | None:
    """The manual fallback: assembly code + personal code from the join card."""
    assembly = db.exec(
        select(Assembly).where(Assembly.code == normalise_code(assembly_code))
    ).first()
    if assembly is None or assembly.id is None:
        return None
    wanted = normalise_code(code)
    for member in members_of(db, assembly.id, active_only=True):
        assert member.id is not None
        if personal_code(settings.secret_key, member.id, member.token_nonce) == wanted:
            return member
    return None


def socket_member(db: Session, viewer: object) -> Member:
    """The member a participant socket speaks for, refused (``not_allowed``) when they were
    deactivated, belong to another assembly, or their join link was revoked after the socket
    opened (``viewer`` is an ``app.views.Viewer``)."""
    member = db.get(Member, getattr(viewer, "member_id", None))
    if (
        member is None
        or not member.active
        or member.assembly_id != getattr(viewer, "assembly_id", None)
        or member.token_nonce != getattr(viewer, "nonce", None)
    ):
        raise ActionError("not_allowed")
    return member

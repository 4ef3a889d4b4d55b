"""The assembly's roster: members, their join links and personal codes, the projector link."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.clock import utcnow
from app.config import Settings
from app.csvfiles import CsvError, CsvTable
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


def add_member(db: Session, settings: Settings, assembly: Assembly, spec: MemberSpec) -> Member:
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


def reissue_token(settings: Settings, member: Member) -> None:
    """Revoke the member's join link, code and any signed-in phone, and issue new ones."""
    _issue_token(settings, member)


def members_of(db: Session, assembly_id: int, active_only: bool = False) -> list[Member]:
    query = select(Member).where(Member.assembly_id == assembly_id)
    if active_only:
        query = query.where(Member.active == True)  # noqa: E712
    return list(db.exec(query.order_by(Member.name, Member.id)))


def import_members(db: Session, settings: Settings, assembly: Assembly, table: CsvTable) -> int:
    """Add every row of a members CSV, or nothing: raises CsvError listing every bad row."""
    assert assembly.id is not None
    existing = {m.code for m in members_of(db, assembly.id)}
    result = read_roster(table.columns, [(r.line, r.values) for r in table.rows], existing)
    if result.problems:
        raise CsvError(result.problems)
    for spec in result.members:
        add_member(db, settings, assembly, spec)
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

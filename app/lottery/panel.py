"""From the drawn panel to the roster, and the end of the pool's personal data.

Confirming adds one pseudonymous member per drawn person (display name, the quota values as
coarse strata, a join link) and deletes the pool — at once, or ``retention_days`` later. While
the pool is kept, replacements drawn after confirming update the roster: whoever left the panel
is deactivated, whoever joined is added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.config import Settings
from app.lottery.files import contact_csv, display_name, pool_rows
from app.lottery.flow import LotteryError
from app.lottery.models import Lottery
from app.members import do_add_members, do_deactivate_members, members_of
from app.models import Assembly, Member
from facilitation.roster import MemberSpec


def _add(
    db: Session, settings: Settings, assembly: Assembly, lottery: Lottery, ids: Sequence[str]
) -> None:
    assert lottery.pool is not None
    taken = {m.code for m in members_of(db, assembly.id or 0)}
    clash = sorted(set(ids) & taken)
    if clash:
        raise LotteryError("clash", ", ".join(clash))
    rows = pool_rows(lottery.pool)
    specs = [
        MemberSpec(pid, display_name(rows[pid], pid), {f: rows[pid][f] for f in lottery.features})
        for pid in ids
    ]
    do_add_members(db, settings, assembly, specs)


def confirm(db: Session, settings: Settings, assembly: Assembly, lottery: Lottery) -> int:
    """The drawn panel becomes the roster; the pool's personal data goes (now or later)."""
    if lottery.status != "drawn" or lottery.pool is None:
        raise LotteryError("not_drawn")
    _add(db, settings, assembly, lottery, lottery.panel)
    lottery.status, lottery.confirmed_at = "confirmed", utcnow()
    if lottery.retention_days:
        lottery.delete_after = lottery.confirmed_at + timedelta(days=lottery.retention_days)
    else:
        delete_pool(lottery)
    return len(lottery.panel)


def apply_replacements(
    db: Session,
    settings: Settings,
    assembly: Assembly,
    lottery: Lottery,
    left: Sequence[str],
    joined: Sequence[str],
) -> None:
    """After a replacement draw on a confirmed panel: deactivate who left, add who joined."""
    if lottery.confirmed_at is None:
        return
    code = col(Member.code).in_(left)
    query = select(Member).where(Member.assembly_id == assembly.id, code)
    do_deactivate_members(db, list(db.exec(query)))  # their phones are signed out
    _add(db, settings, assembly, lottery, joined)


def delete_pool(lottery: Lottery) -> None:
    """Forget every volunteer: rows, per-person probabilities, the m panels, who declined."""
    lottery.pool, lottery.result = None, None
    lottery.dropped, lottery.kept = [], []
    lottery.pool_deleted_at, lottery.delete_after = utcnow(), None
    if lottery.confirmed_at is not None and lottery.status != "confirmed":
        # a replacement round in progress ends here; the last drawn panel stands
        lottery.status = "confirmed"
        draws = (lottery.audit or {}).get("draws") or [{"round": 1}]
        lottery.round = int(draws[-1]["round"])


def purge_expired(db: Session) -> int:
    """Delete the pools whose retention after confirmation has run out."""
    query = select(Lottery).where(Lottery.delete_after != None)  # noqa: E711
    count = 0
    for lottery in db.exec(query):
        if lottery.pool is not None and lottery.delete_after and lottery.delete_after <= utcnow():
            delete_pool(lottery)
            db.add(lottery)
            count += 1
    return count


def export_csv(lottery: Lottery, gettext: Callable[[str], str] = str) -> str:
    """The organiser's contact list: the drawn panel's personal data, replacements marked."""
    if lottery.pool is None or not lottery.panel:
        raise LotteryError("deleted")
    return contact_csv(lottery.pool, lottery.panel, lottery.replacements, gettext)

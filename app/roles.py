"""Roles per assembly: who may do what, in one place (issue 12, point 4).

An account (``Facilitator``) sees an assembly only through a ``Membership`` with one role:

- **organiser**: everything, including the lottery, personal data (members, join cards),
  exports, and the assembly's team (invitations, roles);
- **lead** facilitator: the room (run-sheet, scenes, moderation, rounds, themes, drafts,
  ballot, programme, the projector link);
- **table** facilitator: their tables' view and paper notes only;
- **observer**: the read-only observer view (no personal data).

Every page, form and export names a *capability* in ``ROUTES`` (keyed by method and route
path); ``enforce`` checks it for the signed-in account (``app.auth.require_facilitator`` and
``app.writes.require`` call it). A route under ``/f/a/`` missing from the map is organiser-only.
Socket messages: ``MESSAGES`` and ``check_message``, re-read in the message's transaction, so a
role removed while a socket is open stops its messages at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.routing import Match, Route, WebSocketRoute

from app.clock import utcnow
from app.models import Assembly, Facilitator, Invitation, Membership
from app.security import CODE_ALPHABET
from facilitation.messages import N_

Role = Literal["organiser", "lead", "table", "observer"]
ROLES: tuple[Role, ...] = ("organiser", "lead", "table", "observer")
RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}  # organiser 0 … observer 3
ROLE_LABELS = {
    "organiser": N_("Organiser"),
    "lead": N_("Lead facilitator"),
    "table": N_("Table facilitator"),
    "observer": N_("Observer"),
}

# account: any signed-in account, no assembly; the others: a role in the route's assembly
Capability = Literal["account", "organise", "room", "table", "observe"]
WHO: dict[str, frozenset[str]] = {
    "organise": frozenset({"organiser"}),
    "room": frozenset({"organiser", "lead"}),
    "table": frozenset({"organiser", "lead", "table"}),
    "observe": frozenset(ROLES),
}

REFUSED = N_("Your role in this assembly does not allow this.")

A = "/f/a/{assembly_id:int}"
# "METHOD path" -> capability, for every route a signed-in account uses. tests/app/test_roles.py
# walks every route of the app with every role against its own table of expected answers.
ROUTES: dict[str, Capability] = {
    "GET /f": "account",
    "POST /f/assemblies": "account",
    "GET /f/me": "account",
    "POST /f/me": "account",
    # the room
    f"GET {A}": "room",
    f"GET {A}/runsheet": "room",
    f"GET {A}/settings": "room",
    f"POST {A}/sessions": "room",
    f"POST {A}/sessions/{{session_id:int}}/delete": "room",
    f"POST {A}/sessions/{{session_id:int}}/items": "room",
    f"POST {A}/items/{{item_id:int}}/edit": "room",
    f"POST {A}/items/{{item_id:int}}/move": "room",
    f"POST {A}/items/{{item_id:int}}/delete": "room",
    f"POST {A}/projector/revoke": "room",
    f"GET {A}/rounds": "room",
    f"POST {A}/rounds/checkin": "room",
    f"POST {A}/rounds/plan": "room",
    f"POST {A}/rounds/{{round_id:int}}/move": "room",
    f"POST {A}/rounds/{{round_id:int}}/publish": "room",
    f"POST {A}/rounds/replan": "room",
    f"GET {A}/themes": "room",
    f"POST {A}/themes/{{item_id:int}}": "room",
    f"GET {A}/notes/{{note_id:int}}": "room",
    f"GET {A}/drafts": "room",
    f"POST {A}/drafts": "room",
    f"GET {A}/drafts/{{draft_id:int}}": "room",
    f"POST {A}/drafts/{{draft_id:int}}": "room",
    f"GET {A}/drafts/{{draft_id:int}}/provenance": "room",
    f"GET {A}/ballot": "room",
    f"GET {A}/ballot/turnout": "room",
    f"POST {A}/ballot/act": "room",
    f"GET {A}/programme": "room",
    f"POST {A}/programme/act": "room",
    f"GET {A}/programme/material/{{material_id:int}}": "room",
    f"GET {A}/attendance": "room",
    f"POST {A}/attendance/act": "room",
    f"POST {A}/attendance/scan": "room",
    f"GET {A}/questions": "room",
    f"POST {A}/questions/act": "room",
    # a table
    f"GET {A}/table/{{table_no:int}}": "table",
    "WS /ws/facilitator/{assembly_id:int}": "table",
    # read-only
    f"GET {A}/observe": "observe",
    # the organiser: personal data, the lottery, exports, the assembly itself, its team
    f"POST {A}/edit": "organise",
    f"GET {A}/members": "organise",
    f"POST {A}/members": "organise",
    f"POST {A}/members/import": "organise",
    f"GET {A}/members/{{member_id:int}}": "organise",
    f"POST {A}/members/{{member_id:int}}": "organise",
    f"POST {A}/members/{{member_id:int}}/{{action:str}}": "organise",
    f"GET {A}/cards": "organise",
    f"GET {A}/notes.csv": "organise",
    f"GET {A}/drafts.{{fmt:str}}": "organise",
    f"GET {A}/ballot/{{ballot_id:int}}/results.csv": "organise",
    f"GET {A}/attendance.csv": "organise",
    f"GET {A}/record": "organise",
    f"POST {A}/record/act": "organise",
    f"GET {A}/record/report": "organise",
    f"GET {A}/team": "organise",
    f"POST {A}/team/invite": "organise",
    f"POST {A}/team/{{membership_id:int}}": "organise",
    f"POST {A}/team/invitations/{{invitation_id:int}}/revoke": "organise",
    **{
        f"{method} {A}/lottery{suffix}": "organise"
        for method, suffix in (
            ("GET", ""),
            ("POST", "/upload"),
            ("POST", "/run"),
            ("GET", "/progress"),
            ("POST", "/draw"),
            ("POST", "/replace"),
            ("POST", "/cancel"),
            ("POST", "/confirm"),
            ("POST", "/delete"),
            ("GET", "/contacts.csv"),
            ("GET", "/panels.txt"),
            ("GET", "/audit"),
            ("GET", "/audit.csv"),
        )
    },
}

# The console's section tabs (templates/f/base.html) and what each needs.
SECTIONS: dict[str, Capability] = {
    "live": "room",
    "runsheet": "room",
    "programme": "room",
    "rounds": "room",
    "themes": "room",
    "drafts": "room",
    "ballot": "room",
    "record": "organise",
    "members": "organise",
    "lottery": "organise",
    "settings": "room",
}

# Facilitators' socket messages (app/dispatch.py's HANDLERS with the role "facilitator") and
# what each needs; a kind missing here is the room's.
MESSAGES: dict[str, Capability] = {"paper_note": "table"}


def allows(role: str | None, capability: str) -> bool:
    """Whether ``role`` has ``capability`` (tables aside: see ``check``)."""
    if capability == "account":
        return True
    return role is not None and role in WHO.get(capability, WHO["organise"])


def table_numbers(membership: Membership) -> frozenset[int]:
    return frozenset(int(t) for t in membership.tables.split(",") if t.strip().isdigit())


def parse_tables(text: str) -> str:
    """'3, 4 5' -> '3,4,5' (positive numbers, at most 20)."""
    numbers = sorted({int(t) for t in text.replace(",", " ").split() if t.isdigit() and int(t) > 0})
    return ",".join(str(n) for n in numbers[:20])


def route_key(conn: HTTPConnection) -> str:
    """'METHOD /route/{path}' of the route this request or socket came in by."""
    scope = conn.scope
    method = "WS" if scope["type"] == "websocket" else scope.get("method", "GET")
    method = "GET" if method == "HEAD" else method
    for route in conn.app.routes:
        if isinstance(route, Route | WebSocketRoute):
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return f"{method} {route.path}"
    return f"{method} {scope.get('path', '')}"


def route_capability(conn: HTTPConnection) -> Capability:
    return ROUTES.get(route_key(conn), "organise")


def membership(db: Session, facilitator_id: int | None, assembly_id: int) -> Membership | None:
    if facilitator_id is None:
        return None
    return db.exec(
        select(Membership).where(
            Membership.assembly_id == assembly_id, Membership.facilitator_id == facilitator_id
        )
    ).first()


def check(
    db: Session,
    facilitator: Facilitator,
    capability: str,
    assembly_id: int | None,
    table_no: int | None = None,
) -> Membership | None:
    """The account's membership if it may ``capability`` in ``assembly_id`` (at ``table_no``);
    else HTTP 403 (in the viewer's language, app/web.py)."""
    if capability == "account":
        return None
    found = membership(db, facilitator.id, assembly_id) if assembly_id is not None else None
    if found is None or not allows(found.role, capability):
        raise HTTPException(status_code=403, detail=REFUSED)
    if (
        capability == "table"
        and found.role == "table"
        and (table_no is None or table_no not in table_numbers(found))
    ):
        raise HTTPException(status_code=403, detail=REFUSED)
    return found


def enforce(
    conn: HTTPConnection,
    db: Session,
    facilitator: Facilitator,
    capability: str | None = None,
    assembly_id: int | None = None,
) -> Membership | None:
    """``check`` for this request: the capability its route names (unless given), in the
    assembly and table of its path. Remembers the role for the page (``conn.state.access``)."""
    capability = capability or route_capability(conn)
    params = conn.path_params
    if assembly_id is None and "assembly_id" in params:
        assembly_id = int(params["assembly_id"])
    table_no = params.get("table_no")
    found = check(db, facilitator, capability, assembly_id, table_no)
    conn.state.access = found.role if found is not None else None
    conn.state.tables = sorted(table_numbers(found)) if found is not None else []
    return found


def socket_role(
    db: Session, facilitator: Facilitator, assembly_id: int, table_no: int | None
) -> Membership | None:
    """The membership a facilitator socket opens with, or None (refused before accepting): the
    organiser and the lead on any view, a table facilitator only with ``?table=`` one of
    theirs, an observer never (their view is read-only HTTP)."""
    try:
        return check(db, facilitator, "table", assembly_id, table_no)
    except HTTPException:
        return None


def check_message(
    db: Session,
    facilitator_id: int | None,
    assembly_id: int,
    kind: str,
    table_no: int | None,
    message: Any,
) -> bool:
    """Whether a facilitator socket's message may be acted on, by the role as it is now."""
    found = membership(db, facilitator_id, assembly_id)
    capability = MESSAGES.get(kind, "room")
    if found is None or not allows(found.role, capability):
        return False
    if found.role == "table":
        wanted = getattr(message, "table_no", None)
        return wanted is not None and wanted == table_no and wanted in table_numbers(found)
    return True


def assemblies_of(db: Session, facilitator: Facilitator) -> list[tuple[Assembly, Membership]]:
    """The assemblies this account has a role in, newest first."""
    rows = db.exec(
        select(Assembly, Membership)
        .join(Membership, col(Membership.assembly_id) == col(Assembly.id))
        .where(Membership.facilitator_id == facilitator.id)
        .order_by(col(Assembly.created_at).desc())
    )
    return [(a, m) for a, m in rows]


def grant(
    db: Session, assembly_id: int, facilitator_id: int, role: str, tables: str = ""
) -> Membership:
    """Give (or change) an account's role in an assembly."""
    if role not in ROLES:
        raise ValueError(role)
    found = membership(db, facilitator_id, assembly_id)
    if found is None:
        found = Membership(
            assembly_id=assembly_id, facilitator_id=facilitator_id, role=role, created_at=utcnow()
        )
    found.role = role
    found.tables = parse_tables(tables) if role == "table" else ""
    db.add(found)
    db.flush()
    return found


def team(db: Session, assembly_id: int) -> list[tuple[Membership, Facilitator]]:
    rows = db.exec(
        select(Membership, Facilitator)
        .join(Facilitator, col(Facilitator.id) == col(Membership.facilitator_id))
        .where(Membership.assembly_id == assembly_id)
        .order_by(col(Membership.id))
    )
    return [(m, f) for m, f in rows]


def organisers(db: Session, assembly_id: int) -> int:
    return len(
        db.exec(
            select(Membership.id).where(
                Membership.assembly_id == assembly_id, Membership.role == "organiser"
            )
        ).all()
    )


# -- invitations ----------------------------------------------------------------------------

INVITATION_DAYS = 7
CODE_GROUPS = 4  # XXXX-XXXX-XXXX-XXXX of 31 letters and digits: 16 characters, ~79 bits


def new_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalise_code(code: str) -> str:
    """What a person typed -> the code's canonical form (case, spaces and dashes forgiven)."""
    letters = "".join(c for c in code.upper() if c.isalnum())[: 4 * CODE_GROUPS]
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    code: str  # shown once, to the organiser who made it; never stored


def invite(
    db: Session, assembly_id: int, by: Facilitator, role: str, tables: str = "", note: str = ""
) -> Invited:
    if role not in ROLES:
        raise ValueError(role)
    assert by.id is not None
    code = new_code()
    now = utcnow()
    invitation = Invitation(
        assembly_id=assembly_id,
        code_hash=code_hash(code),
        role=role,
        tables=parse_tables(tables) if role == "table" else "",
        note=note[:120],
        created_by=by.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.add(invitation)
    db.flush()
    return Invited(invitation, code)


# Why a code does not work: one answer for unknown, used and expired alike would hide typos
# from honest people; the code's 79 bits (and the login throttle's address count) keep
# guessing out of reach, so each gets its own message.
INVALID = N_("This invitation code is not valid. Check it, or ask the organiser for a new one.")
USED = N_("This invitation has already been used. Ask the organiser for a new one.")
EXPIRED = N_("This invitation has expired. Ask the organiser for a new one.")


def open_invitation(db: Session, code: str, now: datetime) -> tuple[Invitation | None, str]:
    """The invitation for ``code`` if it can still be redeemed, else (None, why)."""
    if len(normalise_code(code)) != 4 * CODE_GROUPS + CODE_GROUPS - 1:
        return None, INVALID
    found = db.exec(select(Invitation).where(Invitation.code_hash == code_hash(code))).first()
    if found is None:
        return None, INVALID
    if found.used_at is not None:
        return None, USED
    if found.expires_at <= now:
        return None, EXPIRED
    return found, ""


def redeem(db: Session, code: str, facilitator: Facilitator) -> tuple[Membership | None, str]:
    """Use the invitation once: the account gets its role (an organiser keeps theirs: an
    invitation never lowers a role). Marked used in the same transaction."""
    now = utcnow()
    invitation, why = open_invitation(db, code, now)
    if invitation is None:
        return None, why
    assert facilitator.id is not None
    invitation.used_at, invitation.used_by = now, facilitator.id
    db.add(invitation)
    current = membership(db, facilitator.id, invitation.assembly_id)
    role, tables = invitation.role, invitation.tables
    if current is not None and current.role == role == "table":
        tables = f"{current.tables},{tables}"  # more tables
    elif current is not None and RANK[current.role] <= RANK[role]:
        return current, ""  # an invitation never lowers a role
    return grant(db, invitation.assembly_id, facilitator.id, role, tables), ""


def pending_invitations(db: Session, assembly_id: int) -> list[Invitation]:
    now = utcnow()
    return [
        i
        for i in db.exec(
            select(Invitation)
            .where(Invitation.assembly_id == assembly_id, col(Invitation.used_at).is_(None))
            .order_by(col(Invitation.id))
        )
        if i.expires_at > now
    ]

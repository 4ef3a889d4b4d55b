"""A demo assembly a newcomer can open at once (`samling demo`, `make run`)."""

from __future__ import annotations

import random
import secrets
from datetime import time, timedelta
from typing import Any

from sqlmodel import select

from app.clock import utcnow
from app.config import Settings
from app.db import make_engine, session_scope
from app.models import Assembly, AssemblySession, Facilitator
from app.roster import add_member, create_assembly, join_url, members_of, projector_url
from app.security import hash_password
from facilitation.demo_roster import demo_members

DEMO_EMAIL = "facilitator@demo.samling.dk"
DEMO_NAME = "Borgersamling om bæredygtigt forbrug"
DEMO_REMIT = (
    "Hvordan kan vi i regionen gøre det lettere for borgere, virksomheder og offentlige "
    "institutioner at forbruge mere bæredygtigt?"
)


def _demo_facilitator(db: Any) -> str:
    """Create the demo account or give it a fresh password; return the password."""
    password = secrets.token_urlsafe(12)
    user = db.exec(select(Facilitator).where(Facilitator.email == DEMO_EMAIL)).first()
    if user is None:
        user = Facilitator(email=DEMO_EMAIL, password_hash="", created_at=utcnow())
    user.password_hash = hash_password(password)
    db.add(user)
    return password


def create_demo(
    settings: Settings, members: int = 36, seed: int | None = None, if_empty: bool = False
) -> dict[str, Any]:
    """Create a demo assembly (or, with ``if_empty``, reuse the newest one) and describe it.

    The result is the `samling demo --json` contract (docs/contracts/demo.md).
    """
    rng = random.Random(seed)
    engine = make_engine(settings.database_url)
    with session_scope(engine, write=True) as db:
        password = _demo_facilitator(db)
        assembly = None
        if if_empty:
            assembly = db.exec(select(Assembly).order_by(Assembly.id.desc())).first()  # type: ignore[union-attr]
        if assembly is None:
            assembly = create_assembly(db, DEMO_NAME, DEMO_REMIT)
            today = utcnow().date()
            for offset, host in enumerate(("Region Hovedstaden", "Region Sjælland")):
                db.add(
                    AssemblySession(
                        assembly_id=assembly.id,
                        day=today + timedelta(days=28 * offset),
                        starts_at=time(9, 0),
                        ends_at=time(16, 0),
                        venue="Rådhuset, mødesal 1",
                        host=host,
                    )
                )
            for spec in demo_members(members, rng):
                add_member(db, settings, assembly, spec)
        assert assembly.id is not None
        roster = members_of(db, assembly.id, active_only=True)
        result = {
            "assembly_id": assembly.id,
            "facilitator": {"email": DEMO_EMAIL, "password": password},
            "login_url": f"{settings.base_url}/login",
            "console_url": f"{settings.base_url}/f/a/{assembly.id}",
            "projector_url": projector_url(settings, assembly),
            "public_url": f"{settings.base_url}/a/{assembly.code}",
            "assembly_code": assembly.code,
            "members": [
                {"id": m.id, "code": m.code, "name": m.name, "join_url": join_url(settings, m)}
                for m in roster
            ],
        }
    engine.dispose()
    return result

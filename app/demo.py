"""A demo assembly a newcomer can open at once (`samling demo`, `make run`)."""

from __future__ import annotations

import random
import secrets
from datetime import time, timedelta
from typing import Any

from sqlmodel import col, select

from app.clock import utcnow
from app.config import Settings
from app.db import make_engine, session_scope
from app.members import add_member, create_assembly, join_url, members_of, projector_url
from app.models import AgendaItem, Assembly, AssemblySession, Facilitator
from app.roles import grant, membership
from app.security import hash_password
from facilitation.demo_roster import demo_members

DEMO_EMAIL = "facilitator@demo.samling.dk"
DEMO_FACILITATOR = "Lise Holm"  # shown to tables on paper notes, never the e-mail address
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
    user.name = user.name or DEMO_FACILITATOR
    user.password_hash = hash_password(password)
    db.add(user)
    return password


DEMO_AGENDA = (
    ("welcome", "Velkomst og præsentation", 15, None, ""),
    (
        "round",
        "Værdier: hvad er vigtigt for dig?",
        25,
        "value",
        "Hvad er vigtigt for dig, når du tænker på bæredygtigt forbrug?",
    ),
    ("talk", "Oplæg: forbrug og klima", 30, None, ""),
    ("break", "Pause", 15, None, ""),
    ("round", "Temaer: hvad går igen?", 30, "theme", "Hvilke temaer ser I i værdierne fra før?"),
    ("round", "Løsninger", 40, "solution", "Hvad kan regionen gøre? Skriv konkrete forslag."),
    ("plenary", "Fælles opsamling", 20, None, ""),
)


def _live_room(db: Any, assembly: Assembly, seed: int) -> None:
    """Seat everyone at tables of six and open the values round, so a newcomer can write."""
    assert assembly.id is not None
    from app.agenda import do_add_item, do_open_item, do_set_scene
    from app.seating import do_publish_round
    from facilitation.rotation import Member as Seated
    from facilitation.rotation import RotationProblem, TableLayout, plan_rounds

    today = db.exec(
        select(AssemblySession)
        .where(AssemblySession.assembly_id == assembly.id)
        .order_by(col(AssemblySession.day))
    ).first()
    for kind, title, minutes, phase, prompt in DEMO_AGENDA:
        do_add_item(db, assembly, today, kind, title, minutes, phase, prompt)
    roster = members_of(db, assembly.id, active_only=True)
    if len(roster) >= 2:
        problem = RotationProblem(
            members=[Seated(str(m.id), m.attributes) for m in roster],
            rounds=1,
            layout=TableLayout(size=6),
            balance={"gender": 4, "age": 3, "education": 1, "area": 1},
        )
        plan = plan_rounds(problem, seed=seed, iterations=2000)
        do_publish_round(db, assembly, [[int(i) for i in t] for t in plan.rounds[0]])
    values = next(
        i
        for i in db.exec(
            select(AgendaItem).where(
                AgendaItem.session_id == today.id, AgendaItem.phase_kind == "value"
            )
        )
    )
    do_open_item(db, assembly, values.id)
    # The big screen shows the live wall (with the question and the timer in its header), so a
    # note sent from a join link appears there at once.
    do_set_scene(db, assembly, "wall")


def create_demo(
    settings: Settings,
    members: int = 36,
    seed: int | None = None,
    if_empty: bool = False,
    stage: str | None = None,
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
            assembly = db.exec(select(Assembly).order_by(col(Assembly.id).desc())).first()
        if assembly is None:
            assembly = create_assembly(db, DEMO_NAME, DEMO_REMIT)
            assert assembly.id is not None
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
            db.flush()
            _live_room(db, assembly, rng.randrange(2**31))
            if stage == "ballot":  # drafts and an open final ballot (app/ballot/demo.py)
                from app.ballot.demo import ballot_stage

                ballot_stage(db, assembly)
            elif stage == "done":  # voted, closed, a minority statement, a response
                from app.record.demo import done_stage

                done_stage(db, settings, assembly, rng)
            elif stage == "questions":  # an expert talk open, questions live (app/programme)
                from app.programme.demo import questions_stage

                questions_stage(db, assembly)
        assert assembly.id is not None
        demo_user = db.exec(select(Facilitator).where(Facilitator.email == DEMO_EMAIL)).one()
        assert demo_user.id is not None
        if not membership(db, demo_user.id, assembly.id):
            grant(db, assembly.id, demo_user.id, "organiser")  # the demo account organises it
        roster = members_of(db, assembly.id, active_only=True)
        result = {
            "assembly_id": assembly.id,
            "facilitator": {"email": DEMO_EMAIL, "password": password, "name": DEMO_FACILITATOR},
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

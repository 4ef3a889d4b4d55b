"""`samling demo --stage questions`: an expert and her talk open in the room, so phones can
send questions that reach the big screen at once (moderation stays "open")."""

from __future__ import annotations

from sqlmodel import Session, select

from app.agenda import do_open_item, do_set_scene
from app.events import LoggedEvent
from app.models import AgendaItem, Assembly
from app.programme import actions


def questions_stage(db: Session, assembly: Assembly) -> list[LoggedEvent]:
    assert assembly.id is not None
    gatherings = actions.gatherings_of(db, assembly.id)
    events: list[LoggedEvent] = []
    for g in gatherings:
        fields = actions.GatheringFields(
            day=g.day,
            starts_at=g.starts_at,
            ends_at=g.ends_at,
            title=g.title,
            venue=g.venue,
            host=g.host,
            description=g.description
            or "Borgersamlingen hører oplæg og drøfter forbrug ved bordene.",
            public=True,
        )
        events += actions.do_save_gathering(db, assembly, fields, g.id)
    expert, more = actions.do_save_expert(
        db, assembly, "Mette Sørensen", "Klimaforsker", "Aalborg Universitet", "expert", True
    )
    events += more
    talk = db.exec(
        select(AgendaItem).where(AgendaItem.assembly_id == assembly.id, AgendaItem.kind == "talk")
    ).first()
    assert talk is not None and talk.id is not None and expert.id is not None
    events += actions.do_assign_talk(db, assembly, talk.id, expert.id)
    _material, more = actions.do_add_material(
        db,
        assembly,
        "Forbrug og klima: baggrundsnotat",
        url="https://example.org/forbrug-og-klima",
        expert_id=expert.id,
        session_id=gatherings[0].id if gatherings else None,
        public=True,
    )
    events += more
    events += do_open_item(db, assembly, talk.id)
    events += do_set_scene(db, assembly, "questions")
    return events

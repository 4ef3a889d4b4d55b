"""`samling demo --stage done`: the assembly has voted and handed over its recommendations.

On top of ``--stage ballot``: a few notes from the tables that the drafts came from, the
members' votes (through ``do_vote``, secret as always), the closed final ballot with its
results, one minority statement, one council response, the members' statement and an
anonymous evaluation answered by most members (its aggregates public).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from app.agenda import do_set_scene
from app.ballot.actions import do_add_statement, do_close_ballot, do_vote, questions_of
from app.ballot.demo import ballot_stage
from app.clock import utcnow
from app.config import Settings
from app.models import Assembly, Member
from app.notes import do_add_note
from app.record.actions import (
    ResponseSpec,
    SettingsChange,
    do_add_response,
    do_answer_survey,
    do_close_survey,
    do_open_survey,
    do_record_settings,
    do_set_statement,
)
from app.themes.models import DraftSource
from facilitation.record import QUESTION_KEYS

COMMISSIONED_BY = "Regionsrådet i Region Hovedstaden"
STATEMENT = (
    "Vi er 36 borgere, udtrukket ved lodtrækning, som har brugt to lørdage på at finde ud af, "
    "hvordan det kan blive lettere at forbruge bæredygtigt.\n\n"
    "Vi har lyttet til eksperter og til hinanden. Vi er ikke altid enige, men vi står sammen "
    "om anbefalingerne her. Vi beder regionsrådet svare på hver af dem."
)
# per recommendation: the share of members voting yes, no (the rest abstain)
SUPPORT = ((0.8, 0.15), (0.65, 0.25), (0.55, 0.35), (0.3, 0.6))
NOTES = (
    ("Det skal være let at få repareret sine ting", 0),
    ("Værksteder hvor man kan låne værktøj", 0),
    ("Kantinerne smider for meget mad ud", 1),
    ("Brugte møbler er ofte lige så gode", 2),
    ("Bussen kører for sjældent på landet", 3),
)
MINORITY = (
    "Vi er nogle, der mener, at kommunerne selv skal bestemme, om de vil have en "
    "reparationscafé. Regionen bør ikke betale for noget, der virker lokalt i forvejen."
)
RESPONSE = (
    "Regionsrådet har modtaget anbefalingen og beder administrationen undersøge, hvad en "
    "reparationscafé i hver kommune vil koste. Sagen behandles i udvalget for miljø."
)


def done_stage(db: Session, settings: Settings, assembly: Assembly, rng: random.Random) -> None:
    assert assembly.id is not None
    members = list(
        db.exec(
            select(Member)
            .where(Member.assembly_id == assembly.id, Member.active == True)  # noqa: E712
            .order_by(Member.id)  # type: ignore[arg-type]
        )
    )
    notes = []
    for i, (text, _rec) in enumerate(NOTES):
        if members:
            result = do_add_note(db, members[i % len(members)], "value", text, f"demo-note-{i}")
            notes.append(result.note)
    ballot, _events = ballot_stage(db, assembly)
    assert ballot.id is not None
    questions = questions_of(db, ballot.id)
    for note, (_text, rec) in zip(notes, NOTES, strict=False):
        draft_id = questions[rec].draft_id if rec < len(questions) else None
        if draft_id is not None:
            db.add(DraftSource(draft_id=draft_id, note_id=note.id))
    for m_index, member in enumerate(members):
        if rng.random() < 0.1:
            continue  # a few do not vote
        for q_index, question in enumerate(questions):
            assert question.id is not None
            yes, no = SUPPORT[q_index % len(SUPPORT)]
            draw = rng.random()
            choice = "yes" if draw < yes else "no" if draw < yes + no else "abstain"
            key = f"demo-{m_index}-{q_index}"
            do_vote(db, settings.secret_key, member, ballot.id, question.id, key, choice)
    do_close_ballot(db, assembly, ballot.id)
    do_set_scene(db, assembly, "results")
    first = questions[0]
    assert first.id is not None
    do_add_statement(db, assembly, None, first.id, MINORITY)
    today = utcnow().date()
    do_add_response(
        db,
        assembly,
        ResponseSpec(first.id, "received", "", "Regionsrådet", today - timedelta(days=1)),
    )
    do_add_response(
        db,
        assembly,
        ResponseSpec(
            first.id,
            "under_consideration",
            RESPONSE,
            "Udvalget for miljø og klima",
            today,
            "https://www.regionh.dk/",
        ),
    )
    do_record_settings(db, assembly, SettingsChange(COMMISSIONED_BY, False, True, 365))
    do_set_statement(db, assembly, STATEMENT)
    survey, _events = do_open_survey(db, assembly, "final", "Evaluering af borgersamlingen")
    assert survey.id is not None
    for member in members:
        if rng.random() < 0.75:
            answers = {k: str(rng.choice((3, 4, 4, 5, 5))) for k in QUESTION_KEYS}
            do_answer_survey(db, member, survey.id, answers)
    do_close_survey(db, assembly, survey.id)

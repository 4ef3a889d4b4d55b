"""`samling demo --stage ballot`: drafts of recommendations and an open final ballot on them."""

from __future__ import annotations

from sqlmodel import Session

from app.agenda import do_set_scene
from app.ballot.actions import QuestionSpec, default_bands, do_open_ballot
from app.ballot.models import Ballot
from app.events import LoggedEvent
from app.i18n import translate
from app.models import Assembly
from app.themes.drafts import _new_draft
from facilitation.ballot import Rule
from facilitation.messages import N_

DEMO_RECOMMENDATIONS = (
    (
        "Reparationscaféer i alle kommuner",
        "Regionen støtter, at der er mindst én reparationscafé i hver kommune, "
        "hvor borgere kan få hjælp til at reparere tøj, cykler og elektronik.",
    ),
    (
        "Mindre madspild i offentlige køkkener",
        "Alle regionens køkkener måler madspild hvert kvartal og halverer det inden 2030.",
    ),
    (
        "Genbrug først ved offentlige indkøb",
        "Ved indkøb af møbler og it undersøger regionen altid først, om brugte varer kan bruges.",
    ),
    (
        "Delebiler ved togstationer",
        "Regionen samarbejder med kommunerne om delebiler ved alle togstationer.",
    ),
)
BAND_WORDS = (N_("Strongly supported"), N_("Majority"), N_("No majority"))


def ballot_stage(
    db: Session, assembly: Assembly, lang: str = "da"
) -> tuple[Ballot, list[LoggedEvent]]:
    """Four draft recommendations and the final ballot open on them: yes / no / abstain,
    adopted at 70 % of the votes cast or more; the big screen shows how many have voted."""
    assert assembly.id is not None
    drafts = [
        _new_draft(db, assembly.id, title, text, "", None, "")
        for title, text in DEMO_RECOMMENDATIONS
    ]
    db.flush()
    rule = Rule(bands=default_bands(*(translate(w, lang) for w in BAND_WORDS)))
    title = translate(N_("Final vote on the recommendations"), lang)
    ballot, events = do_open_ballot(
        db, assembly, "final", title, [QuestionSpec(draft_id=d.id) for d in drafts], rule
    )
    return ballot, events + do_set_scene(db, assembly, "results")  # the big screen: turnout

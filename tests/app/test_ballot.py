"""The final ballot and agreement checks through the contract: the demo's open ballot, the
phone's vote form and ack, resend and replace, paper ballots, secrecy (no member id with a
vote, no tally anywhere while open), the close, results.json, the CLI, equivalence."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.ballot import actions
from app.ballot.models import Ballot, BallotVote, BallotVoter
from app.db import make_engine, session_scope
from app.models import Assembly, Event, Facilitator, Member
from tests.app.test_cli_demo import run_cli
from tests.app.test_hub import WS, assert_events_rebuild_snapshot, hello, phone, receive_until
from tests.conftest import ORIGIN, SECRET, path_of

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def demo(settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from app.demo import create_demo

    return create_demo(settings, members=8, seed=3, stage="ballot")


def vote(ballot_id: int, question: int, key: str, choice: str) -> str:
    return json.dumps(
        {
            "msg": "vote",
            "ballot_id": str(ballot_id),  # a form sends strings
            "recommendation_id": str(question),
            "client_key": key,
            "choice": choice,
            "HEADERS": {"HX-Request": "true"},
        }
    )


def forms_of(html: str) -> list[dict[str, Any]]:
    """Each vote form's fields, read from the HTML as an outside check would."""
    found = []
    for form in re.findall(r"<form[^>]*ws-send[^>]*>.*?</form>", html, re.S):
        hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
        if hidden.get("msg") != "vote":
            continue
        choices = re.findall(r'type="radio" name="choice" value="(\w+)"', form)
        found.append({**hidden, "choices": choices})
    return found


def engine_of(settings):  # type: ignore[no-untyped-def]
    return make_engine(settings.database_url)


def test_demo_stage_ballot_leaves_an_open_ballot_with_vote_forms(app, demo, settings) -> None:
    with (
        phone(app, demo["members"][0]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        snapshot = hello(ws)
    forms = forms_of(snapshot)
    assert len(forms) >= 3
    for form in forms:
        assert set(form) >= {"msg", "ballot_id", "recommendation_id", "client_key"}
        assert form["choices"] == ["yes", "no", "abstain"]
    assert len({f["ballot_id"] for f in forms}) == 1
    # the page itself carries the same forms once the socket's snapshot is in: /p is the shell
    assert 'ws-connect="/ws/participant"' in p.get("/p").text
    data = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}/results.json").json()
    assert data["status"] == "open" and data["members"] == 8 and data["turnout"] == 0
    assert data["rule"] == {
        "threshold_pct": 70,
        "denominator": "votes_cast",
        "strict": False,
        "scale": "yes_no_abstain",
    }
    assert [r["id"] for r in data["recommendations"]] == [
        int(f["recommendation_id"]) for f in forms
    ]
    for rec in data["recommendations"]:
        assert set(rec) == {"id", "title"}  # no counts, support_pct, label or passed at all


def test_ack_resend_replace_and_no_tally_while_open(
    app, demo, settings, facilitator_client
) -> None:
    aid = demo["assembly_id"]
    a, b = demo["members"][0], demo["members"][1]
    with (
        phone(app, a) as pa,
        pa.websocket_connect("/ws/participant", headers=WS) as wa,
        phone(app, b) as pb,
        pb.websocket_connect("/ws/participant", headers=WS) as wb,
    ):
        forms = forms_of(hello(wa))
        hello(wb)
        ballot_id, q1, q2 = (
            int(forms[0]["ballot_id"]),
            int(forms[0]["recommendation_id"]),
            int(forms[1]["recommendation_id"]),
        )
        wa.send_text(vote(ballot_id, q1, "vote-key-0001", "yes"))
        ack = receive_until(wa, 'id="vote-vote-key-0001"')
        assert re.search(r'id="vote-vote-key-0001" class="saved"', ack)
        wb.send_text(vote(ballot_id, q1, "vote-key-0003", "yes"))
        assert "vote-key-0001" not in until(wb, 'id="vote-vote-key-0003"')  # a's ack: a's only
        wa.send_text(vote(ballot_id, q1, "vote-key-0001", "yes"))  # resent: acked again
        assert 'class="saved"' in receive_until(wa, 'id="vote-vote-key-0001"')
        wa.send_text(vote(ballot_id, q1, "vote-key-0002", "no"))  # a new key replaces
        receive_until(wa, 'id="vote-vote-key-0002"')
        wa.send_text(vote(ballot_id, q1, "vote-key-0001", "yes"))  # an old key never undoes it
        receive_until(wa, 'id="vote-vote-key-0001"')
        wb.send_text(vote(ballot_id, q2, "vote-key-0004", "maybe"))
        refused = receive_until(wb, 'id="errors"')
        assert (
            'data-code="bad_choice"' in refused
            and 'id="vote-vote-key-0004" class="failed"' in refused
        )
        # while open: no tally in results.json, the console, or any event
        data = (
            TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}/results.json").json()
        )
        assert data["turnout"] == 2 and all(
            set(r) == {"id", "title"} for r in data["recommendations"]
        )
        console = facilitator_client.get(f"/f/a/{aid}/ballot").text
        assert "2 af 8 har stemt" in console
        assert 'class="verdict' not in console and "ballot-chart" not in console
        public = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}").text
        assert "ballot-chart" not in public and "2 deltagere har stemt indtil nu" in public
    with Session(engine_of(settings)) as db:
        assert Counter(r.choice for r in db.exec(select(BallotVote))) == {"no": 1, "yes": 1}
        assert len(list(db.exec(select(BallotVoter)))) == 2
        assert_no_choice_in_events(db, aid)
    # the close counts the last vote of each: a no and a yes
    with session_scope(engine_of(settings), write=True) as db:
        actions.do_close_ballot(db, db.get(Assembly, aid), ballot_id)
    data = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}/results.json").json()
    first = data["recommendations"][0]
    assert data["status"] == "closed" and data["turnout"] == 2
    assert first["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert first["support_pct"] == 50.0 and first["passed"] is False
    assert first["label"] == "Intet flertal"  # exactly 50 % is not "more than 50 %"


def until(ws: Any, pattern: str) -> str:
    """Everything a socket receives up to and including a message matching ``pattern``."""
    seen = []
    for _ in range(50):
        seen.append(str(ws.receive_text()))
        if re.search(pattern, seen[-1]):
            return "".join(seen)
    raise AssertionError(f"nothing matching {pattern!r}")


def assert_no_choice_in_events(db: Session, assembly_id: int) -> None:
    for event in db.exec(select(Event).where(Event.assembly_id == assembly_id)):
        if event.kind == "voted":
            assert set(event.payload) == {"ballot_id", "question_id", "member_id"}
        if event.kind == "ballot":
            ballot = event.payload["ballot"]
            if ballot["status"] == "open":
                assert ballot["results"] == []
        assert "choice" not in json.dumps(event.payload)


def test_the_database_holds_no_vote_linked_to_a_member(app, demo, settings) -> None:
    engine = engine_of(settings)
    with session_scope(engine) as db:
        ballot = actions.open_ballot(db, demo["assembly_id"])
        questions = [q.id for q in actions.questions_of(db, ballot.id)]
    for m in demo["members"][:4]:
        with session_scope(engine, write=True) as db:
            member = db.get(Member, m["id"])
            actions.do_vote(
                db, SECRET, member, ballot.id, questions[0], f"key-{m['id']:06d}", "yes"
            )
    columns = {c["name"] for c in inspect(engine).get_columns("ballotvote")}
    assert columns == {"voter_hash", "question_id", "choice", "paper"}  # no member, no time
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT voter_hash, question_id, choice FROM ballotvote")).all()
        member_ids = {str(m["id"]) for m in demo["members"]}
        for voter_hash, _question, _choice in rows:
            assert re.fullmatch(r"[0-9a-f]{64}", voter_hash) and voter_hash not in member_ids
        # without the install's secret the hash names nobody; with a wrong secret neither
        wrong = {
            actions.voter_hash("not-the-secret", ballot.id, questions[0], int(m))
            for m in member_ids
        }
        assert not wrong & {r[0] for r in rows}
        # the keys table holds hashes only
        keys = conn.execute(text("SELECT key_hash FROM ballotkey")).all()
        assert all(re.fullmatch(r"[0-9a-f]{64}", k[0]) for k in keys)
        # SQLite keeps the secret tables without a rowid (rows sit in hash order)
        with pytest.raises(Exception, match="rowid"):
            conn.execute(text("SELECT rowid FROM ballotvote")).all()


def test_paper_and_phone_never_both(app, demo, settings, facilitator_client) -> None:
    aid = demo["assembly_id"]
    engine = engine_of(settings)
    with session_scope(engine) as db:
        ballot = actions.open_ballot(db, aid)
        q = [x.id for x in actions.questions_of(db, ballot.id)]
    a, b = demo["members"][0], demo["members"][1]
    with phone(app, a) as pa, pa.websocket_connect("/ws/participant", headers=WS) as wa:
        hello(wa)
        wa.send_text(vote(ballot.id, q[0], "phone-a-001", "yes"))
        receive_until(wa, 'id="vote-phone-a-001"')
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', facilitator_client.get(f"/f/a/{aid}/ballot").text
    ).group(1)

    def paper(member_id: int, choices: dict[int, str]) -> str:
        form = {
            "csrf_token": csrf,
            "action": "paper",
            "ballot_id": ballot.id,
            "member_id": member_id,
        }
        form.update({f"choice_{k}": v for k, v in choices.items()})
        response = facilitator_client.post(
            f"/f/a/{aid}/ballot/act", data=form, follow_redirects=False
        )
        assert response.status_code == 303
        return response.headers["location"]

    assert paper(a["id"], {q[0]: "no"}).endswith("error=voted_by_phone")
    assert paper(b["id"], {q[0]: "no", q[1]: "abstain"}).endswith("done=paper")
    assert paper(b["id"], {q[0]: "yes"}).endswith("done=paper")  # typed again: corrected
    with phone(app, b) as pb, pb.websocket_connect("/ws/participant", headers=WS) as wb:
        hello(wb)
        wb.send_text(vote(ballot.id, q[0], "phone-b-001", "no"))
        assert 'data-code="voted_on_paper"' in receive_until(wb, 'id="errors"')
    page = facilitator_client.get(f"/f/a/{aid}/ballot").text
    assert "voted on the phone" in page or "stemt på telefonen" in page
    with session_scope(engine, write=True) as db:
        actions.do_close_ballot(db, db.get(Assembly, aid), ballot.id)
        view = actions.ballot_view(db, db.get(Ballot, ballot.id))
    assert view.result_for(q[0]).counts == {"yes": 2, "no": 0, "abstain": 0}
    assert view.result_for(q[1]).counts == {"yes": 0, "no": 0, "abstain": 1}
    assert view.turnout == 2


def test_close_shows_results_on_every_screen_and_the_cli(app, demo, settings, tmp_path) -> None:
    aid = demo["assembly_id"]
    engine = engine_of(settings)
    with session_scope(engine) as db:
        ballot = actions.open_ballot(db, aid)
        q = [x.id for x in actions.questions_of(db, ballot.id)]
    plan = {0: "yes", 1: "yes", 2: "no", 3: "abstain", 4: "yes"}
    proj = TestClient(app, base_url=ORIGIN)
    with (
        proj,
        proj.websocket_connect("/ws" + path_of(demo["projector_url"]), headers=WS) as pws,
        phone(app, demo["members"][5]) as p5,
        p5.websocket_connect("/ws/participant", headers=WS) as w5,
    ):
        hello(pws)
        hello(w5)
        for index, choice in plan.items():
            with (
                phone(app, demo["members"][index]) as p,
                p.websocket_connect("/ws/participant", headers=WS) as ws,
            ):
                hello(ws)
                ws.send_text(vote(ballot.id, q[0], f"close-{index:05d}", choice))
                receive_until(ws, f'id="vote-close-{index:05d}"')
        # the projector shows how many have voted, never how
        turnout = receive_until(pws, r"5 af 8 har stemt", limit=40)
        assert "bakker op" not in turnout
        with session_scope(engine, write=True) as db:
            events = actions.do_close_ballot(db, db.get(Assembly, aid), ballot.id)
            from app.agenda import do_set_scene

            events += do_set_scene(db, db.get(Assembly, aid), "results")
        app.state.hub.bell.set()
        shown = receive_until(pws, r"bakker op", limit=40)
        assert "60 % bakker op" in shown and "Ikke vedtaget" in shown and "ballot-chart" in shown
        phone_view = receive_until(w5, r"bakker op", limit=40)
        assert "60 % bakker op" in phone_view and "vote-form-" not in phone_view
    data = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}/results.json").json()
    assert data["recommendations"][0]["counts"] == dict(Counter(plan.values()))
    assert dict(Counter(plan.values())) == {"yes": 3, "no": 1, "abstain": 1}
    assert data["recommendations"][0]["support_pct"] == 60.0
    # the CLI prints the same JSON (nothing left open to close: exit 2)
    db_url = settings.database_url
    result = run_cli_db(tmp_path, db_url, "ballot", "results", "--assembly", str(aid), "--json")
    assert json.loads(result.stdout) == data
    result = run_cli_db(tmp_path, db_url, "ballot", "close", "--assembly", str(aid), "--json")
    assert result.returncode == 2 and result.stdout == ""


def run_cli_db(tmp_path: Path, url: str, *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SAMLING_SECRET_KEY": SECRET,
        "SAMLING_BASE_URL": ORIGIN,
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )


def test_cli_demo_stage_ballot_and_close(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "demo", "--members", "5", "--json", "--stage", "ballot")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"assembly_id", "facilitator", "projector_url", "members"} <= set(data)
    closed = run_cli(tmp_path, "ballot", "close", "--assembly", str(data["assembly_id"]), "--json")
    assert closed.returncode == 0, closed.stderr
    results = json.loads(closed.stdout)
    assert results["status"] == "closed" and len(results["recommendations"]) >= 3
    for rec in results["recommendations"]:
        assert rec["counts"] == {"yes": 0, "no": 0, "abstain": 0}
        assert rec["support_pct"] is None and rec["passed"] is False and rec["label"] == ""


def test_minority_statement_sequential_ballot_and_csv(
    app, demo, settings, facilitator_client
) -> None:
    aid = demo["assembly_id"]
    engine = engine_of(settings)
    page = facilitator_client.get(f"/f/a/{aid}/ballot").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with session_scope(engine) as db:
        first = actions.open_ballot(db, aid)
    # a second question, asked only after the first closes
    response = facilitator_client.post(
        f"/f/a/{aid}/ballot/act",
        data={
            "csrf_token": csrf,
            "action": "open",
            "title": "Hvilken model?",
            "questions": "Model A\nModel B",
            "follows_id": first.id,
            "threshold_pct": "50",
            "denominator": "cast_without_abstentions",
        },
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("done=open")
    with session_scope(engine) as db:
        second = db.exec(select(Ballot).where(Ballot.follows_id == first.id)).one()
        assert second.status == "planned"
    response = facilitator_client.post(
        f"/f/a/{aid}/ballot/act",
        data={"csrf_token": csrf, "action": "close", "ballot_id": first.id},
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("done=close")
    with session_scope(engine) as db:
        assert db.get(Ballot, second.id).status == "open"
        question = actions.questions_of(db, first.id)[0]
    response = facilitator_client.post(
        f"/f/a/{aid}/ballot/act",
        data={
            "csrf_token": csrf,
            "action": "statement",
            "ballot_id": first.id,
            "question_id": question.id,
            "text": "Vi mener, at <b>caféer</b> bør være frivillige.",
        },
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("done=statement")
    csv_text = facilitator_client.get(f"/f/a/{aid}/ballot/{first.id}/results.csv").text
    assert csv_text.splitlines()[0] == "id,title,yes,no,abstain,support_pct,passed,label,statements"
    assert "frivillige" in csv_text
    assert facilitator_client.get(f"/f/a/{aid}/ballot/{second.id}/results.csv").status_code == 404
    public = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}").text
    assert "&lt;b&gt;caféer&lt;/b&gt;" in public  # escaped
    data = TestClient(app, base_url=ORIGIN).get(f"/a/{demo['assembly_code']}/results.json").json()
    assert data["status"] == "open" and data["title"] == "Hvilken model?"  # the open one now


def test_agreement_check_reveal(app, demo, settings) -> None:
    aid = demo["assembly_id"]
    engine = engine_of(settings)
    with session_scope(engine, write=True) as db:
        assembly = db.get(Assembly, aid)
        draft_id = actions.questions_of(db, actions.open_ballot(db, aid).id)[0].draft_id
        check, _events = actions.do_open_check(db, assembly, "Stemningsbillede", [draft_id])
        question = actions.questions_of(db, check.id)[0]
        assert question.draft_version == 1
    for index, answer in enumerate(["5", "4", "4", "2"]):
        with session_scope(engine, write=True) as db:
            member = db.get(Member, demo["members"][index]["id"])
            actions.do_vote(db, SECRET, member, check.id, question.id, f"chk-{index:05d}", answer)
    with (
        phone(app, demo["members"][6]) as p,
        p.websocket_connect("/ws/participant", headers=WS) as ws,
    ):
        forms = [f for f in forms_of(hello(ws)) if int(f["ballot_id"]) == check.id]
        assert forms[0]["choices"] == ["1", "2", "3", "4", "5"]
    with session_scope(engine, write=True) as db:
        actions.do_reveal_check(db, db.get(Assembly, aid), check.id)
        view = actions.ballot_view(db, db.get(Ballot, check.id))
    assert view.results[0].counts == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}


def test_equivalence_for_ballot_events(app, demo, settings) -> None:
    """apply(events, snapshot before) == snapshot after, for every ballot action."""
    engine = engine_of(settings)
    aid = demo["assembly_id"]

    def check(action) -> None:  # type: ignore[no-untyped-def]
        assert_events_rebuild_snapshot(engine, aid, action)

    with session_scope(engine) as db:
        ballot = actions.open_ballot(db, aid)
        q = [x.id for x in actions.questions_of(db, ballot.id)]
    ids = [m["id"] for m in demo["members"]]

    def member(db, i):  # type: ignore[no-untyped-def]
        return db.get(Member, ids[i])

    check(
        lambda db: actions.do_vote(db, SECRET, member(db, 0), ballot.id, q[0], "eq-000001", "yes")
    )
    check(lambda db: actions.do_vote(db, SECRET, member(db, 1), ballot.id, q[1], "eq-000002", "no"))
    check(
        lambda db: actions.do_paper_vote(
            db, SECRET, db.get(Assembly, aid), ballot.id, ids[2], {q[0]: "abstain", q[2]: "yes"}
        )
    )
    check(lambda db: actions.do_close_ballot(db, db.get(Assembly, aid), ballot.id))
    check(
        lambda db: actions.do_add_statement(
            db, db.get(Assembly, aid), db.exec(select(Facilitator)).first(), q[0], "Vi er uenige."
        )
    )
    draft_id = demo_draft(engine, q[0])
    check(
        lambda db: actions.do_open_check(db, db.get(Assembly, aid), "Hvor enige er vi?", [draft_id])
    )
    with session_scope(engine) as db:
        chk = actions.open_ballot(db, aid, "check")
        cq = actions.questions_of(db, chk.id)[0].id
    check(lambda db: actions.do_vote(db, SECRET, member(db, 3), chk.id, cq, "eq-000003", "4"))
    check(lambda db: actions.do_reveal_check(db, db.get(Assembly, aid), chk.id))


def demo_draft(engine, question_id: int) -> int:  # type: ignore[no-untyped-def]
    from app.ballot.models import BallotQuestion

    with session_scope(engine) as db:
        return int(db.get(BallotQuestion, question_id).draft_id)

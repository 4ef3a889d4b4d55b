"""The public record and the report through the contract: `demo --stage done`, `samling report`
(every format, exit 2 on an unknown assembly, format or language), the HTML report and the
public page against results.json, no member's name or code anywhere public, the Atom feed,
the response tracker, observers, the anonymous evaluation, retention, equivalence."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import zipfile
from html import unescape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.db import make_engine, session_scope
from app.formats import percent
from app.models import Assembly, Member
from app.record import actions
from app.record.models import CouncilResponse, SurveyAnswer, SurveyRespondent
from tests.app.test_cli_demo import run_cli
from tests.app.test_hub import assert_events_rebuild_snapshot
from tests.conftest import ORIGIN, csrf_of, login, path_of

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def demo(settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from app.demo import create_demo

    return create_demo(settings, members=12, seed=5, stage="done")


def shown_support(value: float, lang: str) -> str:
    """How a page writes results.json's support_pct ("80 %", "72,5 %"; "72.5%")."""
    return percent(value, lang, 1 if value != round(value) else 0)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def personal(demo: dict[str, Any]) -> list[str]:  # type: ignore[type-arg]
    """Every member's name, code and join token: none may appear anywhere public."""
    found = []
    for m in demo["members"]:
        found += [m["name"], m["code"], m["join_url"].rsplit("/", 1)[1]]
    return found


def assert_results_named(html: str, results: dict[str, Any], lang: str) -> None:
    text = " ".join(text_of(html).split())
    assert results["recommendations"], "no recommendations"
    for rec in results["recommendations"]:
        assert rec["title"] in text
        assert f"{shown_support(rec['support_pct'], lang)}" in text, rec
        assert f'data-support="{rec["support_pct"]}"' in html


# -- the contract ----------------------------------------------------------------------------


def test_demo_stage_done_then_report_cli(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "demo", "--members", "10", "--json", "--stage", "done")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    aid = str(data["assembly_id"])
    shown = json.loads(run_cli(tmp_path, "ballot", "results", "--assembly", aid, "--json").stdout)
    assert shown["status"] == "closed"
    assert all("support_pct" in r for r in shown["recommendations"])
    assert sum(len(r.get("minority_statements", [])) for r in shown["recommendations"]) == 1
    db = sqlite3.connect(tmp_path / "demo.sqlite3")
    assert db.execute("select count(distinct question_id) from councilresponse").fetchone()[0] == 1

    for fmt, lang in (("html", "da"), ("html", "en"), ("md", "da"), ("pdf", "en"), ("csv", "da")):
        out = tmp_path / f"report-{lang}.{fmt}"
        done = run_cli(
            tmp_path,
            "report",
            "--assembly",
            aid,
            "--format",
            fmt,
            "--lang",
            lang,
            "--out",
            str(out),
        )
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    html = (tmp_path / "report-da.html").read_text()
    assert_results_named(html, shown, "da")
    assert_results_named((tmp_path / "report-en.html").read_text(), shown, "en")
    assert html.startswith("<!doctype html>") and '<html lang="da">' in html
    assert "<script" not in html  # a self-contained, printable document
    for secret in personal(data):
        assert secret not in html
        assert secret not in (tmp_path / "report-da.md").read_text()
    assert (tmp_path / "report-en.pdf").read_bytes().startswith(b"%PDF")
    names = zipfile.ZipFile(tmp_path / "report-da.csv").namelist()
    assert {"recommendations.csv", "responses.csv", "notes.csv"} <= set(names)

    for args, said in (
        (("--assembly", "999", "--format", "html", "--lang", "da"), "no assembly 999"),
        (("--assembly", aid, "--format", "docx", "--lang", "da"), "unknown format"),
        (("--assembly", aid, "--format", "html", "--lang", "fr"), "unknown language"),
    ):
        out = tmp_path / "never.html"
        refused = run_cli(tmp_path, "report", *args, "--out", str(out))
        assert refused.returncode == 2
        assert said in refused.stderr
        assert not out.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils absent")
def test_pdf_opens_and_every_recommendation_extracts(demo, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.clock import utcnow
    from app.record.report import build

    engine = make_engine(settings.database_url)
    with session_scope(engine) as db:
        assembly = db.get(Assembly, demo["assembly_id"])
        pdf = build(db, assembly, "pdf", "da", utcnow().date())
        from app.ballot.results import results_json

        results = results_json(db, assembly)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for rec in results["recommendations"]:
        assert rec["title"] in flat
        assert shown_support(rec["support_pct"], "da") in flat
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    if info:
        assert re.search(r"Tagged:\s+yes", info)


def test_public_page_names_results_and_responses_without_names(client, demo) -> None:  # type: ignore[no-untyped-def]
    code = demo["assembly_code"]
    results = client.get(f"/a/{code}/results.json").json()
    for lang in ("da", "en"):
        client.cookies.clear()
        page = client.get(f"/a/{code}", headers={"accept-language": lang})
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.text
        assert_results_named(page.text, results, lang)
        for section in ("responses", "selection", "process-log", "evaluation", "results"):
            assert f'id="{section}"' in page.text
        for secret in personal(demo):
            assert secret not in page.text
        assert f'href="/a/{code}/feed.atom"' in page.text


def test_atom_feed_is_valid_and_carries_each_response(client, demo) -> None:  # type: ignore[no-untyped-def]
    feed = client.get(f"/a/{demo['assembly_code']}/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, ns) is not None
    entries = root.findall("a:entry", ns)
    assert len(entries) == 3  # the results, two steps of one response
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated"):
            assert (entry.find(required, ns).text or "").strip()
    ids = [e.find("a:id", ns).text for e in entries]
    assert len(set(ids)) == len(ids)
    for secret in personal(demo):
        assert secret not in feed.text


# -- the console: responses, statement, observers, surveys ----------------------------------


def _act(client: TestClient, aid: int, **fields: str) -> str:
    token = csrf_of(client, f"/f/a/{aid}/record")
    done = client.post(
        f"/f/a/{aid}/record/act", data={"csrf_token": token, **fields}, follow_redirects=False
    )
    assert done.status_code == 303
    return str(done.headers["location"])


def test_console_records_responses_as_a_timeline(facilitator_client, demo, settings) -> None:  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    page = facilitator_client.get(f"/f/a/{aid}/record")
    assert page.status_code == 200
    question = int(re.findall(r'name="question_id" value="(\d+)"', page.text)[1])
    where = _act(
        facilitator_client,
        aid,
        action="response",
        question_id=str(question),
        status="pilot",
        responded_on="2027-02-01",
        body="Regionsrådet",
        justification="Et forsøg i to kommuner <b>først</b>",
        links="https://example.org/sag/1",
    )
    assert "done=response" in where
    refused = _act(
        facilitator_client,
        aid,
        action="response",
        question_id=str(question),
        status="pilot",
        links="javascript:alert(1)",
    )
    assert "error=bad_link" in refused
    assert "error=bad_status" in _act(
        facilitator_client, aid, action="response", question_id=str(question), status="maybe"
    )
    public = facilitator_client.get(f"/a/{demo['assembly_code']}").text
    assert "Et forsøg i to kommuner &lt;b&gt;først&lt;/b&gt;" in public
    assert 'datetime="2027-02-01"' in public
    _act(
        facilitator_client,
        aid,
        action="response",
        question_id=str(question),
        status="adopted",
        responded_on="2027-03-01",
    )
    engine = make_engine(settings.database_url)
    with session_scope(engine) as db:
        steps = actions.responses_of(db, aid)[question]
        assert [s.status for s in steps] == ["pilot", "adopted"]  # every change kept, by date

    assert "done=statement" in _act(
        facilitator_client, aid, action="statement", statement="Vi anbefaler."
    )
    download = facilitator_client.get(f"/f/a/{aid}/record/report?format=html&lang=en")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert "Vi anbefaler." in download.text


def test_observer_link_is_read_only_revocable_and_nameless(facilitator_client, demo) -> None:  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    _act(facilitator_client, aid, action="observers_on")
    page = facilitator_client.get(f"/f/a/{aid}/record").text
    url = re.search(r'id="observer-url">([^<]+)<', page).group(1)
    with TestClient(facilitator_client.app, base_url=ORIGIN) as anonymous:
        seen = anonymous.get(path_of(url))
        assert seen.status_code == 200
        assert "<form" not in seen.text.split("<main", 1)[1]  # no actions
        for secret in personal(demo):
            assert secret not in seen.text
        assert 'id="notes-obs-h"' not in seen.text  # notes only when the organiser allows
        live = anonymous.get(path_of(url) + "?part=live")
        assert 'id="observer-live"' in live.text
        _act(facilitator_client, aid, action="observers_on")  # a new link: the old one stops
        assert anonymous.get(path_of(url)).status_code == 404


def test_survey_answers_are_stored_without_the_member(app, demo, settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]
    with TestClient(app, base_url=ORIGIN) as c:
        login(c, demo["facilitator"]["email"], demo["facilitator"]["password"])
        _act(c, aid, action="survey_open", title="Hvordan var i dag?", kind="gathering")
    with session_scope(engine) as db:
        survey = actions.surveys_of(db, aid)[-1]
        before = len(list(db.exec(select(SurveyAnswer))))
    member = demo["members"][0]
    with TestClient(app, base_url=ORIGIN) as phone:
        phone.get(path_of(member["join_url"]))
        stage = phone.get("/p")
        assert stage.status_code == 200
        form = phone.get(f"/p/survey/{survey.id}")
        assert form.text.count('type="radio"') == 30
        token = csrf_of(phone, f"/p/survey/{survey.id}")
        sent = phone.post(
            f"/p/survey/{survey.id}",
            data={"csrf_token": token, "understood_task": "5", "listened_to": "2", "x": "9"},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        again = phone.post(f"/p/survey/{survey.id}", data={"csrf_token": token, "could_speak": "4"})
        assert "Thank you" in again.text or "Tak" in again.text
    with session_scope(engine) as db:
        rows = list(db.exec(select(SurveyAnswer)))
        assert len(rows) == before + 1
        mine = [r for r in rows if r.survey_id == survey.id]
        assert mine[0].answers == {"understood_task": 5, "listened_to": 2}
        assert set(SurveyAnswer.model_fields) == {"answer_key", "survey_id", "answers"}
        who = list(db.exec(select(SurveyRespondent).where(SurveyRespondent.survey_id == survey.id)))
        assert [w.member_id for w in who] == [member["id"]]


def test_equivalence_of_the_record_events(demo, settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    aid = demo["assembly_id"]

    def check(action) -> None:  # type: ignore[no-untyped-def]
        assert_events_rebuild_snapshot(engine, aid, lambda db: action(db, db.get(Assembly, aid)))

    opened: dict[str, int] = {}

    def open_survey(db, a):  # type: ignore[no-untyped-def]
        survey, events = actions.do_open_survey(db, a, "gathering", "Dag 1")
        opened["id"] = survey.id
        return events

    check(open_survey)
    check(
        lambda db, a: actions.do_answer_survey(
            db, db.get(Member, demo["members"][1]["id"]), opened["id"], {"could_speak": "4"}
        )
    )
    check(lambda db, a: actions.do_close_survey(db, a, opened["id"]))
    check(lambda db, a: actions.do_set_statement(db, a, "Vores udtalelse"))
    check(lambda db, a: actions.do_observer_link(db, a, True))
    check(
        lambda db, a: actions.do_record_settings(
            db, a, actions.SettingsChange("Regionsrådet", True, False, 30)
        )
    )
    with session_scope(engine) as db:
        question = actions.final_questions(db, aid)[0].id
    check(
        lambda db, a: actions.do_add_response(db, a, actions.ResponseSpec(question, "adopted"))[1]
    )
    from app.record.retention import do_apply_retention

    check(lambda db, a: do_apply_retention(db, a))


# -- retention -------------------------------------------------------------------------------


def test_retention_shows_then_removes_everything_personal(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    data = json.loads(
        run_cli(tmp_path, "demo", "--members", "12", "--json", "--stage", "done").stdout
    )
    aid = str(data["assembly_id"])
    path = tmp_path / "demo.sqlite3"

    def dump() -> str:
        con = sqlite3.connect(path)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()

    secrets = personal(data)
    before = dump()
    assert all(s in before for s in [m["name"] for m in data["members"]])  # the check can fail
    assert all(m["code"] in before for m in data["members"])
    shown = run_cli(tmp_path, "retention", "--assembly", aid)
    assert shown.returncode == 0 and "members with a name" in shown.stdout
    assert dump() == before  # showing changes nothing
    early = run_cli(tmp_path, "retention", "--assembly", aid, "--apply")
    assert early.returncode == 2 and "not over" in early.stderr  # the demo's period runs a year
    applied = run_cli(tmp_path, "retention", "--assembly", aid, "--apply", "--now")
    assert applied.returncode == 0, applied.stderr
    after = dump()
    for secret in secrets:
        assert secret not in after, secret
    con = sqlite3.connect(path)
    assert con.execute("select count(*) from note where member_id is not null").fetchone()[0] == 0
    assert con.execute("select count(*) from ballotvoter").fetchone()[0] == 0
    assert con.execute("select count(*) from surveyrespondent").fetchone()[0] == 0
    assert con.execute("select count(*) from member where attributes != '{}'").fetchone()[0] == 0
    assert con.execute("select count(*) from note").fetchone()[0] > 0  # words stay
    assert con.execute("select count(*) from ballotvote").fetchone()[0] > 0  # votes stay
    assert con.execute("select count(*) from surveyanswer").fetchone()[0] > 0  # answers stay
    con.close()
    results = json.loads(run_cli(tmp_path, "ballot", "results", "--assembly", aid, "--json").stdout)
    assert (
        results["status"] == "closed" and results["recommendations"][0]["support_pct"] is not None
    )
    # the old join links open nothing
    report = run_cli(tmp_path, "report", "--assembly", aid, "--format", "md", "--out", "r.md")
    assert report.returncode == 0, report.stderr
    assert run_cli(tmp_path, "retention", "--assembly", "999").returncode == 2


def test_start_up_check_applies_a_passed_period(settings, demo) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.clock import utcnow
    from app.record.retention import check_all

    engine = make_engine(settings.database_url)
    with session_scope(engine, write=True) as db:
        later = utcnow().date() + timedelta(days=400)
        assert check_all(db, utcnow().date()) == []  # the demo's period is not over
        assert check_all(db, later) == [demo["assembly_id"]]
    with session_scope(engine) as db:
        names = {m.name for m in db.exec(select(Member))}
        assert names == {"–"}
        assert db.exec(select(CouncilResponse)).first() is not None

"""30 phones vote on the final ballot; some change their vote, one is offline in the middle; two
paper ballots are typed on the console; the ballot closes; the projector, a phone, the public
page and results.json all equal an independent count kept by this test. No screen showed a tally
while the ballot was open; axe-core is clean on the new pages.

Four phones are Chromium pages (one of them offline mid-way with context.set_offline); 24 are
driven through the documented websocket protocol (docs/protocol.md), as bench/protocol_client.py
does — 30 browser contexts do not fit beside the server on a 2-core machine. Two members vote on
paper only.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from websockets.sync.client import connect

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(300)
SHOTS = Path("/tmp/samling-ballot-shots")
CHOICES = ("yes", "no", "abstain")
LABELS = {"yes": "Ja", "no": "Nej", "abstain": "Blank"}


@pytest.fixture
def ballot_demo(live: Any) -> dict[str, Any]:
    return json.loads(live.cli("demo", "--members", "30", "--json", "--stage", "ballot"))


class ProtocolPhone:
    """A phone that speaks the websocket protocol: join link → cookie, hello, votes, acks."""

    def __init__(self, base: str, join_url: str, stack: contextlib.ExitStack) -> None:
        response = httpx2.get(join_url, follow_redirects=False)
        assert response.status_code == 303
        cookie = f"samling={response.cookies['samling']}"
        ws_url = base.replace("http://", "ws://") + "/ws/participant"
        self.ws = stack.enter_context(
            connect(ws_url, origin=base, additional_headers={"Cookie": cookie})  # type: ignore[arg-type]
        )
        self.ws.send(json.dumps({"msg": "hello"}))
        self.snapshot = self.until('id="stage"')

    def until(self, pattern: str) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = str(self.ws.recv(timeout=30))
            if re.search(pattern, text):
                return text
        raise AssertionError(f"nothing matching {pattern!r}")

    def vote(self, ballot_id: str, question: str, key: str, choice: str) -> None:
        message = {
            "msg": "vote",
            "ballot_id": ballot_id,
            "recommendation_id": question,
            "client_key": key,
            "choice": choice,
        }
        self.ws.send(json.dumps(message))
        ack = self.until(f'id="vote-{key}"')
        assert f'id="vote-{key}" class="saved"' in ack


def vote_in_browser(page: Any, question: str, choice: str) -> None:
    form = page.locator(f"#vote-form-{question}")
    form.get_by_label(LABELS[choice], exact=True).check()
    form.locator("button[type=submit]").click()


def inside(page: Any, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= size["width"] + 1, selector


def test_thirty_phones_two_paper_ballots_close_and_every_screen_agrees(  # noqa: PLR0915
    new_page: Any, live: Any, ballot_demo: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    demo = ballot_demo
    members = demo["members"]
    assert len(members) == 30
    expected: dict[str, dict[int, str]] = {}  # question → member id → the choice that counts

    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#conn[data-state=open]")
    projector.wait_for_selector(".ballot-scene")

    # four Chromium phones
    phones = []
    for member in members[:4]:
        page = new_page(PHONE, is_mobile=True, has_touch=True)
        page.goto(member["join_url"])
        page.wait_for_selector("form[data-outbox=vote]")
        phones.append(page)
    questions = phones[0].eval_on_selector_all(
        "form[data-outbox=vote] input[name=recommendation_id]", "els => els.map(e => e.value)"
    )
    ballot_id = phones[0].eval_on_selector(
        "form[data-outbox=vote] input[name=ballot_id]", "e => e.value"
    )
    assert len(questions) == 4
    for q in questions:
        expected[q] = {}
    phones[0].screenshot(path=str(SHOTS / "phone-ballot-390x844.png"))
    inside(phones[0], f"#vote-form-{questions[0]} button[type=submit]")
    assert_accessible(phones[0])

    plan = [[CHOICES[(m + q) % 3] for q in range(4)] for m in range(30)]

    def record(index: int, q_index: int, choice: str) -> None:
        expected[questions[q_index]][members[index]["id"]] = choice

    # phones 0–2 vote in the browser; phone 1 changes its mind on the first recommendation
    for index, page in enumerate(phones[:3]):
        for q_index, q in enumerate(questions):
            vote_in_browser(page, q, plan[index][q_index])
            page.wait_for_selector(f"#vote-status-{q} .saved")
            record(index, q_index, plan[index][q_index])
    vote_in_browser(phones[1], questions[0], "no")
    phones[1].wait_for_function(
        f"document.querySelector('#vote-status-{questions[0]} .saved')"
        f" && document.querySelector('#vote-status-{questions[0]}').textContent.includes('Nej')"
    )
    record(1, 0, "no")
    phones[1].screenshot(path=str(SHOTS / "phone-ballot-voted.png"))

    # phone 3 goes offline in the middle: one vote sent, two cast offline, then back
    offline = phones[3]
    vote_in_browser(offline, questions[0], plan[3][0])
    offline.wait_for_selector(f"#vote-status-{questions[0]} .saved")
    record(3, 0, plan[3][0])
    offline.context.set_offline(True)
    vote_in_browser(offline, questions[1], plan[3][1])
    vote_in_browser(offline, questions[2], "yes")
    vote_in_browser(offline, questions[2], "no")  # changed while offline: the last one counts
    offline.wait_for_selector(f"#vote-status-{questions[1]}.pending")
    key = f"samling-outbox-v1-{members[3]['id']}"
    pending = offline.evaluate(f"Object.values(JSON.parse(localStorage.getItem('{key}')))")
    assert sorted((p["recommendation_id"], p["choice"]) for p in pending) == sorted(
        [(questions[1], plan[3][1]), (questions[2], "no")]
    )
    record(3, 1, plan[3][1])
    record(3, 2, "no")

    # 24 protocol phones; every fifth changes its vote on recommendation 2 with a new key
    others = []
    stack = contextlib.ExitStack()
    for index in range(4, 28):
        phone = ProtocolPhone(live.base, members[index]["join_url"], stack)
        assert 'data-outbox="vote"' in phone.snapshot and "bakker op" not in phone.snapshot
        for q_index, q in enumerate(questions):
            phone.vote(ballot_id, q, f"p{index:02d}-q{q_index}-a", plan[index][q_index])
            record(index, q_index, plan[index][q_index])
        if index % 5 == 0:
            changed = CHOICES[(CHOICES.index(plan[index][1]) + 1) % 3]
            phone.vote(ballot_id, questions[1], f"p{index:02d}-q1-b", changed)
            phone.vote(ballot_id, questions[1], f"p{index:02d}-q1-a", plan[index][1])  # old key
            record(index, 1, changed)
        others.append(phone)

    offline.context.set_offline(False)
    offline.wait_for_function(
        f"document.querySelector('#vote-status-{questions[2]} .saved')", timeout=60_000
    )
    offline.wait_for_function(f"localStorage.getItem('{key}') === '{{}}'", timeout=30_000)

    # two paper ballots on the console; a phone voter's paper ballot is refused
    console = new_page({"width": 1180, "height": 820})
    login(console, live, demo)
    console.goto(f"{live.base}/f/a/{demo['assembly_id']}/ballot")
    for index in (28, 29):
        console.locator("details.paper-ballot summary").click()
        console.select_option("select[name=member_id]", str(members[index]["id"]))
        for q_index, q in enumerate(questions):
            console.check(f"input[name=choice_{q}][value={plan[index][q_index]}]")
            record(index, q_index, plan[index][q_index])
        console.get_by_role("button", name="Gem stemmesedlen").click()
        console.wait_for_selector("p.ok")
    disabled = console.locator(f"select[name=member_id] option[value='{members[5]['id']}']")
    assert disabled.is_disabled()  # voted on the phone: no paper ballot for them

    # while open: no tally anywhere
    console.wait_for_selector("text=30 af 30 har stemt", timeout=15_000)
    assert console.locator(".verdict, .ballot-chart").count() == 0
    console.screenshot(path=str(SHOTS / "console-ballot-open.png"), full_page=True)
    assert_accessible(console)
    projector.wait_for_selector("text=30 af 30 har stemt")
    assert projector.locator(".verdict, .ballot-chart").count() == 0
    projector.screenshot(path=str(SHOTS / "projector-turnout-1920.png"))
    data = httpx2.get(f"{live.base}/a/{demo['assembly_code']}/results.json").json()
    assert data["status"] == "open" and data["turnout"] == 30
    assert all(set(r) == {"id", "title"} for r in data["recommendations"])
    public = new_page({"width": 1280, "height": 800})
    public.goto(demo["public_url"])
    assert public.locator(".ballot-chart, .verdict").count() == 0

    # close from the console: every screen shows the results at once
    console.get_by_role("button", name="Luk afstemningen, og vis resultaterne").click()
    console.wait_for_selector(".ballot-closed .verdict")
    projector.wait_for_selector(".results-big .verdict", timeout=15_000)
    phones[0].wait_for_selector("#ballot .verdict", timeout=15_000)

    independent = {q: Counter(expected[q].values()) for q in questions}
    assert [sum(c.values()) for c in independent.values()] == [30, 30, 30, 29]  # 3 skipped one
    data = httpx2.get(f"{live.base}/a/{demo['assembly_code']}/results.json").json()
    assert data["status"] == "closed" and data["turnout"] == 30 and data["members"] == 30
    for rec in data["recommendations"]:
        count = independent[str(rec["id"])]
        assert rec["counts"] == {c: count[c] for c in CHOICES}
        support = round(100 * count["yes"] / sum(count.values()), 1)  # of the votes cast
        assert rec["support_pct"] == support and rec["passed"] == (support >= 70)

    def shown_counts(page: Any, selector: str) -> list[dict[str, int]]:
        rows = []
        for item in page.locator(selector).all():
            legend = item.locator(".ballot-legend").inner_text()
            numbers = dict(re.findall(r"(Ja|Nej|Blank): (\d+)", legend))
            rows.append({c: int(numbers[LABELS[c]]) for c in CHOICES})
        return rows

    want = [{c: independent[q][c] for c in CHOICES} for q in questions]
    assert shown_counts(projector, ".results-big .result-item") == want
    assert shown_counts(phones[0], "#ballot .result-item") == want
    public.goto(demo["public_url"])
    assert shown_counts(public, ".public-results .result-item") == want
    projector.screenshot(path=str(SHOTS / "projector-results-1920.png"))
    inside(projector, ".results-big .result-item h3")
    phones[0].locator("#ballot").screenshot(path=str(SHOTS / "phone-results.png"))
    public.screenshot(path=str(SHOTS / "public-results.png"), full_page=True)
    assert_accessible(public)
    assert_accessible(phones[0])
    assert_accessible(projector)

    small = new_page({"width": 1280, "height": 720})
    small.goto(demo["projector_url"])
    small.wait_for_selector(".results-big .verdict")
    small.screenshot(path=str(SHOTS / "projector-results-1280.png"))

    # the database holds no vote linked to a member: the vote table has no member column
    db = sqlite3.connect(live.env["DATABASE_URL"].removeprefix("sqlite:///"))
    columns = [row[1] for row in db.execute("PRAGMA table_info(ballotvote)")]
    votes = db.execute("SELECT count(*) FROM ballotvote").fetchone()[0]
    db.close()
    assert columns == ["voter_hash", "question_id", "choice", "paper"] and votes == 119
    stack.close()
    assert urlsplit(demo["public_url"]).path.startswith("/a/")

"""A gathering with the programme (issue 14): twelve members register attendance three ways
(four from the console's list by name, four by the join card's QR code, four on their phones
with the code on the projector), the expert talk is open, phones send and back questions, the
facilitator merges two duplicates and marks one answered, the projector's order follows the
votes live, members leave; the hours and who-is-in-the-room-by-criterion equal this test's own
count from the database; the programme and the material are on the public page; axe-core is
clean on every new page.

The camera cannot be driven in headless Chromium (no camera, and BarcodeDetector is missing on
Linux), so the scan path is tested by typing what the scanner would read (the join link) into
the scan form the camera fills, and submitting it as programme.js does. Three phones are
Chromium pages; the other phones speak the documented websocket protocol (docs/protocol.md),
as in test_ballot.py, because a dozen browser contexts do not fit beside the server on two cores.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_ballot import ProtocolPhone, inside
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(420)
SHOTS = Path("/tmp/samling-programme-shots")
LOCAL = ZoneInfo("Europe/Copenhagen")
CONSOLE = {"width": 1180, "height": 820}


@pytest.fixture
def questions_demo(live: Any) -> dict[str, Any]:
    return json.loads(live.cli("demo", "--members", "12", "--json", "--stage", "questions"))


def projector_order(page: Any) -> list[tuple[int, int]]:
    return page.eval_on_selector_all(
        "#projector-questions [data-question-id]",
        "els => els.map(e => [Number(e.dataset.questionId), Number(e.dataset.votes)])",
    )


def expected_order(backers: dict[int, set[int]], shown: list[int]) -> list[tuple[int, int]]:
    """This test's own count: most backers first, the older question on a tie."""
    return sorted(((q, len(backers[q])) for q in shown), key=lambda p: (-p[1], p[0]))


def wait_for_order(page: Any, want: list[tuple[int, int]]) -> None:
    page.wait_for_function(
        """want => {
          const got = [...document.querySelectorAll('#projector-questions [data-question-id]')]
            .map(e => [Number(e.dataset.questionId), Number(e.dataset.votes)]);
          return JSON.stringify(got) === JSON.stringify(want);
        }""",
        arg=[list(p) for p in want],
        timeout=15_000,
    )


def clamp(arrived: datetime, left: datetime | None, start: datetime, end: datetime) -> int:
    """This test's own clamp (not the app's): minutes inside the gathering."""
    assert left is not None
    a, b = max(arrived, start), min(left, end)
    return max(0, int((b - a).total_seconds() // 60))


def parse_db_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo("UTC"))


def test_a_gathering_with_attendance_questions_and_the_public_programme(  # noqa: PLR0915
    new_page: Any, live: Any, questions_demo: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    demo = questions_demo
    aid = demo["assembly_id"]
    members = demo["members"]
    assert len(members) == 12
    database = live.env["DATABASE_URL"].removeprefix("sqlite:///")

    console = new_page(CONSOLE, has_touch=True)
    login(console, live, demo)
    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#conn[data-state=open]")
    projector.wait_for_selector("#stage[data-scene=questions]")

    # -- attendance, way 1: the console's list, found by name, one tap each ----------------
    console.goto(f"{live.base}/f/a/{aid}/attendance")
    for member in members[:4]:
        console.fill("#att-search", member["name"])
        row = console.locator(f"#att-{member['id']}")
        assert console.locator("#att-list li:not([hidden])").count() >= 1
        row.get_by_role("button", name=re.compile("Registrér fremmøde")).click()
        console.wait_for_selector(f"#att-{member['id']}.present")
    console.fill("#att-search", "")
    inside(console, f"#att-{members[0]['id']} button")
    console.screenshot(path=str(SHOTS / "console-attendance-1180x820.png"))

    # -- way 2: the join card's QR, as the camera would read it (see the module docstring) ---
    for member in members[4:8]:
        console.fill("#scan-input", member["join_url"])
        console.locator("#scan-form button[type=submit]").click()
        console.wait_for_selector(f"#scan-result [data-code=ok]:has-text('{member['name']}')")
    console.fill("#scan-input", f"{live.base}/join/not-a-card")
    console.locator("#scan-form button[type=submit]").click()
    console.wait_for_selector("#scan-result [data-code=unknown_card]")

    # -- way 3: phones, with the code the projector shows ------------------------------------
    console.goto(f"{live.base}/f/a/{aid}/attendance")
    console.get_by_role("button", name="Åbn for fremmøde på telefonen").click()
    code = console.locator("#self .code").inner_text().strip()
    projector.wait_for_selector(f".checkin-code-box strong:has-text('{code}')")
    projector.screenshot(path=str(SHOTS / "projector-checkin-code-1920x1080.png"))
    phones = []
    for member in members[8:11]:
        page = new_page(PHONE, is_mobile=True, has_touch=True)
        page.goto(member["join_url"])
        page.wait_for_selector("#checkin-form")
        assert code not in page.content()  # only the projector shows it
        page.fill("#checkin-code", code)
        page.locator("#checkin-form button").click()
        page.wait_for_selector("#checked-in")
        phones.append(page)
    stack = contextlib.ExitStack()
    others = [ProtocolPhone(live.base, m["join_url"], stack) for m in members[11:]]
    others[0].ws.send(json.dumps({"msg": "checkin", "code": code}))
    others[0].until('id="checked-in"')
    console.reload()
    console.get_by_role("button", name="Luk for fremmøde på telefonen").click()

    # who is present, by method, from the database (the test's own record)
    db = sqlite3.connect(database)
    methods = dict(db.execute("SELECT member_id, method FROM attendance"))
    attributes = {
        mid: json.loads(attrs)
        for mid, attrs in db.execute(
            "SELECT id, attributes FROM member WHERE assembly_id = ?", (aid,)
        )
    }
    db.close()
    ids = [m["id"] for m in members]
    assert methods == {
        **dict.fromkeys(ids[:4], "list"),
        **dict.fromkeys(ids[4:8], "scan"),
        **dict.fromkeys(ids[8:], "phone"),
    }

    # -- presence against the strata: the page equals this test's count -----------------------
    console.goto(f"{live.base}/f/a/{aid}/attendance")
    present = set(ids)
    present -= {ids[0], ids[5]}  # two leave early
    for mid in (ids[0], ids[5]):
        console.locator(f"#att-{mid}").get_by_role(
            "button", name=re.compile("Registrér afgang")
        ).click()
        console.wait_for_selector(f"#att-{mid}.left")
    console.reload()
    rows = console.eval_on_selector_all(
        "table.strata tbody tr",
        "rs => rs.map(r => [r.dataset.feature, r.dataset.value,"
        " +r.dataset.present, +r.dataset.members])",
    )
    assert rows
    for feature, value, shown_present, shown_members in rows:
        in_group = [m for m, a in attributes.items() if a.get(feature) == value]
        assert shown_members == len(in_group), (feature, value)
        assert shown_present == len([m for m in in_group if m in present]), (feature, value)
    assert_accessible(console)

    # -- questions: phones send (two alike), back, and the projector follows -------------------
    phone = phones[0]
    phone.wait_for_selector("#question-form")
    phone.screenshot(path=str(SHOTS / "phone-questions-390x844.png"))
    inside(phone, "#question-form button[type=submit]")
    texts = [
        "Hvad koster en varmepumpe til et parcelhus?",
        "Hvem betaler for nye cykelstier i kommunen?",
        "Hvad koster en varmepumpe til et hus?",
    ]
    for page, text in zip(phones, texts, strict=True):
        page.fill("#question-text", text)
        page.locator("#question-form button[type=submit]").click()
        page.wait_for_selector("#my-questions .question.saved")
    db = sqlite3.connect(database)
    qids = [row[0] for row in db.execute("SELECT id FROM question ORDER BY id")]
    db.close()
    assert len(qids) == 3
    backers: dict[int, set[int]] = {q: set() for q in qids}
    wait_for_order(projector, expected_order(backers, qids))

    def back(page_or_phone: Any, member_id: int, question_id: int) -> None:
        if isinstance(page_or_phone, ProtocolPhone):
            page_or_phone.ws.send(json.dumps({"msg": "upvote", "question_id": question_id}))
        else:
            item = page_or_phone.locator(f"#room-questions [data-question-id='{question_id}']")
            item.get_by_role("button", name=re.compile("^Bak op")).click()
            item.get_by_role("button", name=re.compile("Du bakker op")).wait_for()
        backers[question_id].add(member_id)

    back(phones[1], ids[9], qids[1])
    back(phones[2], ids[10], qids[1])
    wait_for_order(projector, expected_order(backers, qids))
    back(others[0], ids[11], qids[2])
    back(phones[0], ids[8], qids[2])
    back(others[0], ids[11], qids[2])  # a repeat changes nothing
    wait_for_order(projector, expected_order(backers, qids))
    back(phones[1], ids[9], qids[2])
    wait_for_order(projector, expected_order(backers, qids))
    assert tuple(projector_order(projector)[0]) == (qids[2], 3)
    projector.screenshot(path=str(SHOTS / "projector-questions-1920x1080.png"))
    projector.set_viewport_size({"width": 1280, "height": 720})
    projector.wait_for_timeout(300)
    projector.screenshot(path=str(SHOTS / "projector-questions-1280x720.png"))
    for sel in (".questions-scene .scene-head h2", f"[data-question-id='{qids[2]}']"):
        box = projector.locator(sel).first.bounding_box()
        assert box and box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280
    assert_accessible(projector)

    # -- the facilitator merges the two alike (the suggestion) and marks one answered ------------
    console.goto(f"{live.base}/f/a/{aid}/questions")
    pair = console.locator(f".dup-row[data-pair='{qids[0]}-{qids[2]}']")
    pair.wait_for()
    console.screenshot(path=str(SHOTS / "console-questions-1180x820.png"))
    assert_accessible(console)
    pair.get_by_role("button", name=re.compile("Læg det nyeste sammen")).click()
    console.wait_for_url(re.compile("done=merge"))
    backers[qids[0]] |= backers.pop(qids[2])  # the merged question's backers count there
    shown = [qids[0], qids[1]]
    wait_for_order(projector, expected_order(backers, shown))
    assert tuple(projector_order(projector)[0]) == (qids[0], 3)
    row = console.locator(f"#console-questions [data-question-id='{qids[1]}']")
    row.get_by_role("button", name=re.compile("^Besvaret")).click()
    console.wait_for_url(re.compile("done=answered"))
    shown.remove(qids[1])
    wait_for_order(projector, expected_order(backers, shown))
    phones[1].wait_for_selector(f"#room-questions [data-question-id='{qids[1]}'] .answered-mark")
    # the speaker's written answer to the one answered in the room, published to the public
    answer = console.locator(f"#answers [data-question-id='{qids[1]}']")
    answer.locator("summary").click()
    answer.locator("textarea[name=answer]").fill("Staten og kommunen deler udgiften.")
    answer.get_by_label("Også på den offentlige side").check()
    answer.get_by_role("button", name="Offentliggør svaret").click()
    console.wait_for_url(re.compile("done=answer"))

    # -- everybody leaves; a correction with a reason; hours equal this test's count ------------
    console.goto(f"{live.base}/f/a/{aid}/attendance")
    for mid in sorted(present):
        console.locator(f"#att-{mid}").get_by_role(
            "button", name=re.compile("Registrér afgang")
        ).click()
        console.wait_for_selector(f"#att-{mid}.left")
    console.locator("details.add-box summary", has_text="Ret en deltagers timer").click()
    console.select_option("select[name=member_id]", str(ids[3]))
    console.fill("input[name=hours]", "2,5")
    console.fill("input[name=reason]", "Kom før registreringen åbnede")
    console.get_by_role("button", name="Gem rettelsen").click()
    console.wait_for_url(re.compile("done=adjust"))
    db = sqlite3.connect(database)
    day, starts, ends = db.execute(
        "SELECT day, starts_at, ends_at FROM session WHERE id = "
        "(SELECT session_id FROM attendance LIMIT 1)"
    ).fetchone()
    stays = {
        mid: (parse_db_time(a), parse_db_time(b), adj)
        for mid, a, b, adj in db.execute(
            "SELECT member_id, checked_in_at, checked_out_at, adjusted_minutes FROM attendance"
        )
    }
    db.close()
    start = datetime.fromisoformat(f"{day}T{starts}").replace(tzinfo=LOCAL)
    end = datetime.fromisoformat(f"{day}T{ends}").replace(tzinfo=LOCAL)
    expected = {
        mid: (adj if adj is not None else clamp(a, b, start, end))
        for mid, (a, b, adj) in stays.items()
    }
    assert expected[ids[3]] == 150
    shown_totals = dict(
        console.eval_on_selector_all(
            ".hours-table tbody tr",
            "rs => rs.map(r => [Number(r.dataset.member), Number(r.dataset.totalMinutes)])",
        )
    )
    assert shown_totals == {mid: expected.get(mid, 0) for mid in ids}
    cookies = {c["name"]: c["value"] for c in console.context.cookies()}
    response = httpx2.get(f"{live.base}/f/a/{aid}/attendance.csv", cookies=cookies)
    totals = {
        r["member_code"]: int(r["minutes"])
        for r in csv.DictReader(io.StringIO(response.text))
        if r["gathering_id"] == "total"
    }
    codes = {m["id"]: m["code"] for m in members}
    assert totals == {codes[mid]: expected.get(mid, 0) for mid in ids}
    assert all(timedelta(0) <= (b - a) < timedelta(minutes=10) for a, b, _ in stays.values() if b)

    # -- material uploaded and made public; the programme on the public page --------------------
    console.goto(f"{live.base}/f/a/{aid}/programme")
    assert_accessible(console)
    console.locator("#material summary").click()
    pdf = SHOTS / "notat.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% samling test\n")
    console.locator("#material input[name=title]").fill("Notat om varmepumper")
    console.locator("#material input[name=file]").set_input_files(str(pdf))
    console.locator("#material").get_by_label("Også på den offentlige side").check()
    console.locator("#material form[enctype] button[type=submit]").click()
    console.wait_for_url(re.compile("done=material"))
    public = new_page(PHONE)
    public.goto(demo["public_url"])
    section = public.locator("#programme")
    section.wait_for()
    assert "Mødet" in section.inner_text() or "borgermøde" in section.inner_text()
    assert "Notat om varmepumper" in section.inner_text()
    assert "Staten og kommunen deler udgiften." in section.inner_text()
    href = section.get_by_role("link", name="Notat om varmepumper").get_attribute("href")
    download = httpx2.get(live.base + href)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["content-disposition"].startswith("attachment")
    public.screenshot(path=str(SHOTS / "public-programme-390x844.png"), full_page=True)
    assert_accessible(public)
    phones[0].goto(f"{live.base}/p/programme")
    assert "Notat om varmepumper" in phones[0].content()
    assert_accessible(phones[0])
    stack.close()

"""Danish a municipality would publish (issue 19): the word list, no English, Danish formats.

(a) no Danish msgstr uses a word from the "not" column of ../shared/design/danish.md;
(b) every error path and every web export, rendered in Danish, holds no English word;
(c) numbers, per cent, dates, times and plurals read the Danish way on real pages.
"""

from __future__ import annotations

import ast
import html as html_lib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text
from starlette.testclient import TestClient

from app.db import make_engine
from app.i18n import catalog_path, is_translated, translate
from app.web import ERROR_DETAILS, error_detail
from facilitation.messages import Message
from tests.app.test_lottery_pages import DATA, SEED, new_assembly, pool_csv, post, run, upload
from tests.conftest import csrf_of

ROOT = Path(__file__).resolve().parents[2]

# danish.md's "not" column: (pattern, why). A msgstr matching one fails unless the phrase is
# on the allow-list below (the same letters used for something else, right in context).
NOT_WORDS = [
    (r"\bsamlingen\b", "the whole assembly is 'borgersamlingen'"),
    (r"\bprojektor\w*", "the big screen is 'storskærm'"),
    (r"(?<!stor)skærm(en)?\b", "the big screen is 'storskærm'"),
    (r"\bfor rummet\b|\brummet\b", "the plenary room is 'salen'"),
    (r"\bfase[nr]?\b|\bfaser(ne)?\b", "an agenda item is 'punkt'"),
    (r"\bfrivillig\w*", "people who signed up are 'tilmeldte'"),
    (r"\btrukket\b|\btrukne\b", "drawn by lottery is 'udtrukket'"),
    (r"\budgiv\w*|\budgivet\b", "publish is 'offentliggør' or 'send ud'"),
    (r"\bpanel\w*", "the drawn group is 'deltagerne'; candidates 'mulige sammensætninger'"),
    (r"\berstatning\w*", "a replacement is an 'afløser'"),
    (r"\bslægt\w*", "lineage is 'historik'"),
    (r"\bindsigelse\w*", "disagreement: 'er uenige'"),
    (r"%\(\w+\)s opbakning", "support with a number: '3 bakker op'"),
    (r"\boprindelse\b", "provenance is 'kilder'"),
    (r"\bcheck(et)?[- ]?in[d]?\b", "check-in is 'fremmøde'"),
    (r"\bversion nr\.", "'version 3', never 'version nr.'"),
    (r"\brevision\w*", "the audit report is 'dokumentation for lodtrækningen'"),
    (r"\boffentlig tilfældighed\b", "'offentligt trukne tal'"),
    (r"\bknap\b", "'få tilmeldte' ('knap' is also a button)"),
    (r"\bforbogstav\w*", "'første bogstav i efternavnet'"),
    (r"\bforfatter\w*", "'trukket tilbage af deltageren'"),
    (r"\begenskab\w*", "a quota's criterion is 'kriterium'"),
    (r"\bproceskonsulent\w*", "'facilitator'"),
    (r"\bHej,", "'Hej Anne' without a comma"),
    (r"[“”]", "Danish quotes are » « (or ” ”, not English “ ”)"),
    (r"\s…", "no space before an ellipsis"),
]
# phrases in which a "not" word is right: numbers drawn in public, a note taken back
ALLOWED = [
    r"trukket lod",
    r"trukket tilbage",
    r"trukne tal",
    r"trukket tal",
    r"blev trukket offentligt",
    r"som de blev trukket",
    r"trukket offentligt",
    r"(på|til) projektoren",  # the device the big screen runs on, in a how-to
]


def danish_catalog() -> list[tuple[str, str]]:
    with catalog_path("da").open("rb") as po:
        catalog = read_po(po, locale="da")
    out = []
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        out += [(msgid, s) for s in strings if s]
    return out


def test_no_danish_msgstr_uses_a_word_from_the_not_column() -> None:
    found = []
    for msgid, msgstr in danish_catalog():
        cleaned = msgstr
        for phrase in ALLOWED:
            cleaned = re.sub(phrase, "", cleaned, flags=re.IGNORECASE)
        for pattern, why in NOT_WORDS:
            if re.search(pattern, cleaned, flags=re.IGNORECASE):
                found.append(f"{msgid!r} → {msgstr!r}: {why}")
    assert not found, "Danish msgstr against danish.md:\n" + "\n".join(found)


def test_the_not_column_check_can_fail() -> None:
    """The word list check catches the words the issue found (so the test above can fail)."""
    for bad in ("Hej, Anne", "Tilbage til rummet", "Sådan blev panelet trukket", "Fasen er lukket"):
        assert any(re.search(p, bad, flags=re.IGNORECASE) for p, _why in NOT_WORDS), bad
    assert not any(
        re.search(p, re.sub(ALLOWED[1], "", "trukket tilbage af deltageren"), re.IGNORECASE)
        for p, _why in NOT_WORDS
    )


def test_danish_plurals_have_both_forms_and_differ_where_danish_does() -> None:
    with catalog_path("da").open("rb") as po:
        catalog = read_po(po, locale="da")
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert len(plurals) >= 10
    for m in (m for m in plurals if any(m.string)):  # (untranslated: test_i18n's business)
        assert all(m.string), m.id
        assert "%(num)s" in m.string[-1] or "%(num)s" not in m.id[1], m.id


# -- (b) no English on Danish screens --------------------------------------------------------

# English words that are no Danish words: any of them in a Danish page means a leak
ENGLISH = {
    "the", "not", "please", "found", "draw", "drawn", "table", "note", "notes", "line",
    "missing", "empty", "round", "quota", "quotas", "pool", "panel", "selected", "replacement",
    "section", "summary", "method", "allowed", "login", "required", "first", "assembly",
    "lottery", "error", "value", "people", "seats", "whole", "number", "expected", "fields",
    "column", "duplicate", "already", "above", "below", "yet", "confirmed", "such", "invalid",
    "valid", "your", "join", "drafting", "open", "lower", "raise",
    "role", "text", "created", "approved", "hidden", "kind", "session", "phase", "theme",
}  # fmt: skip


def visible_words(page: str) -> set[str]:
    """The words a person sees (no tags, attributes, scripts or styles)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    return {w.lower() for w in re.findall(r"[A-Za-zÆØÅæøå]+", page)}


def assert_danish(page: str, where: str, allowed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    english = sorted((visible_words(page) & ENGLISH) - allowed)
    assert not english, f"{where}: English on a Danish screen: {english}"


def test_the_english_check_can_fail() -> None:
    with pytest.raises(AssertionError):
        assert_danish("<p>No confirmed draw</p>", "example")
    assert_danish('<p class="table">Ingen lodtrækning <input name="panel"></p>', "example")


def raised_details() -> set[str]:
    """Every string literal given as the detail of an HTTPException raised in app/."""
    found = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "HTTPException"):
                continue
            args = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "detail")]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


def test_every_error_detail_raised_in_app_is_translated() -> None:
    details = raised_details()
    assert "No such assembly" in details and "No confirmed draw" in details
    listed = {str(d) for d in ERROR_DETAILS}
    assert details <= listed, f"add to app.web.ERROR_DETAILS: {sorted(details - listed)}"
    for detail in (*details, "Not Found", "Method Not Allowed"):
        assert is_translated(detail, "da"), detail
        assert_danish(translate(detail, "da"), detail)
    assert error_detail("Some detail nobody translated", "da") == ""  # never English
    assert error_detail("No such assembly", "en") == "No such assembly"


def test_error_pages_are_danish(client: TestClient, demo, facilitator_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    html = {"accept": "text/html"}
    aid = demo["assembly_id"]
    pages = {
        "404 Starlette": client.get("/no/such/page", headers=html),
        "404 detail": client.get("/a/NOPE", headers=html),
        "404 projector link": client.get(f"/projector/{aid}/wrong", headers=html),
        "405": client.get(f"/f/a/{aid}/lottery/upload", headers=html),
        "403 facilitator": client.post(
            f"/f/a/{aid}/lottery/run", data={"csrf_token": csrf_of(client)}, headers=html
        ),
        "404 no lottery": facilitator_client.get(f"/f/a/{aid}/lottery/contacts.csv", headers=html),
    }
    code = re.search(r'href="/a/([^/"]+)"', facilitator_client.get(f"/f/a/{aid}/settings").text)
    if code:
        pages["404 no confirmed draw"] = client.get(f"/a/{code.group(1)}/lottery", headers=html)
    for where, response in pages.items():
        assert response.status_code in (403, 404, 405), (where, response.status_code)
        assert 'lang="da"' in response.text, where
        assert_danish(response.text, where)
    assert "Adressen er forkert" in pages["404 Starlette"].text
    assert "Borgersamlingen findes ikke" in pages["404 detail"].text
    assert "facilitator" in pages["403 facilitator"].text
    plain = client.get("/a/NOPE")  # no text/html: plain text, also Danish
    assert plain.text == "Borgersamlingen findes ikke."
    english = client.get("/a/NOPE", headers={**html, "accept-language": "en"})
    assert "No such assembly" in english.text and 'lang="en"' in english.text


def test_csv_and_lottery_validation_is_danish(facilitator_client: TestClient) -> None:
    client = facilitator_client
    base = new_assembly(client)
    lines = pool_csv().decode().splitlines()
    lines[4] = lines[4].replace("p3,", "p1,", 1)
    people = ("\n".join(lines) + "\n").encode()
    quotas = b"feature,value,min,max\ngender,female,9,x\ngender,male,12,3\n"
    for people_data, quotas_data, expected in (
        (people, (DATA / "quotas.csv").read_bytes(), "id »p1« står to gange"),
        (pool_csv(), quotas, "kvoter: linje 2: max »x« er ikke et helt tal"),
        (b"", b"", "filen er tom"),
        (b"\xff\xfe", b"\xff", "ikke UTF-8-tekst"),
        (pool_csv(), b"a,a\n1,2\n", "står to gange: a"),
        (
            pool_csv(),
            b"feature,value,min,max\ngender,female\n",
            "antal felter er 2, men skulle være 4",
        ),
    ):
        response = upload(client, base, people_data, quotas_data, panel_size="0")
        assert response.status_code == 400
        assert expected in html_lib.unescape(response.text), expected
        assert "fra 1 til 10.000" in response.text  # the number the Danish way
        # (the file format's own column names are named as they are: feature, value, min, max)
        assert_danish(response.text, expected, allowed={"gender", "female", "male", "value"})
    tight = (
        b"feature,value,min,max,min_flex\ngender,female,15,20,5\ngender,male,15,20,5\n"
        b"leaning,liberal,9,20,\nleaning,conservative,9,20,\n"
    )
    assert upload(client, base, pool_csv(), tight).status_code == 303
    page = client.get(base).text
    assert 'id="infeasible"' in page and "sænk minimum for Køn = female" in page
    assert_danish(page, "infeasible quotas", allowed={"gender", "female", "male", "value"})


def test_member_import_errors_are_danish(facilitator_client: TestClient, demo) -> None:  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    path = f"/f/a/{aid}/members/import"
    data = b"id,navn,gender\n,Anne,kvinde\nX1,,mand\n"
    response = facilitator_client.post(
        path,
        data={"csrf_token": csrf_of(facilitator_client, f"/f/a/{aid}/members")},
        files={"file": ("m.csv", data, "text/csv")},
    )
    assert response.status_code == 400
    assert "linje 2: id er tomt" in response.text and "linje 3: navnet er tomt" in response.text
    errors = response.text.split("Intet blev importeret")[1].split("</ul>")[0]
    assert_danish(errors, "member import")


# -- the exports -----------------------------------------------------------------------------


def drawn_lottery(client: TestClient) -> str:
    base = new_assembly(client)
    assert upload(client, base, pool_csv(), (DATA / "quotas.csv").read_bytes()).status_code == 303
    run(client, base)
    assert post(client, base, "draw", seed=SEED).status_code == 303
    return base


def test_exports_are_danish(facilitator_client: TestClient, demo, settings) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = drawn_lottery(client)
    contacts = client.get(base + "/contacts.csv").text
    assert contacts.startswith("rolle,id,first_name")  # the organiser's own columns as uploaded
    assert "udtrukket," in contacts
    assert post(client, base, "confirm").status_code == 303
    audit_csv = client.get(base + "/audit.csv").text
    assert audit_csv.startswith("afsnit,navn,min.,maks.,tilmeldte,udtrukket,værdi")
    aid = demo["assembly_id"]
    notes_csv = client.get(f"/f/a/{aid}/notes.csv").content.decode("utf-8-sig")
    assert notes_csv.startswith("id,samling,runde,bord,punkt,slags,tekst,oprettet")
    drafts_csv = client.get(f"/f/a/{aid}/drafts.csv").content.decode("utf-8-sig")
    # the words the app writes (not the uploaded data, quota names or numbers)
    audit_words = [
        ",".join(line.split(",")[:2])
        for line in audit_csv.splitlines()
        if not line.startswith(("kvote,", "fordeling,"))
    ]
    for name, export in {
        "contacts.csv": "\n".join(line.split(",", 1)[0] for line in contacts.splitlines()),
        "audit.csv": "\n".join(audit_words),
        "notes.csv": notes_csv.splitlines()[0],
        "drafts.csv": drafts_csv.splitlines()[0],
    }.items():
        assert_danish(export, name)
    english = client.get(base + "/audit.csv", headers={"accept-language": "en"}).text
    assert english.startswith("section,name,min,max,pool,panel,value")


# -- (c) Danish formats on real pages ---------------------------------------------------------


def test_audit_page_reads_danish(facilitator_client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = drawn_lottery(client)
    assert post(client, base, "confirm").status_code == 303
    page = client.get(base + "/audit").text
    assert "Sådan blev deltagerne udtrukket" in page
    assert "200 borgere tilmeldte sig." in page and "20 af dem blev udtrukket" in page
    assert "10,00 %" in page  # everyone's chance, Danish per cent
    assert re.search(r"<h2>Metode</h2>", page) and "(leximin)" in page
    assert "sha256-nfc-ws-v1" in page.split("<h2>Metode</h2>")[1]  # the technical id: under Metode
    assert "sha256-nfc-ws-v1" not in page.split("<h2>Metode</h2>")[0]
    assert "LEXIMIN" not in page.split("<h2>Metode</h2>")[0]
    assert re.search(r"\d+\. \w+ \d{4}", page)  # the date of the draw, "30. november 2026"
    assert_danish(page, "audit", allowed={"gender", "female", "male", "leaning"})
    public = client.get(base + "/audit", headers={"accept-language": "en"}).text
    assert "10.00%" in public and "200 residents signed up" in public


def test_numbers_dates_and_plurals_on_the_lottery_pages(
    facilitator_client: TestClient, settings
) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = new_assembly(client)
    people = b"id,gender\np1,kvinde\np2,mand\np3,kvinde\n"
    quotas = b"feature,value,min,max\ngender,kvinde,0,1\ngender,mand,0,1\n"
    options = {"panel_size": "1", "panels": "10", "retention_days": "7"}
    assert upload(client, base, people, quotas, **options).status_code == 303
    page = client.get(base).text
    assert "3 personer i puljen." in page and "1 plads." in page
    assert "10 mulige sammensætninger på listen." in page
    assert '<th scope="col">Kriterium</th>' in page and "<td>Køn</td>" in page
    run(client, base)
    assert post(client, base, "draw", seed="1.2.3./").status_code == 303
    page = client.get(base).text
    assert "1 person udtrukket" in page
    assert post(client, base, "confirm").status_code == 303
    page = client.get(base).text
    assert "1 person er på deltagerlisten." in page
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("update lottery set delete_after = '2026-12-24 12:00:00.000000'"))
    engine.dispose()
    page = client.get(base).text
    assert "slettes den 24. december 2026." in page
    upload_page = upload(client, new_assembly(client), b"", b"", panel_size="0", panels="0").text
    assert "fra 1 til 10.000." in upload_page


def test_clock_and_long_date_on_the_run_sheet(facilitator_client: TestClient, demo) -> None:  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    response = facilitator_client.post(
        f"/f/a/{aid}/sessions",
        data={
            "csrf_token": csrf_of(facilitator_client, f"/f/a/{aid}/runsheet"),
            "day": "2026-11-30",
            "starts_at": "14:30",
            "ends_at": "16:00",
            "venue": "Rådhuset",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = facilitator_client.get(f"/f/a/{aid}/runsheet").text
    assert "30. november 2026" in page and "kl. 14.30" in page


def test_validation_messages_stay_english_for_the_cli() -> None:
    from app.csvfiles import CsvError, parse_csv

    with pytest.raises(CsvError) as caught:
        parse_csv("a,b\n1\n")
    (problem,) = caught.value.problems
    assert isinstance(problem, Message)
    assert problem == "line 2: expected 2 fields, found 1"
    assert translate(problem, "da") == "linje 2: antal felter er 1, men skulle være 2"

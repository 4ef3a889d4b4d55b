"""The organiser's lottery: upload → feasibility → run → draw → replacements → confirm → roster.

On the public example instance (200 volunteers → 20 seats, two features), with names and
contact details added to the pool so the deletion of personal data can be checked.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app.db import make_engine
from app.lottery.flow import wait_for_runs
from facilitation.sortition import Person, Quota, check_panel, draw_index
from tests.conftest import ORIGIN, csrf_of

DATA = Path(__file__).resolve().parents[1] / "data" / "lottery" / "example_small_20"
SEED = "3.17.42./9./"


def pool_csv() -> bytes:
    """The example pool with personal columns: first/last name, email, address."""
    rows = list(csv.DictReader(io.StringIO((DATA / "people.csv").read_text("utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "first_name", "last_name", "email", "address", "gender", "leaning"])
    for i, r in enumerate(rows):
        email = f"secret{i}@example.org"
        address = f"Hemmelig Vej {i}"
        writer.writerow(
            [r["id"], f"Navn{i}", f"Efter{i}", email, address, r["gender"], r["leaning"]]
        )
    return out.getvalue().encode()


def quotas() -> list[Quota]:
    rows = csv.DictReader(io.StringIO((DATA / "quotas.csv").read_text("utf-8")))
    return [Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in rows]


def people() -> list[Person]:
    rows = csv.DictReader(io.StringIO((DATA / "people.csv").read_text("utf-8")))
    return [Person(r["id"], {"gender": r["gender"], "leaning": r["leaning"]}) for r in rows]


def new_assembly(client: TestClient) -> str:
    token = csrf_of(client, "/f")
    response = client.post(
        "/f/assemblies",
        data={"name": "Lodtrækning", "remit": "Hvem skal med?", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"].replace(ORIGIN, "") + "/lottery"


def upload(client: TestClient, base: str, people_data: bytes, quotas_data: bytes, **extra: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, base)
    fields = {"csrf_token": token, "panel_size": "20", "panels": "200", **extra}
    files = {
        "people": ("people.csv", people_data, "text/csv"),
        "quotas": ("quotas.csv", quotas_data, "text/csv"),
    }
    return client.post(base + "/upload", data=fields, files=files, follow_redirects=False)


def post(client: TestClient, base: str, action: str, **data: object):  # type: ignore[no-untyped-def]
    token = csrf_of(client, base)
    return client.post(
        f"{base}/{action}", data={"csrf_token": token, **data}, follow_redirects=False
    )


def run(client: TestClient, base: str) -> str:
    assert post(client, base, "run").status_code == 303
    html = client.get(base).text
    assert 'id="lottery-progress"' in html or "lottery is ready" in html
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = client.get(base + "/progress", headers={"HX-Request": "true"})
        assert response.status_code == 200
        if response.headers.get("HX-Refresh") == "true":
            break
        time.sleep(0.1)
    wait_for_runs()
    return client.get(base).text


def db_dump(settings) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table, as text: what a copy of the database would reveal."""
    engine = make_engine(settings.database_url)
    out = []
    with engine.connect() as conn:
        tables = conn.execute(text("select name from sqlite_master where type='table'")).all()
        for (name,) in tables:
            out += [
                json.dumps(list(map(str, row)))
                for row in conn.execute(text(f'select * from "{name}"'))
            ]
    engine.dispose()
    return "\n".join(out)


def lottery_rows(settings) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        count = conn.execute(text("select count(*) from lottery")).scalar_one()
    engine.dispose()
    return int(count)


def test_upload_run_draw_confirm_makes_a_roster_and_deletes_the_pool(
    facilitator_client: TestClient, settings
) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = new_assembly(client)
    assert 'name="people"' in client.get(base).text
    response = upload(client, base, pool_csv(), (DATA / "quotas.csv").read_bytes())
    assert response.status_code == 303, response.text
    html = client.get(base).text
    assert 'id="feasible"' in html and "leaning" in html
    html = run(client, base)
    assert 'id="floor"' in html
    floor = re.search(r'id="floor">([\d,]+) %', html)  # Danish: "10,00 %"
    assert floor and float(floor.group(1).replace(",", ".")) == pytest.approx(10.0, abs=0.01)
    # a seed is required, then the draw follows the published rule
    assert post(client, base, "draw", seed="   ").status_code == 400
    assert post(client, base, "draw", seed=SEED).status_code == 303
    html = client.get(base).text
    assert SEED in html
    index = int(re.search(r'id="draw-index">\D*(\d+)', html).group(1))  # type: ignore[union-attr]
    assert index == draw_index(SEED, 200)
    panel = re.findall(r'name="dropout" value="([^"]+)"', html)
    assert len(panel) == 20 and not check_panel(panel, people(), quotas(), 20)
    # the organiser's export of the drawn people's contact details
    export = client.get(base + "/contacts.csv")
    assert export.status_code == 200 and "secret" in export.text
    assert len(export.text.strip().splitlines()) == 21
    # confirm: roster of pseudonymous members with strata and join tokens
    assert "secret0@example.org" in db_dump(settings)
    assert post(client, base, "confirm").status_code == 303
    console = client.get(base.removesuffix("/lottery") + "/members").text  # the roster page
    for pid in panel:
        assert f"<td>{pid}</td>" in console
    assert re.search(r"<td>Navn\d+ E\.</td>", console)
    dump = db_dump(settings)
    assert "secret" not in dump and "Hemmelig" not in dump and "Efter1" not in dump
    non_selected = sorted({p.id for p in people()} - set(panel))
    assert not any(re.search(rf"\b{pid}\b", dump) for pid in non_selected)
    assert client.get(base + "/contacts.csv").status_code == 410
    html = client.get(base).text
    assert 'id="deleted"' in html
    # the audit report: aggregates only, public once confirmed
    audit = client.get(base + "/audit").text
    assert "10,00 %" in audit and SEED in audit
    assert "Navn" not in audit and "secret" not in audit and "Efter" not in audit
    code = re.search(r'href="/a/([^/"]+)/lottery"', html).group(1)  # type: ignore[union-attr]
    anonymous = TestClient(client.app, base_url=ORIGIN)
    public = anonymous.get(f"/a/{code}/lottery")
    assert public.status_code == 200 and "SHA-256" in public.text
    assert not any(f"<td>{pid}</td>" in public.text for pid in panel)
    table = anonymous.get(f"/a/{code}/lottery.csv").text
    # the web export is in the viewer's language (Danish here)
    assert table.startswith("afsnit,navn,min.,maks.,tilmeldte,udtrukket,værdi")
    assert "kvote,gender=female,9,20,100," in table or "kvote,gender=female,9,20," in table
    english = anonymous.get(f"/a/{code}/lottery.csv", headers={"accept-language": "en"}).text
    assert english.startswith("section,name,min,max,pool,panel,value")
    assert "Navn" not in table


def test_malformed_csv_is_rejected_with_row_numbers_and_nothing_stored(
    facilitator_client: TestClient, settings
) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = new_assembly(client)
    lines = pool_csv().decode().splitlines()
    lines[4] = lines[4].replace("p3,", "p1,", 1)  # line 5 of the file
    cells = lines[6].split(",")  # line 7
    cells[5] = "femme"
    lines[6] = ",".join(cells)
    people_data = ("\n".join(lines) + "\n").encode()
    response = upload(client, base, people_data, (DATA / "quotas.csv").read_bytes())
    assert response.status_code == 400
    assert "linje 5: id »p1« står to gange (første gang i linje 3)" in response.text
    assert "linje 7: gender=»femme« findes ikke i kvoterne" in response.text
    bad_quotas = b"feature,value,min,max\ngender,female,9,x\ngender,male,12,3\n"
    response = upload(client, base, pool_csv(), bad_quotas)
    assert response.status_code == 400
    assert "kvoter: linje 2: max »x« er ikke et helt tal" in response.text
    assert "kvoter: linje 3: min 12 er større end max 3" in response.text
    for size in ("0", "", "x"):
        response = upload(
            client, base, pool_csv(), (DATA / "quotas.csv").read_bytes(), panel_size=size
        )
        assert response.status_code == 400
    assert lottery_rows(settings) == 0


def test_infeasible_quotas_are_reported_before_running(facilitator_client: TestClient) -> None:
    client = facilitator_client
    base = new_assembly(client)
    tight = (
        b"feature,value,min,max,min_flex\ngender,female,15,20,5\ngender,male,15,20,5\n"
        b"leaning,liberal,9,20,\nleaning,conservative,9,20,\n"
    )
    assert upload(client, base, pool_csv(), tight).status_code == 303
    html = client.get(base).text
    assert 'id="infeasible"' in html and "gender=female" in html
    assert "sænk minimum for Køn = female" in html
    assert f'action="{base}/run"' not in html


def test_replacements_keep_the_others_and_the_quotas(facilitator_client: TestClient) -> None:
    client = facilitator_client
    base = new_assembly(client)
    assert upload(client, base, pool_csv(), (DATA / "quotas.csv").read_bytes()).status_code == 303
    run(client, base)
    assert post(client, base, "draw", seed=SEED).status_code == 303
    panel = re.findall(r'name="dropout" value="([^"]+)"', client.get(base).text)
    dropouts = panel[:3]
    token = csrf_of(client, base)
    response = client.post(
        base + "/replace",
        data={"csrf_token": token, "dropout": dropouts},
        follow_redirects=False,
    )
    assert response.status_code == 303
    html = run(client, base)
    assert "Afløsere, lodtrækning 1" in html  # the UI is Danish by default
    assert post(client, base, "draw", seed="7.8./").status_code == 303
    html = client.get(base).text
    new_panel = re.findall(r'name="dropout" value="([^"]+)"', html)
    assert set(panel) - set(dropouts) <= set(new_panel)
    assert not set(dropouts) & set(new_panel)
    assert not check_panel(new_panel, people(), quotas(), 20)
    export = client.get(base + "/contacts.csv").text
    assert export.count("afløser,") == 3  # the role column in the viewer's language


def test_anonymous_and_participants_are_refused(client: TestClient, demo) -> None:  # type: ignore[no-untyped-def]
    base = f"/f/a/{demo['assembly_id']}/lottery"
    response = client.get(base, follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]
    token = csrf_of(client, "/")
    response = client.post(base + "/run", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    client.get(demo["members"][0]["join_url"].replace(ORIGIN, ""))
    token = csrf_of(client, "/p")
    assert client.get(base, follow_redirects=False).status_code == 303
    response = client.post(base + "/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get(base + "/contacts.csv", follow_redirects=False).status_code == 303
    assert client.get(f"/a/{demo['assembly_code']}/lottery").status_code == 404


def test_csrf_is_required(facilitator_client: TestClient) -> None:
    client = facilitator_client
    base = new_assembly(client)
    files = {
        "people": ("people.csv", pool_csv(), "text/csv"),
        "quotas": ("quotas.csv", (DATA / "quotas.csv").read_bytes(), "text/csv"),
    }
    response = client.post(base + "/upload", data={"panel_size": "20"}, files=files)
    assert response.status_code == 403
    assert client.post(base + "/run", data={"csrf_token": "wrong"}).status_code == 403


def test_retention_keeps_the_pool_until_deleted(facilitator_client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = new_assembly(client)
    quotas_data = (DATA / "quotas.csv").read_bytes()
    assert upload(client, base, pool_csv(), quotas_data, retention_days="30").status_code == 303
    run(client, base)
    assert post(client, base, "draw", seed=SEED).status_code == 303
    assert post(client, base, "confirm").status_code == 303
    html = client.get(base).text
    assert 'id="retention"' in html
    assert client.get(base + "/contacts.csv").status_code == 200
    # a late dropout: replaced fairly while the pool is kept; the roster follows
    panel = re.findall(r'name="dropout" value="([^"]+)"', html)
    token = csrf_of(client, base)
    response = client.post(
        base + "/replace", data={"csrf_token": token, "dropout": panel[0]}, follow_redirects=False
    )
    assert response.status_code == 303
    run(client, base)
    assert post(client, base, "draw", seed="11.12./").status_code == 303
    new_panel = re.findall(r'name="dropout" value="([^"]+)"', client.get(base).text)
    assert panel[0] not in new_panel and set(panel[1:]) <= set(new_panel)
    assert not check_panel(new_panel, people(), quotas(), 20)
    console = client.get(base.removesuffix("/lottery") + "/members").text  # the roster page
    (joined,) = set(new_panel) - set(panel)
    assert f"<td>{joined}</td>" in console
    left_row = re.search(rf'<tr id="member-\d+" class="([^"]*)">\s*<td>{panel[0]}</td>', console)
    assert left_row and left_row.group(1) == "inactive"
    assert "Afløsere, lodtrækning 1" in client.get(base + "/audit").text
    assert "secret" in db_dump(settings)
    assert post(client, base, "delete").status_code == 303
    assert "secret" not in db_dump(settings)
    assert client.get(base + "/contacts.csv").status_code == 410


def test_a_run_whose_worker_died_can_be_started_again(
    facilitator_client: TestClient, settings
) -> None:  # type: ignore[no-untyped-def]
    client = facilitator_client
    base = new_assembly(client)
    assert upload(client, base, pool_csv(), (DATA / "quotas.csv").read_bytes()).status_code == 303
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:  # as if the server had stopped mid-run an hour ago
        conn.execute(
            text("update lottery set status='running', progress_at=:t"),
            {"t": "2020-01-01 00:00:00.000000"},
        )
    engine.dispose()
    assert client.get(base + "/progress", follow_redirects=False).status_code == 303
    html = client.get(base).text
    assert 'action="' + base + '/run"' in html and 'id="lottery-progress"' not in html
    assert 'id="floor"' in run(client, base)

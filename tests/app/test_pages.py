"""HTTP pages: join flow, revocation, who may reach what, CSRF, CSV import."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.db import make_engine
from app.models import Assembly, Member
from tests.conftest import ORIGIN, csrf_of, path_of


def members(settings) -> list[Member]:  # type: ignore[no-untyped-def]
    with Session(make_engine(settings.database_url)) as db:
        return list(db.exec(select(Member).order_by(Member.id)))


def test_join_link_sets_session_and_redirects_to_a_clean_url(app, demo) -> None:
    join = path_of(demo["members"][0]["join_url"])
    with TestClient(app, base_url=ORIGIN) as phone:
        response = phone.get(join, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/p"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = phone.get("/p")
        assert page.status_code == 200
        assert "Hvordan kan vi i regionen" in page.text  # the remit question
        assert demo["members"][0]["name"] in page.text


def test_revoked_token_is_refused_and_signs_the_phone_out(app, demo, facilitator_client) -> None:
    member = demo["members"][1]
    with TestClient(app, base_url=ORIGIN) as phone:
        phone.get(path_of(member["join_url"]))
        assert phone.get("/p", follow_redirects=False).status_code == 200
        token = csrf_of(facilitator_client, f"/f/a/{demo['assembly_id']}")
        r = facilitator_client.post(
            f"/f/a/{demo['assembly_id']}/members/{member['id']}/reissue",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert phone.get("/p", follow_redirects=False).headers["location"] == "/join"
        again = phone.get(path_of(member["join_url"]), follow_redirects=False)
        assert again.status_code == 404


def test_manual_codes_join(app, demo, facilitator_client) -> None:
    cards = facilitator_client.get(f"/f/a/{demo['assembly_id']}/cards").text
    assert cards.count('class="join-card"') == 6
    assert "<svg" in cards
    personal = re.findall(r'<dd class="code">(\w{4}) (\w{4})</dd>', cards)[0]
    with TestClient(app, base_url=ORIGIN) as phone:
        token = csrf_of(phone, "/join")
        wrong = phone.post(
            "/join",
            data={
                "csrf_token": token,
                "assembly_code": demo["assembly_code"],
                "personal_code": "AAAA AAAA",
            },
        )
        assert wrong.status_code == 400
        ok = phone.post(
            "/join",
            data={
                "csrf_token": token,
                "assembly_code": demo["assembly_code"].lower(),
                "personal_code": "-".join(personal),
            },
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/p"


@pytest.mark.parametrize("path", ["/f", "/f/a/1", "/f/a/1/cards", "/f/a/1/members/1"])
def test_facilitator_pages_refuse_anonymous_and_participants(app, demo, path) -> None:
    with TestClient(app, base_url=ORIGIN) as anonymous:
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with TestClient(app, base_url=ORIGIN) as phone:
        phone.get(path_of(demo["members"][0]["join_url"]))
        r = phone.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        token = csrf_of(phone, "/p")
        post = phone.post("/f/a/1/members/1/deactivate", data={"csrf_token": token})
        assert post.status_code == 403


def test_csrf_is_required_on_state_changes(facilitator_client, demo, settings) -> None:
    url = f"/f/a/{demo['assembly_id']}/members/{demo['members'][0]['id']}/deactivate"
    assert facilitator_client.post(url).status_code == 403
    assert facilitator_client.post(url, data={"csrf_token": "forged"}).status_code == 403
    assert all(m.active for m in members(settings))
    token = csrf_of(facilitator_client, "/f")
    assert (
        facilitator_client.post(
            url, headers={"X-CSRF-Token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    target = demo["members"][0]["id"]
    assert [m.active for m in members(settings) if m.id == target] == [False]


def test_login_rejects_a_wrong_password(app, demo) -> None:
    with TestClient(app, base_url=ORIGIN) as c:
        token = csrf_of(c, "/login")
        r = c.post(
            "/login",
            data={"email": demo["facilitator"]["email"], "password": "nope", "csrf_token": token},
        )
        assert r.status_code == 400
        assert c.get("/f", follow_redirects=False).status_code == 303


def test_create_and_edit_assembly_and_sessions(facilitator_client, settings) -> None:
    token = csrf_of(facilitator_client, "/f")
    bad = facilitator_client.post("/f/assemblies", data={"csrf_token": token, "name": "X"})
    assert bad.status_code == 400
    r = facilitator_client.post(
        "/f/assemblies",
        data={
            "csrf_token": token,
            "name": "Greve <2026>",
            "remit": "Hvad skal vi?",
            "lang_da": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    page = facilitator_client.get(url).text
    assert "Greve &lt;2026&gt;" in page
    r = facilitator_client.post(
        url + "/sessions",
        data={
            "csrf_token": token,
            "day": "2026-12-01",
            "starts_at": "09:00",
            "ends_at": "15:00",
            "venue": "Rådhuset",
            "host": "Greve Kommune",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"{url}/runsheet#sessions"
    assert "Rådhuset" in facilitator_client.get(url + "/runsheet").text
    bad = facilitator_client.post(
        url + "/sessions",
        data={"csrf_token": token, "day": "2026-12-01", "starts_at": "15:00", "ends_at": "09:00"},
    )
    assert bad.status_code == 400
    r = facilitator_client.post(
        url + "/edit",
        data={
            "csrf_token": token,
            "name": "Greve",
            "remit": "Nyt spørgsmål?",
            "lang_da": "1",
            "lang_en": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{url}/settings")
    assert "Nyt spørgsmål?" in facilitator_client.get(url + "/settings").text


def _import(client: TestClient, assembly_id: int, content: bytes):  # type: ignore[no-untyped-def]
    token = csrf_of(client, f"/f/a/{assembly_id}")
    return client.post(
        f"/f/a/{assembly_id}/members/import",
        data={"csrf_token": token},
        files={"file": ("panel.csv", content, "text/csv")},
        follow_redirects=False,
    )


def test_csv_import_good_file_with_bom_and_semicolons(facilitator_client, demo, settings) -> None:
    content = (
        "\ufeffid;first_name;gender;age;email\nX1;Karen;kvinde;60-74;k@x.dk\nX2;Ib;mand;75+;\n"
    )
    r = _import(facilitator_client, demo["assembly_id"], content.encode())
    assert r.status_code == 303
    added = [m for m in members(settings) if m.code.startswith("X")]
    assert [(m.name, m.attributes) for m in added] == [
        ("Karen", {"gender": "kvinde", "age": "60-74"}),
        ("Ib", {"gender": "mand", "age": "75+"}),
    ]


def test_csv_import_errors_change_nothing(facilitator_client, demo, settings) -> None:
    before = len(members(settings))
    content = b"id,name,gender\nY1,Anna,kvinde\nY2,,mand\nY1,Bo,mand\nY4,Eva\n"
    r = _import(facilitator_client, demo["assembly_id"], content)
    assert r.status_code == 400
    assert "linje 5: antal felter er 2, men skulle være 3" in r.text  # in the viewer's language
    r = _import(facilitator_client, demo["assembly_id"], b"id,name\nY1,Anna\nY2,\nY1,Bo\n")
    assert "linje 3: navnet er tomt" in r.text and "linje 4: id »Y1« står to gange" in r.text
    assert len(members(settings)) == before


def test_member_add_edit_deactivate(facilitator_client, demo, settings) -> None:
    aid = demo["assembly_id"]
    token = csrf_of(facilitator_client, f"/f/a/{aid}")
    r = facilitator_client.post(
        f"/f/a/{aid}/members",
        data={
            "csrf_token": token,
            "code": "Z9",
            "name": "Zenia",
            "attributes": "gender=kvinde\nage=30-44",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    zenia = [m for m in members(settings) if m.code == "Z9"][0]
    assert zenia.attributes == {"gender": "kvinde", "age": "30-44"}
    r = facilitator_client.post(
        f"/f/a/{aid}/members/{zenia.id}",
        data={"csrf_token": token, "code": "Z9", "name": "Zenia B.", "attributes": "age=45-59"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    zenia = [m for m in members(settings) if m.code == "Z9"][0]
    assert zenia.name == "Zenia B." and zenia.attributes == {"age": "45-59"}
    dup = facilitator_client.post(
        f"/f/a/{aid}/members", data={"csrf_token": token, "code": "Z9", "name": "Other"}
    )
    assert dup.status_code == 400


def test_projector_link_and_revocation(app, demo, facilitator_client, settings) -> None:
    with TestClient(app, base_url=ORIGIN) as screen:
        page = screen.get(path_of(demo["projector_url"]))
        assert page.status_code == 200 and "Hvordan kan vi i regionen" in page.text
        assert screen.get(f"/projector/{demo['assembly_id']}/wrong").status_code == 404
        token = csrf_of(facilitator_client, "/f")
        facilitator_client.post(
            f"/f/a/{demo['assembly_id']}/projector/revoke", data={"csrf_token": token}
        )
        assert screen.get(path_of(demo["projector_url"])).status_code == 404


def test_public_page_and_language_switch(client, demo, settings) -> None:
    with Session(make_engine(settings.database_url)) as db:
        code = db.exec(select(Assembly.code)).first()
    page = client.get(f"/a/{code}")
    assert page.status_code == 200 and 'lang="da"' in page.text
    assert "Spørgsmålet, som borgersamlingen skal besvare" in page.text
    token = csrf_of(client, f"/a/{code}")
    client.post("/lang", data={"csrf_token": token, "lang": "en", "next": f"/a/{code}"})
    page = client.get(f"/a/{code}")
    assert 'lang="en"' in page.text and "The question the assembly answers" in page.text
    english = client.get(f"/a/{code}", headers={"accept-language": "en-GB"})
    assert 'lang="en"' in english.text


def test_security_headers(client) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"

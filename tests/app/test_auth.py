"""app/auth.py: who is asking. The phone's pages share one answer to "nobody is signed in"
(to /join), the console's another (to the login page for a GET, 403 otherwise); a deactivated
member's session stops working at once."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import ORIGIN, csrf_of, path_of

PHONE_PAGES = ("/p", "/p/drafts", "/p/programme")


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_every_phone_page_sends_a_stranger_to_join(app, path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=ORIGIN) as stranger:
        response = stranger.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/join"


def test_the_phone_pages_open_for_a_member_and_close_when_deactivated(
    app, demo, facilitator_client
) -> None:  # type: ignore[no-untyped-def]
    member = demo["members"][3]
    with TestClient(app, base_url=ORIGIN) as phone:
        phone.get(path_of(member["join_url"]))
        for path in PHONE_PAGES:
            assert phone.get(path, follow_redirects=False).status_code == 200, path
        token = csrf_of(facilitator_client, f"/f/a/{demo['assembly_id']}/members")
        facilitator_client.post(
            f"/f/a/{demo['assembly_id']}/members/{member['id']}/deactivate",
            data={"csrf_token": token},
        )
        for path in PHONE_PAGES:
            response = phone.get(path, follow_redirects=False)
            assert response.headers.get("location") == "/join", path
        # back again: the same link works once more (deactivation revokes nothing)
        facilitator_client.post(
            f"/f/a/{demo['assembly_id']}/members/{member['id']}/activate",
            data={"csrf_token": token},
        )
        assert phone.get("/p", follow_redirects=False).status_code == 200


def test_the_console_asks_a_stranger_to_log_in_and_refuses_a_post(app, demo) -> None:  # type: ignore[no-untyped-def]
    aid = demo["assembly_id"]
    with TestClient(app, base_url=ORIGIN) as stranger:
        page = stranger.get(f"/f/a/{aid}/members", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == f"/login?next=/f/a/{aid}/members"
        token = csrf_of(stranger, "/login")
        post = stranger.post(
            f"/f/a/{aid}/projector/revoke", data={"csrf_token": token}, follow_redirects=False
        )
        assert post.status_code == 403


def test_a_phone_cannot_use_the_console(app, demo) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=ORIGIN) as phone:
        phone.get(path_of(demo["members"][0]["join_url"]))
        response = phone.get(f"/f/a/{demo['assembly_id']}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")

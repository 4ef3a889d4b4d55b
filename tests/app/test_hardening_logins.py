"""Issue 12, point 3: logins are throttled per account and per address (in the database, so
across processes), cost the same for unknown accounts, are logged without the password; weak
passwords are refused."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

import app.security
from app.auth import ACCOUNT_FAILURES, ADDRESS_FAILURES
from app.security import password_problem
from tests.app.test_cli_demo import run_cli
from tests.conftest import ORIGIN, csrf_of

pytestmark = pytest.mark.timeout(60)


def try_login(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(client, "/login")},
        follow_redirects=False,
    )


def test_an_account_is_throttled_after_repeated_failures(client, demo) -> None:
    email, password = demo["facilitator"]["email"], demo["facilitator"]["password"]
    for _ in range(ACCOUNT_FAILURES):
        assert try_login(client, email, "wrong password").status_code == 400
    refused = try_login(client, email, password)  # even the right password waits now
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text or "mislykkede" in refused.text
    assert "facilitator_id" not in str(client.cookies)  # not signed in
    assert try_login(client, "other@kommune.dk", "wrong password").status_code == 400


def test_the_throttle_holds_across_processes(app, settings, demo) -> None:
    from app.web import create_app

    email, password = demo["facilitator"]["email"], demo["facilitator"]["password"]
    with TestClient(app, base_url=ORIGIN) as first:
        for _ in range(ACCOUNT_FAILURES):
            try_login(first, email, "wrong password")
    with TestClient(create_app(settings), base_url=ORIGIN) as second:  # another process
        assert try_login(second, email, password).status_code == 429


def test_an_address_is_throttled_across_accounts(client, demo) -> None:
    for i in range(ADDRESS_FAILURES):
        assert try_login(client, f"guess{i}@kommune.dk", "wrong password").status_code == 400
    email, password = demo["facilitator"]["email"], demo["facilitator"]["password"]
    assert try_login(client, email, password).status_code == 429


def test_a_good_login_clears_the_account_count(client, demo) -> None:
    email, password = demo["facilitator"]["email"], demo["facilitator"]["password"]
    for _ in range(ACCOUNT_FAILURES - 1):
        try_login(client, email, "wrong password")
    assert try_login(client, email, password).status_code == 303
    client.cookies.clear()
    for _ in range(ACCOUNT_FAILURES - 1):
        assert try_login(client, email, "wrong password").status_code == 400


def test_unknown_accounts_cost_a_password_check_too(client, demo, monkeypatch) -> None:
    calls: list[str] = []
    real = app.security.verify_password

    def counting(stored: str, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(app.security, "verify_password", counting)
    try_login(client, "nobody@kommune.dk", "some password")
    try_login(client, demo["facilitator"]["email"], "some password")
    assert len(calls) == 2 and all(c.startswith("$argon2") for c in calls)
    assert calls[0] != calls[1]  # the dummy hash, then the account's


def test_failed_logins_are_logged_without_the_password(client, demo, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="samling.auth"):
        try_login(client, demo["facilitator"]["email"], "hunter2-secret-guess")
    text = caplog.text
    assert "failed login" in text and demo["facilitator"]["email"] in text
    assert "hunter2-secret-guess" not in text


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop", "1234567890", "kodeord1234", "iloveyou12"]
)
def test_common_passwords_are_refused(password: str) -> None:
    assert password_problem(password, "ane@kommune.dk") is not None


def test_own_name_and_address_are_refused_and_strong_passwords_pass() -> None:
    assert password_problem("kommune2026") is None  # not a common password as such…
    assert password_problem("kommune2026", "ane@kommune.dk") is not None  # …but the address
    assert password_problem("short") is not None
    assert password_problem("correct horse battery staple") is None
    assert password_problem("Xq7-pL9m-Wz2k") is None


def test_user_add_refuses_a_common_password(tmp_path) -> None:
    run_cli(tmp_path, "migrate")
    weak = run_cli(tmp_path, "user", "add", "ane@kommune.dk", "--password", "password1234")
    assert weak.returncode == 2 and "too common" in weak.stderr
    assert "Created" not in weak.stdout

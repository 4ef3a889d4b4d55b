"""Shared fixtures: a migrated database per test, the app, clients with and without logins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from app.config import Settings, load_settings
from app.migrate import upgrade

ORIGIN = "http://testserver"
SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samling.sqlite3'}",
        "SAMLING_SECRET_KEY": SECRET,
        "SAMLING_BASE_URL": ORIGIN,
    }
    settings = load_settings(env, secret_file=tmp_path / "secret")
    upgrade(settings.database_url)
    return settings


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from app.web import create_app

    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=ORIGIN) as c:
        yield c


@pytest.fixture
def demo(settings: Settings) -> dict:  # type: ignore[type-arg]
    from app.demo import create_demo

    return create_demo(settings, members=6, seed=1)


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The CSRF token the server put in a page for this client's session."""
    html = client.get(path).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'data-csrf="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str) -> None:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def facilitator_client(app, demo) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=ORIGIN) as c:
        login(c, demo["facilitator"]["email"], demo["facilitator"]["password"])
        yield c


def path_of(url: str) -> str:
    return url.replace(ORIGIN, "")

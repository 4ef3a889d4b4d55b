"""Migrations build the schema on SQLite and a real PostgreSQL, with nothing left to generate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.ballot.models  # noqa: F401
import app.lottery.models  # noqa: F401
import app.models  # noqa: F401
import app.programme.models  # noqa: F401
import app.record.models  # noqa: F401
import app.themes.models  # noqa: F401
from app.config import load_settings
from app.db import make_engine
from app.migrate import upgrade
from tests.services import postgres_bin, postgres_server


def assert_no_pending_changes(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_upgrade_from_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    assert_no_pending_changes(url)
    upgrade(url)  # running it again changes nothing


@pytest.mark.services
@pytest.mark.skipif(
    postgres_bin("initdb") is None and not os.environ.get("CI"),
    reason="PostgreSQL binaries absent (never skipped in CI)",
)
def test_postgresql_upgrade_from_empty(tmp_path: Path) -> None:
    with postgres_server() as raw_url:
        url = load_settings({"DATABASE_URL": raw_url}, secret_file=tmp_path / "s").database_url
        upgrade(url)
        assert_no_pending_changes(url)

"""Alembic environment: the database named by DATABASE_URL (or a connection handed in)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.ballot.models  # noqa: F401
import app.lottery.models  # noqa: F401
import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
import app.programme.models  # noqa: F401
import app.record.models  # noqa: F401
import app.themes.models  # noqa: F401
from app.config import load_settings
from app.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.attributes.get("database_url") or load_settings().database_url
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

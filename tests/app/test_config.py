from pathlib import Path

import pytest

from app.config import ConfigError, load_settings


def test_defaults_generate_and_keep_a_secret(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    first = load_settings({}, secret_file=secret)
    assert first.database_url == "sqlite:///samling.sqlite3"
    assert first.redis_url is None
    assert first.lang == "da"
    assert len(first.secret_key) >= 32
    assert load_settings({}, secret_file=secret).secret_key == first.secret_key
    assert "http://127.0.0.1:8000" in first.origins


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"SAMLING_LANG": "sv"}, "SAMLING_LANG"),
        ({"SAMLING_SECRET_KEY": "short"}, "SAMLING_SECRET_KEY"),
        ({"SAMLING_ORIGINS": "not a url"}, "SAMLING_ORIGINS"),
    ],
)
def test_bad_configuration_names_the_variable(tmp_path: Path, env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env, secret_file=tmp_path / "secret")


def test_postgres_url_uses_psycopg(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u:p@localhost/db",
            "SAMLING_ORIGINS": "https://a.dk,https://b.dk",
        },
        secret_file=tmp_path / "s",
    )
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.origins == ("https://a.dk", "https://b.dk")

"""The one settings object, read from the environment (`SAMLING_*`, `DATABASE_URL`, `REDIS_URL`)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SUPPORTED_LANGUAGES = ("da", "en")
DEFAULT_DATABASE_URL = "sqlite:///samling.sqlite3"
SECRET_FILE = Path(".samling-secret")


class ConfigError(ValueError):
    """Configuration that cannot work; the message says which variable and why."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret_key: str
    origins: tuple[str, ...]
    lang: str
    base_url: str
    secure_cookies: bool

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_key(env: dict[str, str], secret_file: Path) -> str:
    key = env.get("SAMLING_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("SAMLING_SECRET_KEY must be at least 32 characters long")
        return key
    if secret_file.exists():
        return secret_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    secret_file.write_text(key + "\n")
    secret_file.chmod(0o600)
    return key


def _origin(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"SAMLING_ORIGINS: {value!r} is not an origin like https://samling.example.dk"
        )
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(env: dict[str, str] | None = None, secret_file: Path = SECRET_FILE) -> Settings:
    """Read and check the settings; raise ConfigError with a clear message when one is bad."""
    env = dict(os.environ) if env is None else env
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    scheme = database_url.split(":", 1)[0]
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ConfigError(
            f"DATABASE_URL: unsupported database {scheme!r} (use sqlite:/// or postgresql://)"
        )
    if scheme == "postgresql" or scheme == "postgres":
        database_url = "postgresql+psycopg" + database_url[len(scheme) :]
    redis_url = env.get("REDIS_URL", "").strip() or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL: {redis_url!r} is not a redis:// URL")
    lang = env.get("SAMLING_LANG", "da").strip() or "da"
    if lang not in SUPPORTED_LANGUAGES:
        raise ConfigError(f"SAMLING_LANG: {lang!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    base_url = env.get("SAMLING_BASE_URL", "").strip() or "http://127.0.0.1:{port}".format(
        port=env.get("PORT", "8000")
    )
    base_url = _origin(base_url)
    raw_origins = env.get("SAMLING_ORIGINS", "")
    origins = tuple(_origin(o) for o in raw_origins.split(",") if o.strip())
    if not origins:  # the base URL, and its localhost spelling for a laptop demo
        origins = tuple(dict.fromkeys((base_url, base_url.replace("127.0.0.1", "localhost"))))
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=_secret_key(env, secret_file),
        origins=origins,
        lang=lang,
        base_url=base_url,
        secure_cookies=base_url.startswith("https://"),
    )

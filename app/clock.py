"""The app's one clock, so actions and tests agree on 'now' (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)

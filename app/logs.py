"""What the server logs: no secrets in any line, and no flood of the same line.

``samling serve`` hands uvicorn :func:`log_config`: uvicorn's own format, plus two filters on
every handler, and the root logger (the app's ``samling.*`` loggers, asyncio) on the same
handler, so every line passes both filters:

- :class:`RedactTokens` replaces the capability tokens in join and projector links
  (``/join/<token>``, ``/projector/<id>/<token>``, ``/ws/projector/<id>/<token>``), observer
  links (``/observe/<id>/<token>``) and invitations (``/invite/<code>``) with ``[redacted]``:
  whoever reads the log cannot sign in as a member, open a projector or take a role.
- :class:`RepeatLimiter` lets the same line (same logger, level and text; for a traceback the
  same message template and exception type) through a few times per window, then counts it,
  and says on the next one let through how many were left out. Access lines of answered
  requests (status below 500) are never held back.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"
_TOKEN_PATHS = re.compile(r"(/join/|/projector/\d+/|/observe/\d+/|/invite/)[^/\s?#\"'<>]+")


def redact(text: str) -> str:
    """The text with every join and projector token replaced by ``[redacted]``."""
    return _TOKEN_PATHS.sub(rf"\1{REDACTED}", text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Redact tokens in the message and its arguments (uvicorn's access formatter reads the
    path from ``record.args``, so both are cleaned)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:  # formatted here, so it can be cleaned
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RepeatLimiter(logging.Filter):
    """At most ``burst`` lines of one kind per ``window`` seconds; the rest are counted and
    reported on the next line of that kind that gets through."""

    def __init__(
        self,
        burst: int = 5,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 1000,
    ) -> None:
        super().__init__()
        self.burst, self.window, self.clock, self.max_kinds = burst, window, clock, max_kinds
        self._seen: dict[tuple[Any, ...], list[float]] = {}  # kind -> [window start, count, held]
        self._lock = threading.Lock()

    @staticmethod
    def kind(record: logging.LogRecord) -> tuple[Any, ...] | None:
        """What makes two lines "the same"; None for lines that are never held back."""
        status = None
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and record.args:
            status = record.args[-1]
            if isinstance(status, int) and status < 500:
                return None
        if record.exc_info and record.exc_info[0]:  # a traceback: same place, same error
            return (record.name, record.levelno, str(record.msg), record.exc_info[0].__name__)
        return (record.name, record.levelno, record.getMessage(), status)

    def filter(self, record: logging.LogRecord) -> bool:
        kind = self.kind(record)
        if kind is None:
            return True
        now = self.clock()
        with self._lock:
            entry = self._seen.get(kind)
            if entry is None or now - entry[0] >= self.window:
                held = int(entry[2]) if entry is not None else 0
                if len(self._seen) >= self.max_kinds:
                    self._forget(now)
                self._seen[kind] = [now, 1, 0]
                if held:
                    record.msg = f"{record.msg} [{held} more like this left out of the log]"
                return True
            entry[1] += 1
            if entry[1] <= self.burst:
                return True
            entry[2] += 1
            return False

    def _forget(self, now: float) -> None:
        for kind, entry in list(self._seen.items()):
            if now - entry[0] >= self.window:
                del self._seen[kind]
        if len(self._seen) >= self.max_kinds:  # a storm of distinct lines: start afresh
            self._seen.clear()


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging configuration with the filters on every handler and the root logger
    (the app's and asyncio's lines) sent through them too."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "redact": {"()": "app.logs.RedactTokens"},
        "repeats": {"()": "app.logs.RepeatLimiter"},
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact", "repeats"]
    config["root"] = {"handlers": ["default"], "level": level}
    for logger in config["loggers"].values():
        logger["level"] = level
    return config

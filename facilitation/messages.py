"""Messages that can be shown in any language, made where the language is not known.

facilitation/ is pure and knows no viewer, so a validation message is a :class:`Message`: it
*is* the English text (a ``str``: the CLI, logs and tests read it as before) and it carries the
English msgid and its parameters, so app/ can translate it for the viewer
(``app.i18n.translate``). ``N_`` marks the msgid for ``make messages`` (Babel's default
keywords include ``N_``). Keep nested messages in their own statement: Babel does not extract an
``N_`` inside another call's arguments.
"""

from __future__ import annotations

from typing import Any


def _english(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


class Message(str):
    """English text (``str``) with its msgid and parameters for translation."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % {k: _english(v) for k, v in params.items()} if params else msgid
        message = super().__new__(cls, text)
        message.msgid = msgid
        message.params = params
        return message

    def __reduce__(self) -> Any:
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def N_(msgid: str, **params: Any) -> Message:  # noqa: N802 - gettext's name for "mark only"
    """A message to translate later: ``N_("line %(line)s: empty id", line=3)``."""
    return Message(msgid, **params)

"""The refusal every ``do_*`` action raises; the page or the socket says no with its code."""

from __future__ import annotations


class ActionError(ValueError):
    """A refused action; ``code`` picks the message shown to the person."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

"""Run-sheet phases and the timer: when notes are accepted, and how much time is left.

Handed ``now``; never reads a clock. A phase is an agenda item that people answer at their
tables. Closing never destroys anything: it can be reopened, and notes that arrive within the
grace period after closing are still accepted and marked late, so nobody is cut off mid-word.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

GRACE = timedelta(seconds=90)
WARNING = timedelta(minutes=2)
ITEM_KINDS = ("welcome", "talk", "round", "plenary", "break", "other")
Admission = Literal["open", "late", "closed"]
TimerState = Literal["none", "running", "warning", "over"]


@dataclass(frozen=True)
class PhaseClock:
    """The part of an agenda item that opening, closing and the timer change."""

    state: str = "planned"  # planned | open | closed
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    ends_at: datetime | None = None


def open_phase(clock: PhaseClock, now: datetime, planned_minutes: int) -> PhaseClock:
    """Open (or reopen) an item. A first opening starts the timer at the planned length;
    a reopening keeps a timer that is still running and otherwise gives the planned length."""
    if clock.state == "open":
        return clock
    ends_at = clock.ends_at
    if ends_at is None or ends_at <= now:
        ends_at = now + timedelta(minutes=max(planned_minutes, 1))
    return replace(
        clock, state="open", opened_at=clock.opened_at or now, closed_at=None, ends_at=ends_at
    )


def close_phase(clock: PhaseClock, now: datetime) -> PhaseClock:
    """The clock closed at ``now`` (a phase already closed stays as it is)."""
    if clock.state != "open":
        return clock
    return replace(clock, state="closed", closed_at=now)


def admission(clock: PhaseClock, now: datetime, grace: timedelta = GRACE) -> Admission:
    """Whether a note for this phase is accepted now: open, late (in the grace), or closed."""
    if clock.state == "open":
        return "open"
    if clock.state == "closed" and clock.closed_at is not None and now - clock.closed_at <= grace:
        return "late"
    return "closed"


def adjust_timer(clock: PhaseClock, now: datetime, minutes: int) -> PhaseClock:
    """Add (or with a negative number remove) minutes; the end is never set before now."""
    base = clock.ends_at if clock.ends_at is not None and clock.ends_at > now else now
    ends_at = max(now, base + timedelta(minutes=minutes))
    return replace(clock, ends_at=ends_at)


def seconds_left(clock: PhaseClock, now: datetime) -> int | None:
    """Whole seconds until the end (negative in overtime); None without a timer."""
    if clock.ends_at is None:
        return None
    return int((clock.ends_at - now).total_seconds() // 1)


def timer_state(clock: PhaseClock, now: datetime, warning: timedelta = WARNING) -> TimerState:
    """How the timer should look. Overtime is shown, never enforced."""
    if clock.ends_at is None or clock.state != "open":
        return "none"
    left = clock.ends_at - now
    if left <= timedelta(0):
        return "over"
    return "warning" if left <= warning else "running"


def format_clock(seconds: int) -> str:
    """``mm:ss``, with a minus sign in overtime."""
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(abs(seconds), 60)
    return f"{sign}{minutes:02d}:{secs:02d}"

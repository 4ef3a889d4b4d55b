from datetime import UTC, datetime, timedelta

from facilitation.phases import (
    GRACE,
    PhaseClock,
    adjust_timer,
    admission,
    close_phase,
    format_clock,
    open_phase,
    seconds_left,
    timer_state,
)

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_open_close_reopen_keeps_the_first_opening_and_a_running_timer() -> None:
    clock = open_phase(PhaseClock(), T0, 20)
    assert clock.state == "open" and clock.ends_at == T0 + timedelta(minutes=20)
    assert open_phase(clock, T0 + timedelta(minutes=1), 20) == clock  # idempotent
    closed = close_phase(clock, T0 + timedelta(minutes=5))
    assert closed.state == "closed" and closed.closed_at == T0 + timedelta(minutes=5)
    again = open_phase(closed, T0 + timedelta(minutes=6), 20)
    assert again.opened_at == T0 and again.ends_at == T0 + timedelta(minutes=20)
    assert again.closed_at is None
    late = open_phase(
        close_phase(again, T0 + timedelta(minutes=30)), T0 + timedelta(minutes=40), 10
    )
    assert late.ends_at == T0 + timedelta(minutes=50)


def test_admission_grace_period() -> None:
    assert admission(PhaseClock(), T0) == "closed"
    clock = open_phase(PhaseClock(), T0, 10)
    assert admission(clock, T0 + timedelta(hours=3)) == "open"  # the timer never cuts off
    closed = close_phase(clock, T0 + timedelta(minutes=10))
    assert admission(closed, closed.closed_at + GRACE) == "late"
    assert admission(closed, closed.closed_at + GRACE + timedelta(seconds=1)) == "closed"


def test_timer_arithmetic() -> None:
    clock = open_phase(PhaseClock(), T0, 10)
    assert seconds_left(clock, T0 + timedelta(seconds=30)) == 570
    plus = adjust_timer(clock, T0, 5)
    assert plus.ends_at == T0 + timedelta(minutes=15)
    minus = adjust_timer(clock, T0 + timedelta(minutes=9), -5)
    assert minus.ends_at == T0 + timedelta(minutes=9)  # never before now
    assert timer_state(clock, T0) == "running"
    assert timer_state(clock, T0 + timedelta(minutes=8, seconds=30)) == "warning"
    assert timer_state(clock, T0 + timedelta(minutes=11)) == "over"
    assert seconds_left(clock, T0 + timedelta(minutes=11)) == -60
    assert timer_state(close_phase(clock, T0), T0) == "none"
    expired = adjust_timer(clock, T0 + timedelta(minutes=20), 3)
    assert expired.ends_at == T0 + timedelta(minutes=23)


def test_format_clock() -> None:
    assert format_clock(605) == "10:05"
    assert format_clock(-61) == "-01:01"

"""The public record's pure parts: mixing figures, the evaluation's aggregates and answers,
links, the process log, the retention deadline, survey events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from facilitation.record import (
    QUESTION_KEYS,
    LogEntry,
    Surveys,
    aggregate,
    apply_survey_event,
    clean_answers,
    clean_links,
    gathering_minutes,
    mixing,
    process_log,
    retention_deadline,
)


def test_mixing_counts_who_sat_with_whom() -> None:
    # round 1: {a,b,c} {d,e,f}; round 2: {a,d} {b,e} {c,f}
    r1 = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 2}
    r2 = {"a": 1, "d": 1, "b": 2, "e": 2, "c": 3, "f": 3}
    m = mixing([r1, r2])
    assert (m.members, m.rounds, m.others) == (6, 2, 5)
    assert (m.least, m.median, m.most) == (3, 3.0, 3)
    assert (m.pairs_met, m.pairs_possible) == (9, 15)
    assert m.pairs_share == 60.0
    assert mixing([]).members == 0


@given(st.lists(st.dictionaries(st.integers(0, 30), st.integers(1, 5)), max_size=5))
def test_mixing_is_bounded(rounds) -> None:  # type: ignore[no-untyped-def]
    m = mixing(rounds)
    assert 0 <= m.least <= m.median <= m.most <= m.others
    assert 0 <= m.pairs_met <= m.pairs_possible


def test_aggregate_and_answers() -> None:
    answers = [clean_answers({"understood_task": "5", "could_speak": "2"}), {"understood_task": 4}]
    assert answers[0] == {"understood_task": 5, "could_speak": 2}
    assert clean_answers({"understood_task": "9", "member_id": "3", "listened_to": "x"}) == {}
    results = {r.key: r for r in aggregate(answers)}
    assert set(results) == set(QUESTION_KEYS)
    assert results["understood_task"].answers == 2
    assert results["understood_task"].counts == (0, 0, 0, 1, 1)
    assert results["understood_task"].agree_pct == 100.0
    assert results["understood_task"].mean == 4.5
    assert results["could_speak"].agree_pct == 0.0
    assert results["listened_to"].mean is None and results["listened_to"].agree_pct is None


def test_links_only_http() -> None:
    kept, refused = clean_links(
        ["https://a.dk/x", " ", "javascript:alert(1)", "http://b.dk", "https://c.dk/<script>"]
    )
    assert kept == ("https://a.dk/x", "http://b.dk")
    assert refused == ["javascript:alert(1)", "https://c.dk/<script>"]
    many, too_many = clean_links([f"https://a.dk/{i}" for i in range(7)])
    assert len(many) == 5 and len(too_many) == 2


def test_process_log_by_day_in_order() -> None:
    def at(d: int, h: int) -> datetime:
        return datetime(2026, 11, d, h, tzinfo=UTC)

    log = process_log(
        [
            LogEntry(at(30, 12), "round", number=2),
            LogEntry(at(2, 9), "gathering", number=1),
            LogEntry(at(30, 9), "gathering", number=2),
        ]
    )
    assert [d for d, _ in log] == [date(2026, 11, 2), date(2026, 11, 30)]
    assert [e.kind for e in log[1][1]] == ["gathering", "round"]


def test_hours_and_retention() -> None:
    assert gathering_minutes(time(9, 0), time(16, 30)) == 450
    assert gathering_minutes(time(16, 0), time(9, 0)) == 0
    assert retention_deadline(date(2026, 12, 1), 30) == date(2026, 12, 31)
    assert retention_deadline(None, 30) is None
    assert retention_deadline(date(2026, 12, 1), None) is None


def test_survey_events() -> None:
    s = apply_survey_event(
        Surveys(), "survey", {"survey": {"id": 1, "kind": "final", "title": "T", "status": "open"}}
    )
    assert [v.id for v in s.open] == [1]
    s = apply_survey_event(s, "surveyed", {"survey_id": 1, "member_id": 7})
    assert s.has_answered(1, 7) and not s.has_answered(1, 8)
    s = apply_survey_event(
        s, "survey", {"survey": {"id": 1, "kind": "final", "title": "T", "status": "closed"}}
    )
    assert s.open == []

"""The programme's pure parts: hours clamped to the gathering, corrections, totals and the goal,
presence against strata, missed gatherings, the questions' votes and order, merges, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from facilitation.programme import (
    GOAL_MINUTES,
    Gathering,
    ProgrammeRoom,
    QuestionView,
    Stay,
    apply_programme_event,
    checkin_code,
    clamped_minutes,
    duplicate_pairs,
    flagged,
    hours,
    hours_text,
    missed,
    presence_by_stratum,
)

DAY = datetime(2026, 9, 12, 8, 0, tzinfo=UTC)  # 09:00–16:00 local is 08:00–15:00 UTC
START, END = DAY, DAY + timedelta(hours=7)


def at(h: float) -> datetime:
    return DAY + timedelta(hours=h)


def test_clamped_minutes_counts_only_inside_the_gathering() -> None:
    assert clamped_minutes(at(-0.5), at(3), START, END, at(9)) == 180  # came early
    assert clamped_minutes(at(1), at(9), START, END, at(9)) == 360  # stayed late
    assert clamped_minutes(at(-2), at(-1), START, END, at(9)) == 0  # left before it began
    assert clamped_minutes(None, None, START, END, at(9)) == 0  # never came
    assert clamped_minutes(at(2), at(1), START, END, at(9)) == 0  # never negative


def test_still_checked_in_counts_until_now_or_the_end() -> None:
    assert clamped_minutes(at(1), None, START, END, at(2.5)) == 90  # while it runs
    assert clamped_minutes(at(1), None, START, END, at(30)) == 360  # over: to the end


def test_a_correction_wins_within_the_gatherings_length() -> None:
    g = Gathering(1, START, END)
    stays = [
        Stay(1, 1, at(0), at(7), adjusted_minutes=120),
        Stay(2, 1, at(0), at(7), adjusted_minutes=10_000),  # cannot exceed 7 h
        Stay(3, 1, at(0), at(7), adjusted_minutes=-5),
    ]
    result = hours(stays, [g], [1, 2, 3], at(9))
    assert result.per_stay == {(1, 1): 120, (2, 1): 420, (3, 1): 0}


def test_totals_goal_and_progress_across_gatherings() -> None:
    gatherings = [
        Gathering(g, START + timedelta(days=28 * g), END + timedelta(days=28 * g)) for g in range(4)
    ]
    stays = [
        Stay(m, g.id, g.starts - timedelta(minutes=10), g.ends + timedelta(minutes=5))
        for g in gatherings
        for m in (1, 2)
    ]
    stays = [s for s in stays if not (s.member_id == 2 and s.gathering_id >= 2)]
    result = hours(stays, gatherings, [1, 2, 3], at(24 * 200))
    assert result.totals == {1: 4 * 420, 2: 2 * 420, 3: 0}  # 28 h, 14 h, nothing
    assert result.reached(1) and not result.reached(2) and GOAL_MINUTES == 1200
    assert result.assembly_progress([1, 2, 3]) == (1, 3)
    assert result.progress(3) == 0.0 and result.progress(1) == 1.0
    assert result.progress(2) == 840 / 1200
    assert hours_text(425) == "7:05"


def test_presence_by_stratum_uses_the_lottery_quotas_when_there_are_some() -> None:
    attributes = {
        1: {"gender": "kvinde", "age": "16-29"},
        2: {"gender": "kvinde", "age": "30-44"},
        3: {"gender": "mand", "age": "16-29"},
        4: {"gender": "kvinde", "age": "16-29"},
    }
    quotas = [
        {"feature": "gender", "value": "kvinde", "min": 3, "max": 4},
        {"feature": "age", "value": "16-29", "min": 1, "max": 3},
    ]
    rows = presence_by_stratum(attributes, [1, 3], quotas)
    women = rows[0]
    assert (women.feature, women.value, women.present, women.members) == ("gender", "kvinde", 1, 3)
    assert women.short  # 1 present, the lottery wanted at least 3
    young = rows[1]
    assert (young.present, young.members, young.short) == (2, 3, False)
    # without a lottery: every attribute value the members carry, short below half
    plain = {(r.feature, r.value): r for r in presence_by_stratum(attributes, [1, 3])}
    assert plain[("age", "30-44")].present == 0 and plain[("age", "30-44")].short
    assert len(plain) == 4


def test_missed_gatherings_are_counted_and_flagged() -> None:
    counts = missed([1, 2, 3], [10, 11, 12], {10: [1, 2], 11: [1], 12: [1, 3]})
    assert counts == {1: 0, 2: 2, 3: 2}
    assert flagged(counts) == [2, 3]


def question(qid: int, status: str = "approved", item: int = 5, **kw) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return QuestionView(qid, item, f"Spørgsmål {qid}", status, **kw).to_payload()


def test_votes_order_merges_and_events() -> None:
    room = ProgrammeRoom()
    room = apply_programme_event(
        room, "question", {"questions": [question(1), question(2), question(3)]}
    )
    for member, q in [(7, 2), (8, 2), (9, 3), (7, 3), (7, 2)]:  # the repeat changes nothing
        room = apply_programme_event(room, "upvote", {"question_id": q, "member_id": member})
    assert [q.id for q in room.for_item(5, ("approved",))] == [2, 3, 1]
    assert room.votes(2) == 2 and room.has_upvoted(2, 7) and not room.has_upvoted(1, 7)
    # 3 merged into 1: 1 gets 3's backers (7 and 9), each counted once
    room = apply_programme_event(
        room, "question", {"questions": [question(3, "merged", merged_into=1)]}
    )
    assert room.votes(1) == 2 and room.votes(2) == 2
    assert [q.id for q in room.for_item(5, ("approved",))] == [1, 2]  # a tie: the older first
    room = apply_programme_event(room, "upvote", {"question_id": 2, "member_id": 9})
    assert [q.id for q in room.for_item(5, ("approved",))] == [2, 1]


def test_attendance_and_checkin_events() -> None:
    room = ProgrammeRoom()
    room = apply_programme_event(
        room, "attendance", {"gathering_id": 1, "member_id": 4, "present": True}
    )
    assert room.is_present(1, 4) and not room.is_present(2, 4)
    room = apply_programme_event(
        room, "attendance", {"gathering_id": 1, "member_id": 4, "present": False}
    )
    assert room.present == {}
    room = apply_programme_event(room, "checkin", {"gathering_id": 1, "code": "0042"})
    assert (room.checkin_gathering, room.checkin_code) == (1, "0042")
    room = apply_programme_event(room, "checkin", {"gathering_id": None, "code": None})
    assert room.checkin_code is None
    assert checkin_code(42) == "0042" and checkin_code(123456) == "3456"


def test_duplicate_pairs_suggest_questions_that_read_alike() -> None:
    pairs = duplicate_pairs(
        [
            (1, "Hvad koster en varmepumpe til et parcelhus?"),
            (2, "Hvem betaler for nye cykelstier i kommunen?"),
            (3, "Hvad koster en varmepumpe til et hus?"),
        ]
    )
    assert pairs and pairs[0][:2] == (1, 3)
    assert all((a, b) != (1, 2) for a, b, _s in pairs)
    assert duplicate_pairs([(1, "Kun et spørgsmål")]) == []

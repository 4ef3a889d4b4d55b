"""Tallying: the order of votes does not matter, the last vote counts, paper and phone are
never both counted, each denominator, ties at the threshold, bands."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.ballot import (
    DENOMINATORS,
    SCALES,
    Ballots,
    BallotView,
    Band,
    QuestionView,
    Result,
    Rule,
    Vote,
    apply_ballot_event,
    counted_votes,
    parse_pct,
    pct_text,
    tally,
)

CHOICES = SCALES["yes_no_abstain"]
SCOTLAND = (
    Band(Fraction(75), "strongly supported", strict=True),
    Band(Fraction(50), "majority", strict=True),
    Band(Fraction(0), "not supported"),
)

votes_strategy = st.lists(
    st.builds(
        Vote,
        voter=st.sampled_from([f"v{i}" for i in range(12)]),
        question=st.sampled_from([1, 2, 3]),
        choice=st.sampled_from(CHOICES),
        order=st.integers(0, 50),
        paper=st.booleans(),
    ),
    max_size=60,
)


def independent_count(votes: list[Vote]) -> dict[int, Counter[str]]:
    """A second, naive count: per (question, voter) sort by (paper, order, choice), take last."""
    per: dict[tuple[int, str], list[Vote]] = {}
    for v in votes:
        per.setdefault((v.question, v.voter), []).append(v)
    counts: dict[int, Counter[str]] = {1: Counter(), 2: Counter(), 3: Counter()}
    for (question, _voter), mine in per.items():
        last = sorted(mine, key=lambda v: (v.paper, v.order, v.choice))[-1]
        counts[question][last.choice] += 1
    return counts


@settings(max_examples=200)
@given(votes_strategy, st.randoms(use_true_random=False))
def test_order_of_votes_does_not_matter(votes: list[Vote], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(votes)
    rnd.shuffle(shuffled)
    rule = Rule(bands=SCOTLAND)
    assert tally(rule, [1, 2, 3], votes, 30, 40) == tally(rule, [1, 2, 3], shuffled, 30, 40)


@settings(max_examples=200)
@given(votes_strategy)
def test_counts_equal_an_independent_count(votes: list[Vote]) -> None:
    results = tally(Rule(), [1, 2, 3], votes, 0, 0)
    expected = independent_count(votes)
    for result in results:
        assert result.counts == {c: expected[result.question][c] for c in CHOICES}
        assert result.cast == sum(expected[result.question].values())


@given(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=20))
def test_the_last_vote_counts(changes: list[str]) -> None:
    votes = [Vote("anna", 1, choice, order) for order, choice in enumerate(changes)]
    (result,) = tally(Rule(), [1], reversed(votes), 0, 0)
    assert result.cast == 1
    assert result.counts[changes[-1]] == 1


@given(st.sampled_from(CHOICES), st.sampled_from(CHOICES), st.integers(0, 9), st.integers(0, 9))
def test_paper_and_phone_never_both(phone: str, paper: str, o1: int, o2: int) -> None:
    votes = [Vote("bo", 1, phone, o1), Vote("bo", 1, paper, o2, paper=True)]
    (result,) = tally(Rule(), [1], votes, 0, 0)
    assert result.cast == 1 and result.counts[paper] == 1  # the typed paper ballot counts
    assert len(counted_votes(votes)) == 1


def ballot(yes: int, no: int, abstain: int) -> list[Vote]:
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    return [Vote(f"m{i}", 1, c) for i, c in enumerate(choices)]


@pytest.mark.parametrize(
    ("denominator", "present", "members", "expected"),
    [
        ("votes_cast", 20, 30, Fraction(6, 10)),  # 6 of 10 votes
        ("cast_without_abstentions", 20, 30, Fraction(6, 8)),  # 6 of 8 yes/no
        ("present", 20, 30, Fraction(6, 20)),
        ("all_members", 20, 30, Fraction(6, 30)),
        ("present", 4, 30, Fraction(6, 10)),  # everyone who voted was there
        ("all_members", 5, 8, Fraction(6, 10)),
    ],
)
def test_each_denominator(denominator: str, present: int, members: int, expected) -> None:  # type: ignore[no-untyped-def]
    (result,) = tally(Rule(denominator=denominator), [1], ballot(6, 2, 2), present, members)
    assert result.support == expected and Fraction(6, result.denominator) == expected


@given(
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from(DENOMINATORS),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_support_and_passing_follow_the_rule(  # type: ignore[no-untyped-def]
    yes, no, abstain, denominator, present, threshold
) -> None:
    rule = Rule(threshold_pct=Fraction(threshold), denominator=denominator)
    (result,) = tally(rule, [1], ballot(yes, no, abstain), present, 100)
    if result.denominator == 0:
        assert result.support is None and not result.passed and result.label == ""
    else:
        assert result.support == Fraction(yes, result.denominator)
        assert result.passed == (Fraction(yes * 100, result.denominator) >= threshold)
        assert 0 <= result.support <= 1


def test_ties_at_the_threshold() -> None:
    votes = ballot(7, 3, 0)  # exactly 70 %
    (at_least,) = tally(Rule(threshold_pct=Fraction(70)), [1], votes, 0, 0)
    (above,) = tally(Rule(threshold_pct=Fraction(70), strict=True), [1], votes, 0, 0)
    assert at_least.passed and not above.passed
    two_thirds = ballot(2, 1, 0)  # 66.666…% against a threshold of 66.67 and of 2/3
    assert not tally(Rule(threshold_pct=parse_pct("66.67")), [1], two_thirds, 0, 0)[0].passed
    assert tally(Rule(threshold_pct=Fraction(200, 3)), [1], two_thirds, 0, 0)[0].passed
    half = ballot(5, 5, 0)
    assert tally(Rule(threshold_pct=Fraction(50)), [1], half, 0, 0)[0].passed
    assert not tally(Rule(threshold_pct=Fraction(50), strict=True), [1], half, 0, 0)[0].passed


def test_bands_pick_the_highest_reached() -> None:
    rule = Rule(bands=SCOTLAND)
    labels = [tally(rule, [1], ballot(y, 10 - y, 0), 0, 0)[0].label for y in (8, 7, 6, 5, 0)]
    assert labels == [
        "strongly supported",
        "majority",
        "majority",
        "not supported",  # exactly 50 % is not "> 50 %"
        "not supported",
    ]
    assert tally(rule, [1], [], 0, 0)[0].label == ""  # no votes: no label


def test_other_questions_and_choices_are_not_counted() -> None:
    votes = [Vote("a", 1, "yes"), Vote("b", 9, "yes"), Vote("c", 1, "maybe")]
    (result,) = tally(Rule(), [1], votes, 0, 0)
    assert result.counts == {"yes": 1, "no": 0, "abstain": 0}


def test_agree_scale_and_check_scale() -> None:
    agree = Rule(scale="agree4", threshold_pct=Fraction(50))
    votes = [Vote("a", 1, "agree"), Vote("b", 1, "agree_strongly"), Vote("c", 1, "disagree")]
    (result,) = tally(agree, [1], votes, 0, 0)
    assert result.support == Fraction(2, 3) and result.passed
    check = Rule(scale="scale5")
    (dist,) = tally(check, [1], [Vote(str(i), 1, str(i % 5 + 1)) for i in range(10)], 0, 0)
    assert list(dist.counts) == ["1", "2", "3", "4", "5"] and set(dist.counts.values()) == {2}


def test_percentages_and_rules_round_trip() -> None:
    assert parse_pct("66,7") == Fraction(667, 10) and parse_pct("101") is None
    assert parse_pct("x") is None and parse_pct("nan") is None and parse_pct(-1) is None
    assert pct_text(Fraction(70)) == "70" and pct_text(Fraction(667, 10)) == "66.7"
    rule = Rule("agree4", Fraction(667, 10), True, "present", SCOTLAND)
    assert Rule.from_payload(rule.to_payload()) == rule
    assert rule.problem() is None
    assert Rule(scale="x").problem() == "bad_scale"
    assert Rule(denominator="x").problem() == "bad_denominator"
    assert Rule(threshold_pct=Fraction(101)).problem() == "bad_threshold"


@given(votes_strategy)
def test_results_round_trip_through_payloads(votes: list[Vote]) -> None:
    for result in tally(Rule(bands=SCOTLAND), [1, 2, 3], votes, 10, 20):
        assert Result.from_payload(result.to_payload()) == result


def test_ballot_events_record_who_voted_never_how() -> None:
    view = BallotView(
        1, "final", "Afstemning", "open", Rule(), (QuestionView(10, "A"), QuestionView(11, "B"))
    )
    state = apply_ballot_event(Ballots(), "ballot", {"ballot": view.to_payload()})
    assert state.ballots[1] == view and [b.id for b in state.open] == [1]
    for question, member in ((10, 5), (11, 5), (10, 6), (10, 5)):
        state = apply_ballot_event(
            state, "voted", {"ballot_id": 1, "question_id": question, "member_id": member}
        )
    assert state.turnout(view) == 2
    assert state.has_voted(11, 5) and not state.has_voted(11, 6)
    closed = BallotView.from_payload({**view.to_payload(), "status": "closed"})
    state = apply_ballot_event(state, "ballot", {"ballot": closed.to_payload()})
    assert state.open == [] and state.newest("final") == closed

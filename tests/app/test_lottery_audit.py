"""The audit report's labels for approximate runs and Goldilocks (issue 17)."""

from __future__ import annotations

import pytest

from app.lottery.audit import audit_csv, distribution_stats
from facilitation.sortition import Budget, Person, Quota, run_lottery


def instance():
    people = [Person(f"w{i}", {"g": "w", "a": "y" if i % 3 else "o"}) for i in range(6)]
    people += [Person(f"m{i}", {"g": "m", "a": "y" if i % 4 else "o"}) for i in range(14)]
    quotas = [Quota("g", "w", 2, 3), Quota("g", "m", 2, 3), Quota("a", "y", 3, 4)]
    quotas.append(Quota("a", "o", 1, 2))
    return people, quotas


def stored(result) -> dict:
    return {
        "probabilities": result.probabilities,
        "lottery_probabilities": result.lottery_probabilities,
        "within_one_over_m": result.within_one_over_m,
        "method": result.method,
        "stats": result.stats,
    }


def test_certified_leximin_adds_no_rows():
    people, quotas = instance()
    result = run_lottery(people, quotas, 5, panels=50)
    dist = distribution_stats(stored(result), [p.id for p in people])
    assert dist["certified"] is True and dist["gap"] == 0.0 and dist["goldilocks_bound"] is None
    text = audit_csv({"distribution": dist})
    assert "shortfall" not in text and "Goldilocks" not in text


def test_an_approximate_run_states_its_gap():
    from tests.facilitation.test_sortition import medium_instance

    people, quotas, k = medium_instance()
    stopped_at_once = Budget(clock=lambda: 10.0, time_limit=1.0)  # the limit passed already
    result = run_lottery(people, quotas, k, panels=50, budget=stopped_at_once)
    dist = distribution_stats(stored(result), [p.id for p in people])
    assert result.method == "approximate"
    assert dist["certified"] is False and dist["stopped"] == "time limit"
    assert 0 < dist["gap"] <= 1 and dist["floor_bound"] > 0
    row = [line for line in audit_csv({"distribution": dist}).splitlines() if "shortfall" in line]
    assert row and row[0].endswith(f"{dist['gap']:.6f}")


def test_goldilocks_states_its_factor():
    people, quotas = instance()
    result = run_lottery(people, quotas, 5, panels=50, algorithm="goldilocks")
    dist = distribution_stats(stored(result), [p.id for p in people])
    g, u = dist["goldilocks_bound"], dist["uniform"]
    assert u == pytest.approx(5 / 20) and g >= 1
    assert dist["optimal"]["min"] >= u / g - 1e-6 and dist["optimal"]["max"] <= g * u + 1e-6
    assert any(
        "Goldilocks factor" in line for line in audit_csv({"distribution": dist}).splitlines()
    )

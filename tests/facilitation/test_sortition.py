"""The fair lottery engine: optimality (against brute force), quotas, households, determinism."""

from __future__ import annotations

import hashlib
import itertools
import random

import highspy
import numpy as np
import pytest

from facilitation.sortition import (
    InfeasibleQuotasError,
    Person,
    Quota,
    SortitionInputError,
    check_panel,
    check_quotas,
    draw_index,
    find_distribution,
    normalise_seed,
    rfc3797_text,
    run_lottery,
    seed_digest,
)
from facilitation.sortition_model import add_cols, add_row, new_solver

INF = highspy.kHighsInf


# --- a brute-force reference: all panels enumerated, leximin by probing every person ----------


def feasible_panels(people, quotas, k):
    out = []
    for combo in itertools.combinations(people, k):
        households = [p.household for p in combo if p.household is not None]
        if len(households) != len(set(households)):
            continue
        ok = all(
            q.min <= sum(1 for p in combo if p.features[q.feature] == q.value) <= q.max
            for q in quotas
        )
        if ok:
            out.append(frozenset(p.id for p in combo))
    return out


def _lp(panels, ids, objective, floors):
    """max objective(p) over distributions on `panels`, with p_i >= floors[i] (None = free).

    objective: ("z", free_ids) maximises min over free_ids; ("p", i) maximises p_i.
    """
    h = new_solver()
    m = len(panels)
    add_cols(h, [0.0] * (m + 1), [0.0] * (m + 1), [1.0] * m + [INF])
    add_row(h, 1.0, 1.0, list(range(m)), [1.0] * m)
    kind, arg = objective
    for i in ids:
        cols = [j for j, panel in enumerate(panels) if i in panel]
        if kind == "z" and i in arg:
            add_row(h, 0.0, INF, [*cols, m], [1.0] * len(cols) + [-1.0])
        elif floors.get(i) is not None:
            add_row(h, floors[i], INF, cols, [1.0] * len(cols))
    cost = np.zeros(m + 1)
    if kind == "z":
        cost[m] = 1.0
    else:
        for j, panel in enumerate(panels):
            if arg in panel:
                cost[j] = 1.0
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    return h.getInfo().objective_function_value


def brute_force_leximin(people, quotas, k):
    panels = feasible_panels(people, quotas, k)
    ids = [p.id for p in people]
    fixed: dict[str, float] = {}
    while len(fixed) < len(ids):
        free = [i for i in ids if i not in fixed]
        z = _lp(panels, ids, ("z", set(free)), {**dict.fromkeys(free), **fixed})
        floors = {**{i: z - 1e-9 for i in free}, **{i: v - 1e-9 for i, v in fixed.items()}}
        stuck = [i for i in free if _lp(panels, ids, ("p", i), floors) <= z + 1e-7]
        for i in stuck or free:
            fixed[i] = z
    return fixed


def random_instance(seed: int, n: int, k: int, households: int = 0):
    rng = random.Random(seed)
    features = {"g": ["f", "m"], "a": ["y", "o", "x"][: rng.choice([2, 3])]}
    weights = {"f": 1, "m": 2, "y": 1, "o": 3, "x": 1}
    people = []
    for i in range(n):
        values = {f: rng.choices(vs, [weights[v] for v in vs])[0] for f, vs in features.items()}
        people.append(Person(f"p{i:02d}", values))
    for h in range(households):
        a, b = 2 * h, 2 * h + 1
        people[a] = Person(people[a].id, people[a].features, f"h{h}")
        people[b] = Person(people[b].id, people[b].features, f"h{h}")
    panel = rng.sample(people[2 * households :], k)  # a feasible panel exists by construction
    quotas = []
    for f, vs in features.items():
        for v in vs:
            c = sum(1 for p in panel if p.features[f] == v)
            quotas.append(Quota(f, v, max(0, c - rng.choice([0, 1])), c + rng.choice([0, 1])))
    return people, quotas


@pytest.mark.parametrize(
    "seed,n,k,households",
    [(1, 9, 3, 0), (2, 10, 4, 0), (3, 11, 4, 2), (4, 12, 3, 3), (5, 10, 5, 1)],
)
def test_leximin_matches_brute_force(seed, n, k, households):
    people, quotas = random_instance(seed, n, k, households)
    expected = brute_force_leximin(people, quotas, k)
    fair = find_distribution(people, quotas, k)
    got = fair.probabilities
    assert sorted(got.values()) == pytest.approx(sorted(expected.values()), abs=1e-6)
    for pid in expected:
        assert got[pid] == pytest.approx(expected[pid], abs=1e-6)


def test_hand_computed_optimum():
    # 2 women, 6 men, one seat each: women 1/2, men 1/6 — nothing fairer is possible.
    people = [Person(f"w{i}", {"g": "w"}) for i in range(2)]
    people += [Person(f"m{i}", {"g": "m"}) for i in range(6)]
    quotas = [Quota("g", "w", 1, 1), Quota("g", "m", 1, 1)]
    result = run_lottery(people, quotas, 2, panels=60)
    assert result.probabilities["w0"] == pytest.approx(0.5)
    assert result.probabilities["m5"] == pytest.approx(1 / 6)
    assert result.lottery_probabilities["w1"] == pytest.approx(0.5)
    assert result.lottery_probabilities["m3"] == pytest.approx(1 / 6)


def medium_instance(seed: int = 7, n: int = 150, k: int = 12):
    rng = random.Random(seed)
    features = {"g": ["f", "m"], "a": ["18", "35", "60"], "e": ["lo", "mid", "hi"], "r": "NSEW"}
    skew = {"60": 3, "hi": 3}
    people = []
    for i in range(n):
        values = {f: rng.choices(vs, [skew.get(v, 1) for v in vs])[0] for f, vs in features.items()}
        household = f"h{i // 2}" if i < 30 else None  # 15 two-person households
        people.append(Person(f"id{i:03d}", values, household))
    quotas = [
        Quota("g", "f", 5, 7), Quota("g", "m", 5, 7),
        Quota("a", "18", 3, 5), Quota("a", "35", 3, 5), Quota("a", "60", 3, 5),
        Quota("e", "lo", 3, 5), Quota("e", "mid", 3, 5), Quota("e", "hi", 3, 5),
        Quota("r", "N", 2, 4), Quota("r", "S", 2, 4), Quota("r", "E", 2, 4), Quota("r", "W", 2, 4),
    ]  # fmt: skip
    return people, quotas, k


@pytest.fixture(scope="module")
def medium():
    people, quotas, k = medium_instance()
    return people, quotas, k, run_lottery(people, quotas, k, panels=300)


def test_every_lottery_panel_meets_every_quota_and_household_rule(medium):
    people, quotas, k, result = medium
    assert len(result.lottery) == 300
    for panel in result.lottery:
        assert check_panel(panel, people, quotas, k) == []


def test_probabilities_sum_to_panel_size(medium):
    people, quotas, k, result = medium
    assert sum(result.probabilities.values()) == pytest.approx(k, abs=1e-6)
    assert sum(result.lottery_probabilities.values()) == pytest.approx(k)
    assert all(0.0 <= p <= 1.0 + 1e-9 for p in result.probabilities.values())


def test_lottery_shares_within_one_over_m(medium):
    people, quotas, k, result = medium
    m = len(result.lottery)
    assert result.within_one_over_m
    for pid, p in result.probabilities.items():
        assert abs(result.lottery_probabilities[pid] - p) < 1 / m + 1e-9
    assert min(result.lottery_probabilities.values()) >= min(result.probabilities.values()) - 1 / m


def test_household_members_share_one_chance(medium):
    people, quotas, k, result = medium
    by_household: dict[str, float] = {}
    for p in people:
        if p.household:
            by_household[p.household] = (
                by_household.get(p.household, 0) + result.probabilities[p.id]
            )
    assert max(by_household.values()) <= 1 + 1e-9


def test_deterministic_and_independent_of_row_order(medium):
    people, quotas, k, result = medium
    shuffled = people[:]
    random.Random(3).shuffle(shuffled)
    again = run_lottery(shuffled, list(reversed(quotas)), k, panels=300)
    assert again.lottery == result.lottery
    assert again.probabilities == pytest.approx(result.probabilities, abs=1e-9)
    assert result.draw("12 7 33").panel == again.draw("12 7 33").panel


def test_draw_is_documented_sha256_rule(medium):
    *_, result = medium
    seed = "  Lotto 27. november:\t3 17\n42  "
    digest = hashlib.sha256(b"Lotto 27. november: 3 17 42").hexdigest()
    drawn = result.draw(seed)
    assert drawn.seed_sha256 == digest
    assert drawn.index == int(digest, 16) % 300
    assert drawn.panel == result.lottery[drawn.index]


def test_seed_helpers():
    assert normalise_seed(" a\u0301  b\n") == "\u00e1 b"  # NFC, whitespace collapsed
    assert seed_digest("x") == hashlib.sha256(b"x").hexdigest()
    assert rfc3797_text([[17, 3, 42], [9]]) == "3.17.42./9./"
    assert draw_index("anything", 1) == 0
    with pytest.raises(ValueError):
        draw_index("   ", 10)


def test_replacements_keep_quotas(medium):
    people, quotas, k, first = medium
    drawn = first.draw("first draw")
    by_id = {p.id: p for p in people}
    kept = list(drawn.panel[:9])  # three dropped out
    result = run_lottery(people, quotas, k, kept, panels=100)
    taken = {by_id[i].household for i in kept} - {None}
    for panel in result.lottery:
        assert set(kept) <= set(panel)
        assert check_panel(panel, people, quotas, k) == []
        for pid in set(panel) - set(kept):
            assert by_id[pid].household not in taken
    assert all(result.probabilities[i] == 1.0 for i in kept)
    assert sum(result.probabilities.values()) == pytest.approx(k, abs=1e-6)


def conflict_instance(woman_min_flex=None, old_max_flex=None):
    people = [Person(f"w{i}", {"g": "woman", "a": "old"}) for i in range(4)]
    people += [Person(f"m{i}", {"g": "man", "a": "young"}) for i in range(4)]
    quotas = [
        Quota("g", "woman", 2, 4, min_flex=woman_min_flex),
        Quota("g", "man", 0, 4),
        Quota("a", "old", 0, 1, max_flex=old_max_flex),
        Quota("a", "young", 0, 4),
    ]
    return people, quotas


def test_infeasible_quotas_name_conflict_and_smallest_fix():
    people, quotas = conflict_instance(woman_min_flex=2)  # the min for women may not drop
    with pytest.raises(InfeasibleQuotasError) as err:
        run_lottery(people, quotas, 4)
    text = str(err.value)
    assert "g=woman" in text and "a=old" in text
    assert [
        (r.feature, r.value, r.bound, r.current, r.suggested) for r in err.value.relaxation
    ] == [("a", "old", "max", 1, 2)]
    assert isinstance(err.value, ValueError)


def test_infeasible_beyond_flex_says_so():
    people, quotas = conflict_instance(woman_min_flex=2, old_max_flex=1)
    with pytest.raises(InfeasibleQuotasError) as err:
        run_lottery(people, quotas, 4)
    assert err.value.relaxation is None
    assert "no relaxation" in str(err.value)


def test_obvious_conflicts_are_spelled_out():
    people = [Person(f"p{i}", {"g": "a" if i % 2 else "b"}) for i in range(10)]
    quotas = [Quota("g", "a", 3, 3), Quota("g", "b", 3, 3)]
    with pytest.raises(InfeasibleQuotasError, match="maximums of g=a, g=b add up to 6"):
        run_lottery(people, quotas, 7)
    report = check_quotas(people, quotas, 7)
    assert not report.feasible and report.quotas[0].pool == 5


def test_bad_input_is_a_value_error():
    people = [Person("p1", {"g": "a"}), Person("p1", {"g": "z"})]
    with pytest.raises(SortitionInputError, match="more than once") as err:
        run_lottery(people, [Quota("g", "a", 0, 1)], 1)
    assert "no quota names" in str(err.value)


def binary_instance(seed: int):
    """Three yes/no features and some households: here the LP relaxation is not integral."""
    rng = random.Random(seed)
    n = rng.randint(5, 9)
    k = rng.randint(2, 4)
    features = {"a": ["0", "1"], "b": ["0", "1"], "c": ["0", "1"]}
    people = [
        Person(
            f"p{i}",
            {f: rng.choice(vs) for f, vs in features.items()},
            f"h{i // 2}" if rng.random() < 0.4 else None,
        )
        for i in range(n)
    ]
    quotas = []
    for f, vs in features.items():
        for v in vs:
            lo = rng.randint(0, k // 2 + 1)
            quotas.append(Quota(f, v, lo, lo + rng.randint(0, 1)))
    return people, quotas, k


@pytest.mark.parametrize("seed", [105, 893, 904])
def test_exact_column_generation_when_the_relaxation_is_not_enough(seed):
    people, quotas, k = binary_instance(seed)
    fair = find_distribution(people, quotas, k)
    assert fair.distribution.method == "column-generation"  # the fallback path is exercised
    expected = brute_force_leximin(people, quotas, k)
    for pid, p in expected.items():
        assert fair.probabilities[pid] == pytest.approx(p, abs=1e-6)
    result = run_lottery(people, quotas, k, panels=100)
    assert all(check_panel(panel, people, quotas, k) == [] for panel in result.lottery)


def test_progress_is_reported():
    people, quotas, k = medium_instance(n=60)
    seen: list[tuple[str, float]] = []
    run_lottery(people, quotas, k, panels=20, progress=lambda s, f: seen.append((s, f)))
    assert seen[0] == ("checking", 0.0) and seen[-1] == ("done", 1.0)
    assert {s for s, _ in seen} >= {"leximin", "rounding"}
    assert all(0.0 <= f <= 1.0 for _, f in seen)


def test_effort_budget_gives_an_honest_approximation(monkeypatch):
    import facilitation.sortition_leximin as leximin_module

    monkeypatch.setattr(leximin_module, "DECOMPOSE_ROUNDS", 1)
    people, quotas, k = medium_instance()
    result = run_lottery(people, quotas, k, panels=50)
    assert result.method == "approximate" and result.stats["certified"] is False
    gap = result.stats["gap"]
    assert 0 < gap < 1
    assert sum(result.probabilities.values()) == pytest.approx(k, abs=1e-6)
    assert all(check_panel(panel, people, quotas, k) == [] for panel in result.lottery)


# --- issue 17: time limit, progress, the greedy pricer, Goldilocks ------------------------------


def ticking_clock(step: float = 1.0):
    """A clock that advances ``step`` seconds every time it is read: deterministic time."""
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def test_time_limit_gives_a_labelled_approximation_with_a_gap():
    from facilitation.sortition import Budget

    people, quotas, k = medium_instance()
    statuses = []
    budget = Budget(clock=ticking_clock(), time_limit=4.0, report=statuses.append)
    result = run_lottery(people, quotas, k, panels=50, budget=budget)
    assert result.method == "approximate" and result.stats["certified"] is False
    assert result.stats["stopped"] == "time limit"
    assert 0 < result.stats["gap"] <= 1
    assert result.stats["floor"] <= result.stats["bound"] + 1e-9
    assert all(check_panel(panel, people, quotas, k) == [] for panel in result.lottery)
    assert sum(result.probabilities.values()) == pytest.approx(k, abs=1e-6)
    # never silent: the relaxation's bound, then column generation, then the rounding
    stages = [s.stage for s in statuses]
    assert stages[0] == "relaxation" and "decomposition" in stages and stages[-1] == "rounding"
    assert all(s.floor <= s.bound + 1e-9 and 0 <= s.gap <= 1 for s in statuses)
    assert [s.elapsed for s in statuses] == sorted(s.elapsed for s in statuses)


def test_without_a_time_limit_the_same_instance_is_certified_and_reported():
    from facilitation.sortition import Budget

    people, quotas, k = medium_instance()
    statuses = []
    result = run_lottery(people, quotas, k, panels=50, budget=Budget(report=statuses.append))
    assert result.stats["certified"] is True and result.stats["stopped"] == ""
    assert result.stats["gap"] == 0.0
    assert result.stats["floor"] == pytest.approx(result.stats["bound"], abs=1e-6)
    assert statuses[-1].stage == "rounding" and statuses[-1].gap == 0.0


def test_effort_budget_in_rounds_is_reproducible():
    from facilitation.sortition import Budget

    people, quotas, k = medium_instance()
    a = run_lottery(people, quotas, k, panels=50, budget=Budget(max_rounds=2))
    b = run_lottery(people, quotas, k, panels=50, budget=Budget(max_rounds=2))
    assert a.stats["stopped"] == "effort budget" and a.stats["pricing_rounds"] == 2
    assert a.lottery == b.lottery


def test_greedy_pricer_builds_panels_that_meet_every_quota():
    from facilitation.sortition_model import build_instance
    from facilitation.sortition_pricing import GreedyPanels

    people, quotas, k = medium_instance()
    inst = build_instance(people, quotas, k)
    greedy = GreedyPanels(inst)
    rng = np.random.default_rng(5)
    built = 0
    for _ in range(20):
        x = greedy.panel(rng.random(len(inst.classes)), among=3 * k)
        if x is None:
            continue
        built += 1
        panel = [m for c, xc in zip(inst.classes, x, strict=True) for m in c.members[:xc]]
        assert check_panel(panel, people, quotas, k) == []
    assert built >= 15


def brute_force_goldilocks(people, quotas, k):
    """The smallest g with a lottery over all panels putting every chance in [u/g, g u]."""
    panels = feasible_panels(people, quotas, k)
    ids = [p.id for p in people]
    u = k / len(ids)

    def feasible(g: float) -> bool:
        h = new_solver()
        m = len(panels)
        add_cols(h, [0.0] * m, [0.0] * m, [1.0] * m)
        add_row(h, 1.0, 1.0, list(range(m)), [1.0] * m)
        for i in ids:
            cols = [j for j, panel in enumerate(panels) if i in panel]
            add_row(h, u / g, min(1.0, g * u), cols, [1.0] * len(cols))
        h.run()
        return h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    lo, hi = 1.0, 1.0 / u
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if feasible(mid) else (mid, hi)
    return hi


@pytest.mark.parametrize(
    "seed,n,k,households", [(6, 10, 3, 1), (9, 12, 4, 1), (10, 11, 5, 2), (11, 10, 4, 1)]
)
def test_goldilocks_matches_brute_force(seed, n, k, households):
    # instances where everyone can be on some panel (else the lower side is unbounded)
    people, quotas = random_instance(seed, n, k, households)
    expected = brute_force_goldilocks(people, quotas, k)
    result = run_lottery(people, quotas, k, panels=200, algorithm="goldilocks")
    assert result.algorithm == "goldilocks"
    u = k / n
    probs = result.probabilities.values()
    got = max(max(probs) / u, u / min(probs))
    if result.stats["certified"]:
        assert got == pytest.approx(expected, rel=1e-5)
    else:  # not reachable over real panels: never better than the true optimum
        assert got >= expected * (1 - 1e-6)
    assert all(check_panel(panel, people, quotas, k) == [] for panel in result.lottery)


def test_goldilocks_caps_the_highest_chance_that_leximin_leaves_at_one():
    # Leximin lifts everyone it can, up to 1 for the one old person; Goldilocks caps the top.
    people = [Person("old", {"a": "old", "g": "w"})]
    people += [Person(f"w{i}", {"a": "young", "g": "w"}) for i in range(3)]
    people += [Person(f"m{i}", {"a": "young", "g": "m"}) for i in range(8)]
    quotas = [
        Quota("a", "old", 0, 1),
        Quota("a", "young", 2, 3),
        Quota("g", "w", 1, 2),
        Quota("g", "m", 1, 2),
    ]
    lex = run_lottery(people, quotas, 3, panels=100)
    gold = run_lottery(people, quotas, 3, panels=100, algorithm="goldilocks")
    assert max(gold.probabilities.values()) <= max(lex.probabilities.values()) + 1e-9
    assert min(gold.probabilities.values()) <= min(lex.probabilities.values()) + 1e-9
    u = 3 / len(people)
    g = gold.stats["goldilocks_bound"]
    for p in gold.probabilities.values():
        assert u / g - 1e-6 <= p <= g * u + 1e-6


def test_unknown_algorithm_is_an_input_error():
    people, quotas, k = medium_instance(n=40)
    with pytest.raises(SortitionInputError, match="unknown algorithm"):
        run_lottery(people, quotas, k, algorithm="maximin")

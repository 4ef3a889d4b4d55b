from facilitation.seating_report import pair_counts, round_report, share_bands

ATTRS = {"a": {"g": "k"}, "b": {"g": "m"}, "c": {"g": "k"}, "d": {"g": "m"}}


def test_pairs_met_before_and_balance() -> None:
    history = [[["a", "b"], ["c", "d"]]]
    assert pair_counts(history)[("a", "b")] == 1
    report = round_report([["a", "c"], ["b", "d"]], history, ATTRS, ["g"])
    assert [r.met_before for r in report] == [0, 0]
    assert report[0].balance == {"g": {"k": 2}}
    again = round_report([["b", "a"], ["c", "d"]], history, ATTRS, ["g"])
    assert [r.met_before for r in again] == [1, 1]


def test_share_bands() -> None:
    assert share_bands(list(ATTRS), ATTRS, "g", 3) == {"k": (1, 2), "m": (1, 2)}
    assert share_bands(list(ATTRS), ATTRS, "g", 2) == {"k": (1, 1), "m": (1, 1)}

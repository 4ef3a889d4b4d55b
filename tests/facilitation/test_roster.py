import random

from facilitation.demo_roster import demo_members
from facilitation.roster import read_roster


def rows(*items: dict) -> list:
    return [(i + 2, row) for i, row in enumerate(items)]


def test_reads_members_and_drops_contact_columns() -> None:
    result = read_roster(
        ["id", "first_name", "gender", "email"],
        rows({"id": "7", "first_name": "Anna", "gender": "kvinde", "email": "a@b.dk"}),
        set(),
    )
    assert result.problems == []
    assert result.members[0].attributes == {"gender": "kvinde"}


def test_every_problem_is_reported_and_nothing_returned() -> None:
    result = read_roster(
        ["id", "navn"],
        rows({"id": "1", "navn": "A"}, {"id": "1", "navn": ""}, {"id": "", "navn": "C"}),
        {"9"},
    )
    assert result.members == []
    assert result.problems == [
        "line 3: id '1' appears twice",
        "line 3: empty name",
        "line 4: empty id",
    ]


def test_missing_columns() -> None:
    assert read_roster(["x"], [], set()).problems == [
        "line 1: missing column: id",
        "line 1: missing a name column (name, navn, first_name or fornavn)",
    ]


def test_demo_members_are_unique_and_deterministic() -> None:
    a = demo_members(36, random.Random(5))
    assert a == demo_members(36, random.Random(5))
    assert len({m.name for m in a}) == 36
    assert {m.attributes["gender"] for m in a} == {"kvinde", "mand"}

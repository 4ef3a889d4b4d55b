"""`samling rotate` through `app.cli.main`: the contract of docs/contracts/rotate.md."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from app.cli import main
from app.cli._input import InputError
from app.cli.rotate import parse_balance


def write_people(path: Path, n: int = 24, sep: str = ";") -> Path:
    lines = [sep.join(["id", "gender", "age"])]
    for i in range(n):
        lines.append(sep.join([f"p{i:02d}", "fm"[i % 2], ["young", "mid", "old"][i % 3]]))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _inert_dunder_main(monkeypatch: pytest.MonkeyPatch) -> None:
    # build_parser() imports every module of app.cli, and importing app/cli/__main__.py runs
    # main() on sys.argv; a stand-in keeps that from happening inside the test process.
    monkeypatch.setitem(sys.modules, "app.cli.__main__", types.ModuleType("app.cli.__main__"))


@pytest.fixture
def people(tmp_path: Path) -> Path:
    return write_people(tmp_path / "people.csv")


def test_json_plan_seats_everyone_once_per_round(
    capsys: pytest.CaptureFixture[str], people: Path
) -> None:
    code, out, err = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--table-size",
        "6",
        "--rounds",
        "3",
        "--seed",
        "1",
        "--json",
        "--iterations",
        "200",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"rounds", "stats"}
    assert len(data["rounds"]) == 3
    for entry in data["rounds"]:
        assert len(entry["tables"]) == 4
        seated = [pid for table in entry["tables"] for pid in table]
        assert sorted(seated) == [f"p{i:02d}" for i in range(24)]
        assert {len(t) for t in entry["tables"]} == {6}
    stats = data["stats"]
    for key in ("repeated_pairs", "max_pair_meetings", "band_misses", "new_repeats"):
        assert isinstance(stats[key], int)
    # 6 per table from 4 tables: every later table holds at least two people who met before.
    assert stats["max_pair_meetings"] == 2 and stats["repeated_pairs"] <= 30


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str], people: Path) -> None:
    argv = [
        "rotate",
        "--people",
        str(people),
        "--tables",
        "5",
        "--rounds",
        "4",
        "--seed",
        "7",
        "--balance",
        "gender:4,age",
        "--iterations",
        "150",
        "--json",
    ]
    assert run(capsys, *argv) == run(capsys, *argv)


def test_history_constraints_and_balance(
    capsys: pytest.CaptureFixture[str], people: Path, tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--tables",
        "4",
        "--rounds",
        "1",
        "--iterations",
        "100",
        "--json",
    )
    history = tmp_path / "history.json"
    history.write_text(out)
    constraints = tmp_path / "constraints.json"
    constraints.write_text(
        json.dumps(
            {
                "keep_apart": [["p00", "p01"]],
                "keep_together": [["p02", "p03"]],
                "pinned": {"p04": 1},
                "hosts": {"p05": 3},
                "absent": ["p06", "p07"],
            }
        )
    )
    code, out, err = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--tables",
        "4",
        "--rounds",
        "3",
        "--history",
        str(history),
        "--constraints",
        str(constraints),
        "--balance",
        "gender:4,age:2",
        "--iterations",
        "300",
        "--json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    for entry in data["rounds"]:
        tables = entry["tables"]
        where = {pid: t for t, table in enumerate(tables) for pid in table}
        assert len(where) == 22 and "p06" not in where and "p07" not in where
        assert where["p00"] != where["p01"]
        assert where["p02"] == where["p03"]
        assert where["p04"] == 0 and where["p05"] == 2
        assert max(map(len, tables)) - min(map(len, tables)) <= 1
    assert data["stats"]["forced_pairs"] == 1
    assert data["stats"]["people"] == 22


def test_readable_output_without_json(capsys: pytest.CaptureFixture[str], people: Path) -> None:
    code, out, _ = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--tables",
        "3",
        "--rounds",
        "2",
        "--iterations",
        "20",
    )
    assert code == 0
    assert out.startswith("Round 1\n  Table 1: ")
    assert "repeated pairs" in out


def test_parse_balance() -> None:
    assert parse_balance("gender:4, age:3,education,area") == {
        "gender": 4.0,
        "age": 3.0,
        "education": 1.0,
        "area": 1.0,
    }
    assert parse_balance("") == {}
    for bad in ("gender:x", "gender:0", "gender,gender", ":3", "age:-1", "age:nan"):
        with pytest.raises(InputError):
            parse_balance(bad)


@pytest.mark.parametrize(
    ("csv_text", "fragment"),
    [
        ("name;gender\nx;f\n", "line 1: missing column(s): id"),
        ("id;gender\na;f\nb;m\na;f\n", "line 4: id 'a' already on line 2"),
        ("id;gender\na;f\n;m\n", "line 3: empty id"),
        ("id;gender\na;f\nb;m;extra\n", "line 3: expected 2 fields, found 3"),
        ("id;gender\na;\nb;m\n", "line 2: empty 'gender'"),
        ("id;age\na;1\nb;2\n", "missing column(s): gender"),
        ("id;gender\n", "no people"),
    ],
)
def test_bad_people_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, csv_text: str, fragment: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(csv_text)
    code, out, err = run(
        capsys,
        "rotate",
        "--people",
        str(path),
        "--tables",
        "1",
        "--rounds",
        "1",
        "--balance",
        "gender",
        "--json",
    )
    assert code == 2 and out == ""
    assert fragment in err and str(path) in err


@pytest.mark.parametrize(
    ("option", "text", "fragment"),
    [
        ("--constraints", '{"keep_apart": [["p00", "p01"]\n,,]}', "line 2 column 2"),
        ("--constraints", '{"keep_apart": [["p00", "zz"]]}', "keep_apart[0]: 'zz' is not in"),
        ("--constraints", '{"keep_apart": [["p00"]]}', "keep_apart[0]: expected a pair"),
        ("--constraints", '{"keepapart": []}', "unknown key(s) 'keepapart'"),
        ("--constraints", '{"pinned": {"p00": 0}}', "table numbers are whole numbers from 1"),
        ("--constraints", '{"pinned": ["p00"]}', "pinned: expected an object"),
        ("--constraints", '{"absent": ["nobody"]}', "absent: 'nobody' is not in"),
        ("--constraints", "[]", "expected a JSON object"),
        ("--history", '{"rounds": [{"tables": [["p00", "p01"], ["p00"]]}]}', "seated twice"),
        ("--history", '{"rounds": [{"tables": [["p00", null]]}]}', "rounds[0].tables[0][1]"),
        ("--history", '[["p00"]]', 'an object with "rounds"'),
        ("--history", '{"rounds": [{"table": []}]}', 'rounds[0]: expected an object with "tables"'),
    ],
)
def test_bad_json_files(
    capsys: pytest.CaptureFixture[str],
    people: Path,
    tmp_path: Path,
    option: str,
    text: str,
    fragment: str,
) -> None:
    path = tmp_path / "input.json"
    path.write_text(text)
    code, out, err = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--tables",
        "4",
        "--rounds",
        "1",
        option,
        str(path),
        "--json",
    )
    assert code == 2 and out == ""
    assert fragment in err and str(path) in err


def test_missing_file_and_bad_numbers(capsys: pytest.CaptureFixture[str], people: Path) -> None:
    code, out, err = run(
        capsys, "rotate", "--people", "/nonexistent/people.csv", "--tables", "2", "--rounds", "1"
    )
    assert code == 2 and out == "" and "/nonexistent/people.csv" in err
    for flags in (
        ["--tables", "0", "--rounds", "1"],
        ["--tables", "2", "--rounds", "0"],
        ["--tables", "2", "--rounds", "1", "--time-limit", "0"],
    ):
        code, out, err = run(capsys, "rotate", "--people", str(people), *flags)
        assert code == 2 and out == "" and err.startswith("samling rotate: ")
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "rotate",
                "--people",
                str(people),
                "--tables",
                "2",
                "--table-size",
                "3",
                "--rounds",
                "1",
            ]
        )
    assert exc.value.code == 2
    assert capsys.readouterr().out == ""


def test_infeasible_constraints_exit_1(
    capsys: pytest.CaptureFixture[str], people: Path, tmp_path: Path
) -> None:
    path = tmp_path / "constraints.json"
    path.write_text('{"keep_apart": [["p00", "p01"]], "pinned": {"p00": 2, "p01": 2}}')
    code, out, err = run(
        capsys,
        "rotate",
        "--people",
        str(people),
        "--tables",
        "4",
        "--rounds",
        "2",
        "--constraints",
        str(path),
        "--json",
    )
    assert code == 1 and out == ""
    assert "'p00' and 'p01'" in err and "table 2" in err
    code, out, err = run(
        capsys, "rotate", "--people", str(people), "--tables", "30", "--rounds", "1", "--json"
    )
    assert code == 1 and out == "" and "30 tables but only 24 people" in err

"""`samling lottery`: the CLI contract of docs/contracts/lottery.md."""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import lottery
from facilitation.sortition import Person, Quota, check_panel

DATA = Path(__file__).resolve().parent.parent / "data" / "lottery" / "example_small_20"


def main(argv: list[str]) -> int:
    # In-process through the module's own register(), as app.cli does. (Not app.cli.main:
    # its module discovery also imports app/cli/__main__.py, which runs the real command.)
    parser = argparse.ArgumentParser(prog="samling")
    lottery.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["lottery", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def load(people_csv: Path, quotas_csv: Path):
    import csv

    with quotas_csv.open() as fh:
        quotas = [
            Quota(r["feature"], r["value"], int(r["min"]), int(r["max"]))
            for r in csv.DictReader(fh)
        ]
    with people_csv.open() as fh:
        people = [
            Person(r["id"], {q.feature: r[q.feature] for q in quotas}) for r in csv.DictReader(fh)
        ]
    return people, quotas


@pytest.fixture(scope="module")
def small_result():
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(
            [
                "lottery",
                "--people",
                str(DATA / "people.csv"),
                "--quotas",
                str(DATA / "quotas.csv"),
                "--panel-size",
                "20",
                "--seed",
                "7 12 19 23 31 40",
                "--json",
            ]
        )
    assert code == 0
    return json.loads(buf.getvalue())


def test_contract_on_example_small_20(small_result):
    out = small_result
    people, quotas = load(DATA / "people.csv", DATA / "quotas.csv")
    assert len(out["lottery"]) == 1000
    assert out["panel"] == out["lottery"][out["index"]]
    assert out["seed"] == "7 12 19 23 31 40"
    assert out["algorithm"] == "leximin"
    assert out["version"] == __version__
    digest = hashlib.sha256(b"7 12 19 23 31 40").hexdigest()
    assert out["index"] == int(digest, 16) % 1000
    assert set(out["probabilities"]) == {p.id for p in people}
    assert sum(out["probabilities"].values()) == pytest.approx(20, abs=1e-6)
    assert min(out["probabilities"].values()) == pytest.approx(0.10, abs=1e-9)  # = LEXIMIN
    for panel in out["lottery"]:
        assert check_panel(panel, people, quotas, 20) == []


def test_same_inputs_same_panel(capsys, small_result):
    code, out, err = run_cli(
        capsys,
        "--people",
        str(DATA / "people.csv"),
        "--quotas",
        str(DATA / "quotas.csv"),
        "--panel-size",
        "20",
        "--seed",
        "  7 12 19\n23 31 40 ",  # normalised to the same text
        "--json",
    )
    assert code == 0, err
    again = json.loads(out)
    assert again["panel"] == small_result["panel"]
    assert again["lottery"] == small_result["lottery"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def households_case(tmp_path: Path):
    people = write(
        tmp_path / "people.csv",
        "\ufeffid;gender;age;address;postcode\n"
        + "".join(
            f"a{i};{'F' if i % 2 else 'M'};{'young' if i % 3 else 'old'};"
            f"Street {i // 2};{1000 + i // 2}\n"
            for i in range(16)
        ),
    )
    quotas = write(
        tmp_path / "quotas.csv",
        "category,name,min,max\ngender,F,2,2\ngender,M,2,2\nage,young,1,3\nage,old,1,3\n",
    )
    return people, quotas


def test_households_older_headers_semicolons_and_replacements(capsys, tmp_path):
    people, quotas = households_case(tmp_path)
    base = ["--people", str(people), "--quotas", str(quotas), "--panel-size", "4"]
    base += ["--household-columns", "address,postcode", "--panels", "50", "--json"]
    code, out, err = run_cli(capsys, *base, "--seed", "one")
    assert code == 0, err
    first = json.loads(out)
    for panel in first["lottery"]:
        streets = [int(pid[1:]) // 2 for pid in panel]
        assert len(set(streets)) == len(streets)  # one per household
    kept = first["panel"][:3]
    ids = write(tmp_path / "kept.csv", "id\n" + "\n".join(kept) + "\n")
    code, out, err = run_cli(capsys, *base, "--seed", "two", "--already-selected", str(ids))
    assert code == 0, err
    second = json.loads(out)
    for panel in second["lottery"]:
        assert set(kept) <= set(panel) and len(panel) == 4
    assert all(second["probabilities"][pid] == 1.0 for pid in kept)


def test_malformed_people_rows_are_named(capsys, tmp_path):
    people = write(
        tmp_path / "people.csv",
        "id,gender,leaning\np1,female,liberal\np2,femme,liberal\np1,male,liberal\n,male,x\n",
    )
    code, out, err = run_cli(
        capsys,
        "--people",
        str(people),
        "--quotas",
        str(DATA / "quotas.csv"),
        "--panel-size",
        "2",
        "--seed",
        "s",
        "--json",
    )
    assert code == 2
    assert out == ""
    assert "line 3" in err and "femme" in err
    assert "line 4" in err and "duplicate id 'p1'" in err
    assert "line 5" in err


def test_malformed_quotas_rows_are_named(capsys, tmp_path):
    quotas = write(
        tmp_path / "quotas.csv",
        "feature,value,min,max\ngender,female,x,20\ngender,male,9,5\nleaning,liberal,9,20\n",
    )
    code, out, err = run_cli(
        capsys,
        "--people",
        str(DATA / "people.csv"),
        "--quotas",
        str(quotas),
        "--panel-size",
        "20",
        "--seed",
        "s",
        "--json",
    )
    assert code == 2 and out == ""
    assert "line 2" in err and "line 3" in err and "above max" in err


def test_ragged_csv_and_missing_file(capsys, tmp_path):
    people = write(tmp_path / "people.csv", "id,gender,leaning\np1,female\n")
    args = ["--quotas", str(DATA / "quotas.csv"), "--panel-size", "2", "--seed", "s", "--json"]
    code, out, err = run_cli(capsys, "--people", str(people), *args)
    assert code == 2 and out == "" and "line 2" in err
    code, out, err = run_cli(capsys, "--people", str(tmp_path / "nope.csv"), *args)
    assert code == 2 and out == "" and "nope.csv" in err


def test_unknown_already_selected_is_named(capsys, tmp_path):
    ids = write(tmp_path / "ids.csv", "id\np1\nnobody\n")
    code, out, err = run_cli(
        capsys,
        "--people",
        str(DATA / "people.csv"),
        "--quotas",
        str(DATA / "quotas.csv"),
        "--panel-size",
        "20",
        "--seed",
        "s",
        "--already-selected",
        str(ids),
        "--json",
    )
    assert code == 2 and out == ""
    assert "line 3" in err and "nobody" in err


def test_infeasible_quotas_exit_nonzero_with_the_conflict(capsys, tmp_path):
    quotas = write(
        tmp_path / "quotas.csv",
        "feature,value,min,max,min_flex,max_flex\n"
        "gender,female,12,20,10,20\ngender,male,12,20,10,20\n"
        "leaning,liberal,0,20,,\nleaning,conservative,0,20,,\n",
    )
    code, out, err = run_cli(
        capsys,
        "--people",
        str(DATA / "people.csv"),
        "--quotas",
        str(quotas),
        "--panel-size",
        "20",
        "--seed",
        "s",
        "--json",
    )
    assert code == 3 and out == ""
    assert "gender=female" in err and "gender=male" in err
    assert "add up to 24" in err
    assert "lower the min" in err


def test_real_command_line(tmp_path):
    people, quotas = households_case(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "lottery", "--people", str(people), "--quotas"]
        + [str(quotas), "--panel-size", "4", "--seed", "x", "--panels", "10", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["panel"] == out["lottery"][out["index"]]

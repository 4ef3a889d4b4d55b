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


# --- issue 17: progress on stderr, the time limit, Goldilocks -----------------------------------


def generated_pool(tmp_path: Path, size: int = 800, panel: int = 40):
    from bench.lottery_pools import generate, write

    pool = generate(size, panel, features=4)
    write(pool, tmp_path)
    return tmp_path / "people.csv", tmp_path / "quotas.csv", str(panel)


def test_progress_goes_to_stderr_and_stdout_stays_json(capsys):
    code, out, err = run_cli(
        capsys,
        "--people",
        str(DATA / "people.csv"),
        "--quotas",
        str(DATA / "quotas.csv"),
        "--panel-size",
        "20",
        "--seed",
        "x",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)  # nothing but the JSON object on stdout
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("samling lottery: ") for line in lines)
    assert any("column generation" in line and "floor" in line and "gap" in line for line in lines)
    assert " s, " in lines[0] and "done in" in lines[-1] and "certified" in lines[-1]
    comp = result["computation"]
    assert comp["certified"] is True and comp["stopped"] == "" and comp["gap"] == 0.0
    assert comp["time_limit"] == lottery.DEFAULT_TIME_LIMIT
    assert comp["floor"] == pytest.approx(0.1) and comp["lottery_floor"] == pytest.approx(0.1)


def test_quiet_prints_nothing_on_stderr(capsys):
    code, out, err = run_cli(
        capsys,
        *("--people", str(DATA / "people.csv"), "--quotas", str(DATA / "quotas.csv")),
        *("--panel-size", "20", "--seed", "x", "--json", "--quiet"),
    )
    assert code == 0 and err == "" and json.loads(out)["algorithm"] == "leximin"


def test_tiny_time_limit_gives_a_labelled_approximation(capsys, tmp_path):
    people, quotas, k = generated_pool(tmp_path)
    code, out, err = run_cli(
        capsys,
        *("--people", str(people), "--quotas", str(quotas), "--panel-size", k),
        *("--household-columns", "address", "--seed", "x", "--json"),
        *("--time-limit", "0.001", "--panels", "100"),
    )
    assert code == 0, err  # documented: a stopped run still exits 0, labelled
    result = json.loads(out)
    comp = result["computation"]
    assert result["method"] == "approximate" and comp["stopped"] == "time limit"
    assert comp["certified"] is False and result["guarantees"]["leximin_certified"] is False
    assert 0 < comp["gap"] <= 1 and result["guarantees"]["leximin_gap"] == comp["gap"]
    assert comp["floor"] <= comp["floor_bound"]
    assert "approximate, gap" in err.strip().splitlines()[-1]
    assert len(result["lottery"]) == 100
    people_list, quota_list = load(people, quotas)
    by_id = {p.id: p for p in people_list}
    import csv

    with people.open() as fh:
        address = {r["id"]: r["address"] for r in csv.DictReader(fh)}
    for panel in result["lottery"]:
        assert check_panel(panel, people_list, quota_list, int(k)) == []
        assert len({address[pid] for pid in panel}) == len(panel)  # one per household
    assert set(result["panel"]) <= set(by_id)


def test_max_rounds_repeats_a_stopped_run_exactly(capsys, tmp_path):
    people, quotas, k = generated_pool(tmp_path, 500, 30)
    args = ("--people", str(people), "--quotas", str(quotas), "--panel-size", k, "--seed", "x")
    runs = []
    for _ in range(2):
        code, out, err = run_cli(capsys, *args, "--json", "--max-rounds", "3", "--panels", "50")
        assert code == 0, err
        runs.append(json.loads(out))
    assert runs[0]["computation"]["stopped"] == "effort budget"
    assert runs[0]["computation"]["rounds"] == 3
    assert runs[0]["lottery_sha256"] == runs[1]["lottery_sha256"]


def test_goldilocks_reports_its_guarantee(capsys, tmp_path):
    people, quotas = households_case(tmp_path)
    code, out, err = run_cli(
        capsys,
        *("--people", str(people), "--quotas", str(quotas), "--panel-size", "4"),
        *("--household-columns", "address,postcode", "--seed", "x", "--json"),
        *("--algorithm", "goldilocks", "--panels", "100"),
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["algorithm"] == "goldilocks"
    g = result["guarantees"]["goldilocks"]
    assert g["uniform"] == pytest.approx(4 / 16)
    assert g["lowest"] == pytest.approx(min(result["probabilities"].values()))
    assert g["highest"] == pytest.approx(max(result["probabilities"].values()))
    assert g["lowest"] >= g["uniform"] / g["ratio"] - 1e-9
    assert g["highest"] <= g["uniform"] * g["ratio"] + 1e-9
    assert g["ratio"] >= g["ratio_bound"] - 1e-6


def test_bad_time_limit_and_algorithm_are_usage_errors(capsys):
    base = ("--people", str(DATA / "people.csv"), "--quotas", str(DATA / "quotas.csv"))
    base += ("--panel-size", "20", "--seed", "x")
    code, out, err = run_cli(capsys, *base, "--time-limit", "0")
    assert code == 2 and out == "" and "--time-limit" in err
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, *base, "--algorithm", "maximin")
    assert exc.value.code == 2

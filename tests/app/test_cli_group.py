"""The `samling group` contract (docs/contracts/group.md)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import group

NOTES = """id,text,extra
n1,More cycle lanes and safer bike parking,x
n2,Cheaper buses and trains,x
n3,Insulate all council homes,x
n4,Heat pumps for new houses,x
n5,More buses to the villages,x
n6,Grants to insulate old houses,x
"""
EXAMPLES = """id,text,theme
n1,More cycle lanes and safer bike parking,Transport
n3,Insulate all council homes,Housing
e9,Free buses for young people,Transport
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def main(argv: list[str]) -> int:
    # In-process through the module's own register(), as app.cli does; see the last test
    # for the real command.
    parser = argparse.ArgumentParser(prog="samling")
    group.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["group", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cluster_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--notes", write(tmp_path, "n.csv", NOTES), "--k", "2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["clusters"]
    clusters = data["clusters"]
    assert len(clusters) == 2
    assert sorted(i for c in clusters for i in c["note_ids"]) == [f"n{i}" for i in range(1, 7)]
    groups = {frozenset(c["note_ids"]) for c in clusters}
    assert groups == {frozenset({"n1", "n2", "n5"}), frozenset({"n3", "n4", "n6"})}
    for c in clusters:
        assert set(c) == {"label", "note_ids"}
        assert isinstance(c["label"], str) and c["label"]


def test_assign_mode_excludes_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = write(tmp_path, "n.csv", NOTES)
    examples = write(tmp_path, "e.csv", EXAMPLES)
    code, out, err = run(capsys, "--notes", notes, "--examples", examples, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["assignments"]
    rows = data["assignments"]
    assert [r["note_id"] for r in rows] == ["n2", "n4", "n5", "n6"]
    best = {r["note_id"]: r["themes"][0][0] for r in rows}
    assert best == {"n2": "Transport", "n4": "Housing", "n5": "Transport", "n6": "Housing"}
    for r in rows:
        assert [t for t, _ in r["themes"]] in (["Transport", "Housing"], ["Housing", "Transport"])
        scores = [s for _, s in r["themes"]]
        assert scores == sorted(scores, reverse=True)
        assert sum(scores) == pytest.approx(1.0, abs=1e-3)


def test_semicolon_and_bom_and_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "\ufeffid;text\na;Plant trees\nb;Plant more trees\n"
    code, out, _ = run(capsys, "--notes", write(tmp_path, "n.csv", text), "--k", "5")
    assert code == 0
    assert len(json.loads(out)["clusters"]) == 2  # k > distinct notes is fine
    code, out, _ = run(capsys, "--notes", write(tmp_path, "h.csv", "id,text\n"), "--k", "3")
    assert (code, json.loads(out)) == (0, {"clusters": []})


@pytest.mark.parametrize(
    ("notes", "extra", "message"),
    [
        ("id,body\na,x\n", ["--k", "2"], "missing column(s): text"),
        ("id,text\na,x\na,y\n", ["--k", "2"], "line 3: duplicate id 'a'"),
        ("id,text\n,x\n", ["--k", "2"], "line 2: empty id"),
        ('id,text\na,x,"y"\n', ["--k", "2"], "line 2: expected 2 fields, found 3"),
        ("", ["--k", "2"], "empty"),
        ("id,text\na,x\n", [], "--k is required"),
        ("id,text\na,x\n", ["--k", "0"], "--k must be at least 1"),
    ],
)
def test_malformed_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], notes: str, extra: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--notes", write(tmp_path, "n.csv", notes), *extra, "--json")
    assert code == 2
    assert out == ""
    assert err.startswith("samling group: ") and message in err


def test_malformed_examples_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = write(tmp_path, "n.csv", NOTES)
    for examples, message in [
        ("id,text\na,x\n", "missing column(s): theme"),
        ("id,text,theme\na,x,\n", "line 2: empty theme"),
        ("id,text,theme\n", "no examples"),
    ]:
        code, out, err = run(
            capsys, "--notes", notes, "--examples", write(tmp_path, "e.csv", examples)
        )
        assert (code, out) == (2, "") and message in err
    code, out, err = run(capsys, "--notes", str(tmp_path / "missing.csv"), "--k", "2")
    assert (code, out) == (2, "") and "missing.csv" in err
    latin1 = write(tmp_path, "l.csv", "id,text\na,Ærø\n", encoding="latin-1")
    code, out, err = run(capsys, "--notes", latin1, "--k", "2")
    assert (code, out) == (2, "") and "not UTF-8" in err


def test_real_command_is_byte_identical_across_runs(tmp_path: Path) -> None:
    notes = write(tmp_path, "n.csv", NOTES)
    examples = write(tmp_path, "e.csv", EXAMPLES)
    outputs = []
    for _ in range(2):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli",
                "group",
                "--notes",
                notes,
                "--examples",
                examples,
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["assignments"][0]["note_id"] == "n2"


def test_non_integer_k_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["group", "--notes", write(tmp_path, "n.csv", NOTES), "--k", "two"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == "" and "--k" in err

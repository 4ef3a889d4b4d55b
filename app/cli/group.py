"""`samling group`: grouping suggestions for a CSV of notes (contract: docs/contracts/group.md).

    samling group --notes notes.csv --k K --json
        -> {"clusters": [{"label": ..., "note_ids": [...]}, ...]}
    samling group --notes notes.csv --examples examples.csv --json
        -> {"assignments": [{"note_id": ..., "themes": [[theme, score], ...]}, ...]}

Malformed input: exit status 2, the reason on stderr, nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.cli._input import EXIT_BAD_INPUT, InputError, read_table
from facilitation.grouping import Note, Theme, cluster_notes, rank_themes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "group",
        help="suggest groupings of notes (clusters, or themes ranked per note)",
        description=(
            "Cluster notes into K groups, or with --examples rank the example themes for "
            "every other note. See docs/contracts/group.md."
        ),
    )
    parser.add_argument("--notes", required=True, help="CSV with columns id,text")
    parser.add_argument("--k", type=int, help="number of clusters (required without --examples)")
    parser.add_argument("--examples", help="CSV with columns id,text,theme: rank these themes")
    parser.add_argument(
        "--json", action="store_true", help="print JSON (the only format; accepted for clarity)"
    )
    parser.set_defaults(func=run)


def _notes(path: str) -> list[Note]:
    table = read_table(path, "id", "text")
    problems: list[str] = []
    first_line: dict[str, int] = {}
    notes = []
    for row in table.rows:
        note_id = row["id"]
        if not note_id:
            problems.append(f"line {row.line}: empty id")
        elif note_id in first_line:
            first = first_line[note_id]
            problems.append(f"line {row.line}: duplicate id {note_id!r} (first on line {first})")
        else:
            first_line[note_id] = row.line
            notes.append(Note(note_id, row["text"]))
    if problems:
        raise InputError(f"{path}: {'; '.join(problems)}")
    return notes


def _themes(path: str) -> tuple[list[Theme], set[str]]:
    table = read_table(path, "id", "text", "theme")
    problems: list[str] = []
    by_theme: dict[str, list[str]] = {}
    ids: set[str] = set()
    for row in table.rows:
        if not row["theme"]:
            problems.append(f"line {row.line}: empty theme")
            continue
        by_theme.setdefault(row["theme"], []).append(row["text"])
        if row["id"]:
            ids.add(row["id"])
    if problems:
        raise InputError(f"{path}: {'; '.join(problems)}")
    if not by_theme:
        raise InputError(f"{path}: no examples")
    return [Theme(name, tuple(texts)) for name, texts in by_theme.items()], ids


def run(args: argparse.Namespace) -> int:
    try:
        notes = _notes(args.notes)
        if args.examples:
            themes, example_ids = _themes(args.examples)
            to_rank = [n for n in notes if n.id not in example_ids]
            result: dict[str, object] = {
                "assignments": [
                    {"note_id": r.note_id, "themes": [[t, round(p, 4)] for t, p in r.themes]}
                    for r in rank_themes(themes, to_rank)
                ]
            }
        else:
            if args.k is None:
                raise InputError("--k is required without --examples")
            if args.k < 1:
                raise InputError(f"--k must be at least 1 (got {args.k})")
            result = {
                "clusters": [
                    {"label": c.label, "note_ids": list(c.note_ids)}
                    for c in cluster_notes(notes, args.k)
                ]
            }
    except InputError as exc:
        print(f"samling group: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0

"""Benchmark of the grouping suggestions (issue 6): quality on real notes, and speed.

    .venv/bin/python bench/grouping.py [--draws 200] [--data DIR_OR_CSV ...] [--no-timing]

Quality, per file of ``id,text,gold_theme[,lang]`` notes (default: ../shared/data/notes/*.csv):
top-1 and top-3 accuracy of ``rank_themes`` with 3 example notes per theme, averaged over
``--draws`` seeded random draws of the examples (the examples' own rows are not scored), and
the adjusted Rand index of ``cluster_notes`` at the true number of themes, averaged over 8
seeded shufflings of the note order. The same figures for a plain character 2–5-gram TF-IDF
nearest-centroid / k-means baseline are computed in the same run.

Speed: wall time of ``rank_themes`` (3 examples per theme) and ``cluster_notes`` (k = 8) on
200 and 2,000 notes synthesised from the real ones (resampled, 20% of words dropped at
random, seeded), best of 3 runs. The machine is shared, so timings are noisy.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facilitation.grouping import Note, Theme, cluster_notes, rank_themes  # noqa: E402
from facilitation.grouping_quality import (  # noqa: E402
    GoldNote,
    adjusted_rand_index,
    baseline_clusterer,
    baseline_ranker,
    engine_clusterer,
    engine_ranker,
    evaluate,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "notes"


def load(path: Path) -> list[GoldNote]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [GoldNote(r["id"], r["text"], r["gold_theme"]) for r in csv.DictReader(f)]


def mean_ari(notes: list[GoldNote], clusterer, shuffles: int = 8) -> tuple[float, float]:
    k = len({n.theme for n in notes})
    scores = []
    for seed in range(shuffles):
        shuffled = list(notes)
        random.Random(seed).shuffle(shuffled)
        labels = clusterer(shuffled, k)
        scores.append(adjusted_rand_index([n.theme for n in shuffled], labels))
    return sum(scores) / len(scores), min(scores)


def synthesise(notes: list[GoldNote], count: int, seed: int = 1) -> list[Note]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        words = [w for w in rng.choice(notes).text.split() if rng.random() > 0.2]
        out.append(Note(f"s{i}", " ".join(words)))
    return out


def timing(notes: list[GoldNote]) -> list[tuple[int, float, float]]:
    by_theme: dict[str, list[str]] = {}
    for n in notes:
        by_theme.setdefault(n.theme, []).append(n.text)
    themes = [Theme(name, tuple(texts[:3])) for name, texts in by_theme.items()]
    rows = []
    for size in (200, 2000):
        batch = synthesise(notes, size)
        best_rank = best_cluster = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            rank_themes(themes, batch)
            best_rank = min(best_rank, time.perf_counter() - start)
            start = time.perf_counter()
            cluster_notes(batch, 8)
            best_cluster = min(best_cluster, time.perf_counter() - start)
        rows.append((size, best_rank, best_cluster))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--data", nargs="*", default=[str(DEFAULT_DATA)])
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for item in args.data:
        p = Path(item)
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    if not files:
        print("no data files found", file=sys.stderr)
        return 1

    print(
        f"Quality: 3 examples per theme, {args.draws} seeded draws; ARI at true k, "
        "mean (min) over 8 note orders"
    )
    print()
    print("| data | notes / themes | method | top-1 | top-3 | ARI |")
    print("| --- | --- | --- | --- | --- | --- |")
    all_notes: list[GoldNote] = []
    for path in files:
        notes = load(path)
        all_notes.extend(notes)
        shape = f"{len(notes)} / {len({n.theme for n in notes})}"
        for name, ranker, clusterer in (
            ("char TF-IDF centroid (baseline)", baseline_ranker, baseline_clusterer),
            ("samling grouping", engine_ranker(), engine_clusterer()),
        ):
            q = evaluate(notes, ranker, clusterer, count=args.draws)
            ari, ari_min = mean_ari(notes, clusterer)
            print(
                f"| {path.stem} | {shape} | {name} | {q.top1:.3f} | {q.top3:.3f} | "
                f"{ari:.3f} ({ari_min:.3f}) |"
            )
    if not args.no_timing:
        print()
        print("Speed (best of 3, seconds; synthetic notes; k = 8 for clustering)")
        print()
        print("| notes | rank_themes | cluster_notes |")
        print("| --- | --- | --- |")
        for size, rank_s, cluster_s in timing(all_notes):
            print(f"| {size:,} | {rank_s:.2f} | {cluster_s:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The lottery's audit report: aggregate statistics only, kept after the pool is deleted.

Nothing here names a volunteer: counts per quota value (target, pool, panel), the distribution
of selection probabilities (min, median, max, a histogram), how the seed was made and which
software drew it. The same dict feeds the printable page and the CSV.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from app import exports
from facilitation.sortition import Person, Quota

EDGES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0, 8.0)


def _summary(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"min": 0.0, "median": 0.0, "max": 0.0, "mean": 0.0}
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of the selection probabilities (0 = everyone equally likely)."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def histogram(values: Sequence[float]) -> list[dict[str, float | int]]:
    """Counts in bins measured against the average chance (panel size / pool size).

    Edges at 0, ¼, ½, ¾, 1, 1½, 2, 4 and 8 times the average, and 100 %: a fair lottery puts
    nearly everyone near 1×; the low bins show who a skewed pool leaves behind.
    """
    mean = statistics.fmean(values) if values else 0.0
    edges = [0.0] + [m * mean for m in EDGES if 0 < m * mean < 1.0] + [1.0]
    counts = [0] * (len(edges) - 1)
    for v in values:
        # a value on an edge (up to rounding) counts in the bin above it
        i = next((j for j in range(len(counts)) if v < edges[j + 1] - 1e-9), len(counts) - 1)
        counts[i] += 1
    return [{"from": edges[i], "to": edges[i + 1], "count": c} for i, c in enumerate(counts)]


def quota_rows(
    quotas: Iterable[Quota], people: Sequence[Person], panel: Iterable[str]
) -> list[dict[str, Any]]:
    chosen = set(panel)
    out = []
    for q in quotas:
        with_value = [p for p in people if p.features.get(q.feature) == q.value]
        out.append(
            {
                "feature": q.feature,
                "value": q.value,
                "min": q.min,
                "max": q.max,
                "pool": len(with_value),
                "panel": sum(1 for p in with_value if p.id in chosen),
            }
        )
    return out


def distribution_stats(result: dict[str, Any], candidates: Sequence[str]) -> dict[str, Any]:
    """Probabilities over the people who could be drawn (not already selected, not excluded)."""
    optimal = [result["probabilities"][i] for i in candidates]
    shares = [result["lottery_probabilities"][i] for i in candidates]
    return {
        "candidates": len(candidates),
        "optimal": _summary(optimal),
        "lottery": _summary(shares),
        "gini": gini(optimal),
        "histogram": histogram(optimal),
        "within_one_over_m": bool(result["within_one_over_m"]),
        "method": result["method"],
        "solver": str(result["stats"].get("solver", "")),
    }


CSV_HEADER = ["section", "name", "min", "max", "pool", "panel", "value"]


def audit_csv(audit: dict[str, Any]) -> str:
    """One long table: the summary, the quotas, the histogram and every draw."""
    out = io.StringIO()
    writer = exports.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)

    def put(section: str, name: str, value: Any = "", **counts: Any) -> None:
        row = [counts.get(k, "") for k in ("min", "max", "pool", "panel")]
        writer.writerow([section, name, *row, value])

    for key in ("pool_size", "panel_size", "panels", "algorithm", "version", "seed_rule"):
        put("summary", key, audit.get(key, ""))
    dist = audit.get("distribution") or {}
    for kind in ("optimal", "lottery"):
        for stat, number in (dist.get(kind) or {}).items():
            put("probability", f"{kind}_{stat}", f"{number:.6f}")
    if dist:
        put("probability", "gini", f"{dist['gini']:.6f}")
        put("probability", "method", dist["method"])
        put("probability", "solver", dist["solver"])
    for q in audit.get("quotas", []):
        counts = {k: q[k] for k in ("min", "max", "pool", "panel")}
        put("quota", f"{q['feature']}={q['value']}", "", **counts)
    for b in dist.get("histogram", []):
        put("histogram", f"{b['from']:.6f}-{b['to']:.6f}", b["count"])
    for d in audit.get("draws", []):
        name = f"round {d['round']}"
        for key in ("seed", "seed_normalised", "seed_sha256", "index", "panels", "lottery_sha256"):
            put("draw", f"{name} {key}", d.get(key, ""))
        put("draw", f"{name} kept", d.get("kept", 0))
        put("draw", f"{name} new", d.get("new", 0))
    return out.getvalue()

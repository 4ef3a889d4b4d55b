"""The lottery's audit report: aggregate statistics only, kept after the pool is deleted.

Nothing here names a volunteer: counts per quota value (target, pool, panel), the distribution
of selection probabilities (min, median, max, a histogram), how the seed was made and which
software drew it. The same dict feeds the printable page and the CSV.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app import exports
from facilitation.messages import N_
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
    stats = result["stats"]
    gold = stats.get("goldilocks_bound")
    return {
        "candidates": len(candidates),
        "optimal": _summary(optimal),
        "lottery": _summary(shares),
        "gini": gini(optimal),
        "histogram": histogram(optimal),
        "within_one_over_m": bool(result["within_one_over_m"]),
        "method": result["method"],
        "solver": str(result["stats"].get("solver", "")),
        # issue 17: how close to the optimum (approximate runs), Goldilocks' factor
        "certified": bool(stats.get("certified", True)),
        "gap": float(stats.get("gap", 0.0)),
        "floor_bound": float(stats.get("bound", 0.0)),
        "stopped": str(stats.get("stopped", "")),
        "uniform": float(stats.get("uniform", 0.0)),
        "goldilocks_bound": None if gold is None else float(gold),
    }


CSV_HEADER = ["section", "name", "min", "max", "pool", "panel", "value"]
# the column and row names in the viewer's language (msgids; English as before)
CSV_HEADER_TEXT = [
    N_("section"),
    N_("name"),
    N_("min"),
    N_("max"),
    N_("pool"),
    N_("panel"),
    N_("value"),
]
CSV_SECTIONS = {
    "summary": N_("summary"),
    "probability": N_("chance"),
    "quota": N_("quota"),
    "histogram": N_("histogram"),
    "draw": N_("draw"),
}
CSV_NAMES = {
    "pool_size": N_("signed up"),
    "panel_size": N_("drawn"),
    "panels": N_("compositions in the list"),
    "algorithm": N_("method"),
    "version": N_("software version"),
    "seed_rule": N_("rule for the draw"),
    "gini": N_("Gini coefficient"),
    "method": N_("computation"),
    "solver": N_("solver"),
    "seed": N_("numbers drawn in public"),
    "seed_normalised": N_("the numbers as text"),
    "seed_sha256": N_("fingerprint of the text (SHA-256)"),
    "index": N_("composition drawn"),
    "lottery_sha256": N_("fingerprint of the list (SHA-256)"),
    "kept": N_("stayed"),
    "new": N_("newly drawn"),
    "optimal": N_("fair chance"),
    "lottery": N_("share of the list"),
    "min": N_("lowest"),
    "median": N_("median"),
    "max": N_("highest"),
    "mean": N_("average"),
    "gap": N_("largest shortfall from the fairest chance (share)"),
    "goldilocks": N_("Goldilocks factor"),
}


def audit_csv(audit: dict[str, Any], gettext: Callable[[str], str] = str) -> str:
    """One long table: the summary, the quotas, the histogram and every draw.

    ``gettext`` translates the header, the sections and the row names (the web export is in
    the viewer's language); numbers, ids and fingerprints are written as they are.
    """
    out = io.StringIO()
    writer = exports.writer(out, lineterminator="\n")
    writer.writerow([gettext(h) for h in CSV_HEADER_TEXT])

    def put(section: str, name: str, value: Any = "", **counts: Any) -> None:
        row = [counts.get(k, "") for k in ("min", "max", "pool", "panel")]
        writer.writerow([gettext(CSV_SECTIONS[section]), name, *row, value])

    def say(key: str) -> str:
        return gettext(CSV_NAMES[key])

    for key in ("pool_size", "panel_size", "panels", "algorithm", "version", "seed_rule"):
        put("summary", say(key), audit.get(key, ""))
    dist = audit.get("distribution") or {}
    for kind in ("optimal", "lottery"):
        for stat, number in (dist.get(kind) or {}).items():
            put("probability", f"{say(kind)}: {say(stat)}", f"{number:.6f}")
    if dist:
        put("probability", say("gini"), f"{dist['gini']:.6f}")
        put("probability", say("method"), dist["method"])
        put("probability", say("solver"), dist["solver"])
        if not dist.get("certified", True):
            put("probability", say("gap"), f"{dist['gap']:.6f}")
        if dist.get("goldilocks_bound") is not None:
            put("probability", say("goldilocks"), f"{dist['goldilocks_bound']:.6f}")
    for q in audit.get("quotas", []):
        counts = {k: q[k] for k in ("min", "max", "pool", "panel")}
        put("quota", f"{q['feature']}={q['value']}", "", **counts)
    for b in dist.get("histogram", []):
        put("histogram", f"{b['from']:.6f}-{b['to']:.6f}", b["count"])
    for d in audit.get("draws", []):
        name = gettext(CSV_DRAW) % {"n": d["round"]}
        for key in ("seed", "seed_normalised", "seed_sha256", "index", "panels", "lottery_sha256"):
            put("draw", f"{name}: {say(key)}", d.get(key, ""))
        put("draw", f"{name}: {say('kept')}", d.get("kept", 0))
        put("draw", f"{name}: {say('new')}", d.get("new", 0))
    return out.getvalue()


CSV_DRAW = N_("draw %(n)s")

"""The organiser's lottery: upload → feasibility → run → public draw → replacements → confirm.

Built on the pure engine ``facilitation.sortition`` (contract: docs/contracts/lottery.md). The
run happens in a worker thread that stores its progress on the ``Lottery`` row, so any page
(any process) can show it. Confirming turns the drawn panel into the assembly's pseudonymous
roster and deletes the pool's personal data (now, or ``retention_days`` later), keeping only
the aggregate statistics in ``Lottery.audit``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import __version__
from app.clock import utcnow
from app.csvfiles import CsvError, decode, parse_csv
from app.db import session_scope
from app.lottery.audit import distribution_stats, quota_rows
from app.lottery.files import (
    Pool,
    parse_pool,
    parse_quotas,
    person_of,
)
from app.lottery.models import Lottery
from app.models import Assembly
from facilitation.messages import N_
from facilitation.sortition import (
    ALGORITHM,
    SEED_RULE,
    Budget,
    InfeasibleQuotasError,
    Person,
    Quota,
    QuotaReport,
    SortitionInputError,
    check_quotas,
    draw_index,
    normalise_seed,
    run_lottery,
    seed_digest,
)

MAX_PANELS = 10_000
STALE_AFTER = timedelta(minutes=5)
# seconds: then the best lottery found, labelled approximate with its gap (issue 17)
TIME_LIMIT = 240.0
_RUNNING: dict[int, threading.Thread] = {}


class LotteryError(ValueError):
    """An action that does not fit the lottery's state; ``key`` picks the page's message."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key, self.detail = key, detail


class UploadError(CsvError):
    """Bad upload: ``fields`` are form fields out of range, ``problems`` the files' bad rows."""

    def __init__(self, fields: list[str], problems: list[str]) -> None:
        super().__init__(problems or fields)
        self.fields, self.problems = fields, problems


def latest(db: Session, assembly_id: int, lock: bool = False) -> Lottery | None:
    """The assembly's newest lottery (``lock``: row-locked for a state change on PostgreSQL)."""
    query = select(Lottery).where(Lottery.assembly_id == assembly_id)
    query = query.order_by(col(Lottery.id).desc())
    return db.exec(query.with_for_update() if lock else query).first()


def quotas_of(lottery: Lottery) -> list[Quota]:
    return [Quota(**q) for q in lottery.quotas]


def people_of(lottery: Lottery, include_dropped: bool = False) -> list[Person]:
    """The engine's view of the pool (without people who declined, unless asked)."""
    if lottery.pool is None:
        raise LotteryError("deleted")
    columns, pid_column = lottery.pool["columns"], lottery.pool["id_column"]
    dropped = set() if include_dropped else set(lottery.dropped)
    out = []
    for row in lottery.pool["rows"]:
        values = dict(zip(columns, row, strict=True))
        if values[pid_column] not in dropped:
            out.append(
                person_of(values, lottery.features, lottery.household_columns, values[pid_column])
            )
    return out


def _int(text: str, default: int, low: int, high: int, name: str, fields: list[str]) -> int:
    try:
        value = int(text) if text.strip() else default
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        fields.append(name)
    return value


@dataclass(frozen=True)
class ParsedUpload:
    """Both files and the options, checked, before any database work: ``error`` or the rest."""

    error: UploadError | None
    panel_size: int = 0
    panels: int = 0
    retention_days: int = 0
    households: tuple[str, ...] = ()
    quotas: tuple[Quota, ...] = ()
    pool: Pool | None = None


def parse_upload(people_data: bytes, quotas_data: bytes, options: dict[str, str]) -> ParsedUpload:
    """Validate both files and the options. Pure and bounded (app.csvfiles' limits): the web
    page runs it in the threadpool outside any transaction, so no lock waits on a big file."""
    fields: list[str] = []
    panel_size = _int(options.get("panel_size", ""), 0, 1, 10_000, "panel_size", fields)
    panels = _int(options.get("panels", ""), 1000, 1, MAX_PANELS, "panels", fields)
    retention = _int(options.get("retention_days", ""), 0, 0, 365, "retention_days", fields)
    problems: list[str] = []
    households = [c.strip() for c in options.get("household_columns", "").split(",") if c.strip()]
    quotas: list[Quota] = []
    try:
        quotas = parse_quotas(parse_csv(decode(quotas_data)))
    except CsvError as exc:
        problems += [N_("quotas: %(problem)s", problem=p) for p in exc.problems]
    pool: Pool | None = None
    if quotas:
        try:
            pool = parse_pool(parse_csv(decode(people_data)), quotas, households)
        except CsvError as exc:
            problems += [N_("pool: %(problem)s", problem=p) for p in exc.problems]
    if fields or problems or pool is None:
        return ParsedUpload(UploadError(fields, problems))
    return ParsedUpload(None, panel_size, panels, retention, tuple(households), tuple(quotas), pool)


def upload(
    db: Session,
    assembly: Assembly,
    people_data: bytes | ParsedUpload,
    quotas_data: bytes = b"",
    options: dict[str, str] | None = None,
) -> Lottery:
    """Store the pool (files already parsed by :func:`parse_upload`, or parsed here), or raise
    CsvError and store nothing."""
    current = latest(db, assembly.id or 0)
    if current is not None and (
        current.status not in ("uploaded", "computed") or current.round > 1
    ):
        raise LotteryError("drawn")
    parsed = (
        people_data
        if isinstance(people_data, ParsedUpload)
        else parse_upload(people_data, quotas_data, options or {})
    )
    if parsed.error is not None:
        raise parsed.error
    pool, quotas = parsed.pool, list(parsed.quotas)
    assert pool is not None
    if current is not None:
        db.delete(current)
    lottery = Lottery(
        assembly_id=assembly.id or 0,
        panel_size=parsed.panel_size,
        panels=parsed.panels,
        household_columns=list(parsed.households),
        quotas=[q.__dict__ for q in quotas],
        features=sorted({q.feature for q in quotas}),
        pool_size=len(pool.people),
        pool={"columns": pool.columns, "id_column": pool.id_column, "rows": pool.rows},
        retention_days=parsed.retention_days,
        version=__version__,
        algorithm=ALGORITHM,
        seed_rule=SEED_RULE,
        created_at=utcnow(),
    )
    db.add(lottery)
    db.flush()
    return lottery


def feasibility(lottery: Lottery) -> QuotaReport:
    """The pool against the quotas (with the panel's kept members in a replacement round)."""
    return check_quotas(people_of(lottery), quotas_of(lottery), lottery.panel_size, lottery.kept)


def is_stalled(lottery: Lottery) -> bool:
    """A run whose worker is gone (e.g. the server restarted): it may be started again."""
    if lottery.status != "running" or lottery.id in _RUNNING:
        return False
    return lottery.progress_at is None or utcnow() - lottery.progress_at > STALE_AFTER


def start_run(db: Session, engine: Engine, lottery: Lottery) -> Callable[[], None]:
    """Mark it running; the returned ``launch`` (call after commit) starts the worker thread."""
    if lottery.status != "uploaded" and not is_stalled(lottery):
        raise LotteryError("not_ready")
    lottery.status, lottery.error = "running", ""
    lottery.progress_stage, lottery.progress_fraction = "starting", 0.0
    lottery.progress_at = utcnow()
    db.add(lottery)
    db.flush()
    assert lottery.id is not None
    lottery_id = lottery.id

    def launch() -> None:
        thread = threading.Thread(
            target=_compute, args=(engine, lottery_id), name=f"lottery-{lottery_id}", daemon=True
        )
        _RUNNING[lottery_id] = thread
        thread.start()

    return launch


def wait_for_runs(timeout: float = 60.0) -> None:
    """Block until every worker of this process has finished (tests, shutdown)."""
    for thread in list(_RUNNING.values()):
        thread.join(timeout)


def _compute(engine: Engine, lottery_id: int) -> None:
    try:
        with session_scope(engine) as db:
            lottery = db.get(Lottery, lottery_id)
            assert lottery is not None
            people, quotas = people_of(lottery), quotas_of(lottery)
            size, kept, panels = lottery.panel_size, list(lottery.kept), lottery.panels
            algorithm = lottery.algorithm or ALGORITHM
        last: list[Any] = [0.0, ""]  # when and at which stage progress was last written

        def progress(stage: str, fraction: float) -> None:
            overall = {"leximin": 0.9 * fraction, "rounding": 0.9 + 0.1 * fraction}
            fraction = overall.get(stage, 1.0 if stage == "done" else 0.0)
            now = time.monotonic()
            if stage == last[1] and now - last[0] < 0.5:
                return
            last[0], last[1] = now, stage
            with session_scope(engine, write=True) as db:
                row = db.get(Lottery, lottery_id)
                if row is not None:
                    row.progress_stage, row.progress_fraction = stage, fraction
                    row.progress_at = utcnow()
                    db.add(row)

        try:
            start = time.monotonic()
            budget = Budget(clock=lambda: time.monotonic() - start, time_limit=TIME_LIMIT)
            result = run_lottery(people, quotas, size, kept, panels, progress, budget, algorithm)
        except (InfeasibleQuotasError, SortitionInputError) as exc:
            _finish(engine, lottery_id, None, str(exc))
            return
        stored = {
            "probabilities": result.probabilities,
            "lottery": [list(p) for p in result.lottery],
            "lottery_probabilities": result.lottery_probabilities,
            "within_one_over_m": result.within_one_over_m,
            "within_floor_ceil": result.within_floor_ceil,
            "method": result.method,
            "stats": result.stats,
            "lottery_sha256": result.lottery_sha256,
            "already_selected": list(result.already_selected),
        }
        _finish(engine, lottery_id, stored, "")
    except Exception as exc:  # noqa: BLE001 - the organiser must see that the run failed
        _finish(engine, lottery_id, None, f"the run failed: {exc}")
    finally:
        _RUNNING.pop(lottery_id, None)


def _finish(engine: Engine, lottery_id: int, result: dict[str, Any] | None, error: str) -> None:
    with session_scope(engine, write=True) as db:
        lottery = db.get(Lottery, lottery_id)
        if lottery is None or lottery.pool is None:  # replaced, or the pool was deleted
            return
        lottery.result, lottery.error = result, error
        lottery.status = "computed" if result is not None else "uploaded"
        lottery.progress_stage, lottery.progress_fraction = "done", 1.0
        lottery.progress_at = lottery.computed_at = utcnow()
        if result is not None:
            lottery.lottery_sha256 = result["lottery_sha256"]
        db.add(lottery)


def draw(lottery: Lottery, seed_text: str) -> tuple[list[str], list[str]]:
    """Draw the panel with the public randomness: lottery[SHA-256(seed) mod m].

    Returns who left the panel and who joined it (both empty for the first draw).
    """
    if lottery.status != "computed" or lottery.result is None:
        raise LotteryError("not_computed")
    if not normalise_seed(seed_text):
        raise LotteryError("no_seed")
    panels = lottery.result["lottery"]
    index = draw_index(seed_text, len(panels))
    panel = list(panels[index])
    new = [pid for pid in panel if pid not in set(lottery.kept)]
    left = [pid for pid in lottery.panel if pid not in panel]
    if lottery.round > 1:
        lottery.replacements = [*lottery.replacements, *new]
    lottery.panel, lottery.draw_index = panel, index
    lottery.seed_text, lottery.seed_normalised = seed_text, normalise_seed(seed_text)
    lottery.seed_sha256 = seed_digest(seed_text)
    lottery.status = "confirmed" if lottery.confirmed_at else "drawn"
    lottery.drawn_at = utcnow()
    _record_draw(lottery, len(new))
    return left, (new if lottery.round > 1 else [])


def _record_draw(lottery: Lottery, new: int) -> None:
    assert lottery.result is not None
    audit = dict(lottery.audit or {})
    everyone = people_of(lottery, include_dropped=True)
    if lottery.round == 1:
        candidates = [p.id for p in everyone]
        audit.update(
            pool_size=lottery.pool_size,
            panel_size=lottery.panel_size,
            panels=lottery.panels,
            algorithm=lottery.algorithm,
            version=lottery.version,
            seed_rule=lottery.seed_rule,
            household_rule=bool(lottery.household_columns),
            distribution=distribution_stats(lottery.result, candidates),
        )
    audit["quotas"] = quota_rows(quotas_of(lottery), everyone, lottery.panel)
    draws = [d for d in audit.get("draws", []) if d["round"] != lottery.round]
    floor = float(lottery.result["stats"].get("lottery_floor", 0.0))
    draws.append(
        {
            "round": lottery.round,
            "seed": lottery.seed_text,
            "seed_normalised": lottery.seed_normalised,
            "seed_sha256": lottery.seed_sha256,
            "index": lottery.draw_index,
            "panels": len(lottery.result["lottery"]),
            "lottery_sha256": lottery.lottery_sha256,
            "kept": len(lottery.kept),
            "new": new,
            "lottery_floor": floor,
            "at": (lottery.drawn_at or utcnow()).isoformat(timespec="seconds"),
        }
    )
    audit["draws"] = draws
    lottery.audit = audit


def start_replacement(lottery: Lottery, dropouts: list[str]) -> None:
    """People on the panel who declined: a new round keeps the rest and refills fairly.

    Before confirming, or after it while the pool is kept (``retention_days``).
    """
    if lottery.status not in ("drawn", "confirmed") or lottery.pool is None:
        raise LotteryError("not_drawn")
    unknown = [d for d in dropouts if d not in lottery.panel]
    if not dropouts or unknown:
        raise LotteryError("no_dropouts")
    lottery.dropped = [*lottery.dropped, *dropouts]
    lottery.kept = [pid for pid in lottery.panel if pid not in dropouts]
    lottery.round += 1
    lottery.status, lottery.result, lottery.error = "uploaded", None, ""


def cancel_replacement(lottery: Lottery) -> None:
    """Back to the last drawn panel (before the replacement round was drawn)."""
    if lottery.round < 2 or lottery.status not in ("uploaded", "computed"):
        raise LotteryError("no_replacement")
    lottery.dropped = [d for d in lottery.dropped if d not in lottery.panel]
    lottery.kept, lottery.result = [], None
    lottery.round -= 1
    lottery.status = "confirmed" if lottery.confirmed_at else "drawn"


def lottery_text(lottery: Lottery) -> str:
    """The m panels as published (one per line, ids joined by ","): its SHA-256 is shown."""
    if lottery.result is None:
        raise LotteryError("not_computed")
    return "\n".join(",".join(p) for p in lottery.result["lottery"]) + "\n"

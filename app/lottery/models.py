"""The lottery that draws an assembly's panel (tables; the flow is in ``app.lottery.flow``).

Personal data lives only in ``Lottery.pool`` (the uploaded volunteers' rows, every column) and,
pseudonymously, in ``result``/``dropped`` (pool ids with probabilities and the m panels). All
three are emptied when the pool is deleted (at confirmation, or ``retention_days`` later);
``audit`` keeps only aggregate statistics, and the drawn panel's ids are the roster's codes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

STATUSES = ("uploaded", "running", "computed", "drawn", "confirmed")


class Lottery(SQLModel, table=True):
    """One lottery run for an assembly: pool + quotas → fair lottery → public draw → roster."""

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    status: str = Field(default="uploaded", max_length=12, description=" | ".join(STATUSES))
    panel_size: int
    panels: int = Field(default=1000, description="m: panels in the uniform lottery")
    household_columns: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    quotas: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="feature, value, min, max, min_flex, max_flex (not personal)",
    )
    features: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pool_size: int = 0
    pool: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="PERSONAL DATA: {'columns': [...], 'id_column': ..., 'rows': [[...], ...]}",
    )
    result: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="The computed lottery (pool ids, probabilities, m panels); deleted with pool",
    )
    progress_stage: str = Field(default="", max_length=40)
    progress_fraction: float = 0.0
    progress_at: datetime | None = None
    error: str = Field(default="", max_length=4000)
    round: int = Field(default=1, description="1 = the first draw; 2, 3, … = replacements")
    panel: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The drawn panel's pool ids (these become the roster's codes)",
    )
    kept: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Already selected for the current replacement round",
    )
    replacements: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    dropped: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Drawn people who declined (pseudonymous; cleared with the pool)",
    )
    seed_text: str = Field(default="", max_length=2000, description="The public randomness")
    seed_normalised: str = Field(default="", max_length=2000)
    seed_sha256: str = Field(default="", max_length=64)
    seed_rule: str = Field(default="", max_length=40)
    draw_index: int | None = None
    lottery_sha256: str = Field(default="", max_length=64)
    version: str = Field(default="", max_length=40, description="samling's version")
    algorithm: str = Field(default="", max_length=40)
    retention_days: int = Field(default=0, description="Keep the pool this long after confirming")
    audit: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="Aggregate statistics only: kept after the pool is deleted",
    )
    created_at: datetime
    computed_at: datetime | None = None
    drawn_at: datetime | None = None
    confirmed_at: datetime | None = None
    delete_after: datetime | None = None
    pool_deleted_at: datetime | None = None

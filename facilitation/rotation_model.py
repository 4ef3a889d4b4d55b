"""The data handed to and returned by the table-rotation engine (see `facilitation.rotation`).

Everything here is plain, immutable data. Table numbers inside the engine are 0-based indices
(``tables[0]`` is "table 1" on the projector); people are identified by their string ``id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Table = Sequence[str]
"""The ids of the people at one table."""

Round = Sequence[Table]
"""One seating: a list of tables, index = table number − 1."""


class RotationError(ValueError):
    """Hard constraints or inputs that cannot be satisfied; the message names the conflict."""


@dataclass(frozen=True)
class Member:
    """A member of the assembly: an id and attribute labels such as ``{"gender": "f"}``."""

    id: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableLayout:
    """How many tables and how big: exactly one of ``count``, ``size`` or ``capacities``.

    ``count`` and ``size`` give tables whose sizes differ by at most one (``size`` is the
    largest size: the table count is ⌈present / size⌉). ``capacities`` lists the seats at each
    table; people are spread as evenly as the capacities allow.
    """

    count: int | None = None
    size: int | None = None
    capacities: Sequence[int] | None = None


@dataclass(frozen=True)
class Constraints:
    """Hard constraints. They never break; if they cannot hold, planning raises `RotationError`.

    ``pinned`` and ``hosts`` map an id to a 0-based table index where that person sits in every
    round (a pinned person needs the accessible table; a host stays, World-Café style).
    ``keep_together`` groups sit at one table in every round (overlapping groups are merged).
    Constraints naming someone who is absent are ignored for as long as they are absent.
    """

    keep_apart: Sequence[tuple[str, str]] = ()
    keep_together: Sequence[Sequence[str]] = ()
    pinned: Mapping[str, int] = field(default_factory=dict)
    hosts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RotationProblem:
    """What to plan.

    ``present`` is the set of ids to seat (``None``: every member). ``history`` lists rounds
    already held (or, for `repair_round`, every other round of the session); their encounters
    count, ids not among ``members`` are ignored there. ``balance`` maps an attribute name to its
    priority (weight, > 0); each table's count of every value of a balanced attribute should lie
    in the band ⌊size·share⌋..⌈size·share⌉, share taken among the people present.
    """

    members: Sequence[Member]
    rounds: int
    layout: TableLayout
    present: frozenset[str] | None = None
    history: Sequence[Round] = ()
    constraints: Constraints = field(default_factory=Constraints)
    balance: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanStats:
    """Figures of a plan, over the planned rounds plus the history (pairs of present people).

    ``repeated_pairs`` is Σ max(0, c − 1) over pairs, c = times the pair sat together;
    ``new_repeats`` counts only what the planned rounds add to the history's repeats.
    Pairs forced together by the constraints (a keep-together group, two people fixed at one
    table) are left out of the pair figures and counted in ``forced_pairs``.
    ``band_misses`` counts (round, table, attribute, value) cells outside their band,
    ``band_distance`` the people by which they miss, ``band_misses_by_attribute`` splits the
    misses per balanced attribute and ``tables_off_band`` counts (round, table, attribute)
    with at least one value outside its band.
    """

    rounds: int
    people: int
    tables: int
    repeated_pairs: int
    new_repeats: int
    max_pair_meetings: int
    distinct_pairs_met: int
    forced_pairs: int
    band_misses: int
    band_distance: int
    band_misses_by_attribute: Mapping[str, int]
    tables_off_band: int = 0
    iterations: int = 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping of the figures."""
        return {
            "rounds": self.rounds,
            "people": self.people,
            "tables": self.tables,
            "repeated_pairs": self.repeated_pairs,
            "new_repeats": self.new_repeats,
            "max_pair_meetings": self.max_pair_meetings,
            "distinct_pairs_met": self.distinct_pairs_met,
            "forced_pairs": self.forced_pairs,
            "band_misses": self.band_misses,
            "band_distance": self.band_distance,
            "band_misses_by_attribute": dict(self.band_misses_by_attribute),
            "tables_off_band": self.tables_off_band,
            "iterations": self.iterations,
        }


@dataclass(frozen=True)
class Plan:
    """Planned rounds (each a list of tables of ids, in input order) and their figures."""

    rounds: list[list[list[str]]]
    stats: PlanStats


@dataclass(frozen=True)
class Repair:
    """A re-planned round: the new tables, who had to change table, who was seated anew."""

    tables: list[list[str]]
    moved: list[str]
    seated: list[str]
    removed: list[str]
    stats: PlanStats

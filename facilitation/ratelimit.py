"""Token-bucket rate limits, handed the time so they are easy to test."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """Allow ``burst`` actions at once per key, refilled at ``per_second``.

    Keys are whatever the caller limits by (a participant, an assembly code, an address).
    The table is pruned of full buckets so it cannot grow without bound.
    """

    burst: float
    per_second: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str, now: float, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens from ``key``'s bucket at time ``now`` (refilled at
        ``per_second`` up to ``burst``); False, and nothing taken, when there are too few."""
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - last) * self.per_second)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 10_000:
            self._prune(now)
        return allowed

    def refund(self, key: str, cost: float = 1.0) -> None:
        """Give back what an action turned out not to need (a resend of something stored)."""
        if key in self._buckets:
            tokens, last = self._buckets[key]
            self._buckets[key] = (min(self.burst, tokens + cost), last)

    def _prune(self, now: float) -> None:
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.per_second >= self.burst:
                del self._buckets[key]

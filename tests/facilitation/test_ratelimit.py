from facilitation.ratelimit import RateLimiter


def test_burst_then_refill_per_key() -> None:
    limiter = RateLimiter(burst=2, per_second=1.0)
    assert limiter.allow("a", 0.0) and limiter.allow("a", 0.0)
    assert not limiter.allow("a", 0.5)
    assert limiter.allow("b", 0.5)
    assert limiter.allow("a", 1.6)


def test_refund_gives_back_up_to_the_burst() -> None:
    limiter = RateLimiter(burst=1, per_second=0.0)
    assert limiter.allow("a", 0.0) and not limiter.allow("a", 0.0)
    limiter.refund("a")
    limiter.refund("a")
    assert limiter.allow("a", 0.0) and not limiter.allow("a", 0.0)

from game.throttle import TokenBucket


def test_a_burst_passes_then_the_rate_applies_then_a_flood_overflows() -> None:
    bucket = TokenBucket(rate=10, burst=5, patience=3)
    assert all(bucket.allow(0.0) for _ in range(5))
    assert not bucket.allow(0.0)
    assert bucket.allow(0.1)  # one token back after 1/rate seconds
    for _ in range(3):
        assert not bucket.allow(0.1)
    assert not bucket.overflowing  # three refusals are tolerated
    bucket.allow(0.1)
    assert bucket.overflowing


def test_a_steady_player_is_never_refused() -> None:
    bucket = TokenBucket(rate=10, burst=5, patience=3)
    assert all(bucket.allow(t * 0.2) for t in range(500))

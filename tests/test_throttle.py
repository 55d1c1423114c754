import pytest

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


def test_a_key_closed_for_flooding_cools_until_its_bucket_is_full_again() -> None:
    bucket = TokenBucket(rate=10, burst=5, patience=3)
    assert bucket.cooling(0.0) == 0.0  # nothing sent yet
    while not bucket.overflowing:
        bucket.allow(0.0)
    assert bucket.cooling(0.0) == 0.5  # five tokens at ten a second
    assert bucket.cooling(0.3) == pytest.approx(0.2)
    assert bucket.cooling(0.5) == 0.0
    polite = TokenBucket(rate=10, burst=5, patience=3)
    for _ in range(7):
        polite.allow(0.0)  # refused twice: slowed down, not flooding
    assert polite.cooling(0.0) == 0.0


def test_a_steady_player_is_never_refused() -> None:
    bucket = TokenBucket(rate=10, burst=5, patience=3)
    assert all(bucket.allow(t * 0.2) for t in range(500))

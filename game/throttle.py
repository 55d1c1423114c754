"""Flood control: token buckets, per key, and counts of what each key holds. Pure; the caller passes the time."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """Allows ``burst`` messages at once and ``rate`` per second after that.

    ``allow`` says whether a message may be handled now; ``overflowing`` turns
    true once a client keeps sending after being told to slow down, which is
    when the connection should be closed.
    """

    rate: float = 20.0
    burst: float = 60.0  # a whole drill sent by a fast script still fits
    patience: int = 20  # refused messages tolerated before closing
    tokens: float = -1.0
    updated: float = 0.0
    refused: int = 0

    def allow(self, now: float) -> bool:
        """Every drill message asks: written without ``min``/``max`` calls (the same arithmetic)."""
        tokens = self.tokens
        if tokens < 0:
            tokens = self.burst
        else:
            tokens += (now - self.updated) * self.rate
            if tokens > self.burst:
                tokens = self.burst
        self.updated = now
        if tokens >= 1:
            self.tokens = tokens - 1
            if self.refused:
                self.refused -= 1
            return True
        self.tokens = tokens
        self.refused += 1
        return False

    @property
    def overflowing(self) -> bool:
        return self.refused > self.patience

    def cooling(self, now: float) -> float:
        """Seconds before a key closed for flooding may open another connection: until its bucket is full again.

        A flooding client closed by ``overflowing`` otherwise reconnects at once, and each reconnect costs the server a
        whole handshake for a message or two (bench/hostile.py: ~700 a second). 0 for a key that is not overflowing.
        """
        if not self.overflowing:
            return 0.0
        return max(0.0, (self.burst - self.tokens) / self.rate - (now - self.updated))


class KeyedBuckets:
    """One TokenBucket per key (a player, an address), shared by all of that key's connections.

    Memory stays bounded: once more than ``max_keys`` are held, buckets that have refilled
    completely (nobody is being limited by them) are dropped; if every bucket is still in use,
    the oldest go first.
    """

    def __init__(self, rate: float, burst: float, patience: int = 20, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.patience, self.max_keys = rate, burst, patience, max_keys
        self._buckets: dict[str, TokenBucket] = {}

    def get(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune()
            bucket = self._buckets[key] = TokenBucket(rate=self.rate, burst=self.burst, patience=self.patience)
        return bucket

    def allow(self, key: str, now: float) -> bool:
        return self.get(key).allow(now)

    def _prune(self) -> None:
        now = max((b.updated for b in self._buckets.values()), default=0.0)
        for key in [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * b.rate >= b.burst]:
            del self._buckets[key]
        while len(self._buckets) >= self.max_keys:
            del self._buckets[next(iter(self._buckets))]


class Counter:
    """How many of something each key holds now (open sockets per player, connections per address)."""

    def __init__(self) -> None:
        self.total = 0
        self._counts: dict[str, int] = {}

    def __getitem__(self, key: str) -> int:
        return self._counts.get(key, 0)

    def add(self, key: str) -> None:
        self._counts[key] = self._counts.get(key, 0) + 1
        self.total += 1

    def remove(self, key: str) -> None:
        left = self._counts.get(key, 0) - 1
        if left > 0:
            self._counts[key] = left
        else:
            self._counts.pop(key, None)
        self.total -= 1


def address_key(address: str | None) -> str:
    """Who an address is for limits: an IPv6 client owns a whole /64, so it counts as one."""
    if not address:
        return "?"
    if ":" in address:
        try:
            return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address) + "/64"
        except ValueError:
            return address
    return address

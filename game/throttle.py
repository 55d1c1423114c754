"""Flood control for one connection: a token bucket. Pure; the caller passes the time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
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
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = max(0, self.refused - 1)
            return True
        self.refused += 1
        return False

    @property
    def overflowing(self) -> bool:
        return self.refused > self.patience

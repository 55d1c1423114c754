"""Slow drill messages wait for a quiet moment of the event loop, one at a time, so they never hold up a result.

The one gevent worker runs one greenlet at a time, and a greenlet gives the loop back only when it waits for
I/O. A `result` or a `trial` costs ~0.3-0.5 ms of the worker; a `start` (planning a drill, carrying nine
QUEST+ procedures into a new session) costs 1-6 ms, and players who began together finish their drills
together: at 1,000-2,000 players a wave of ~100 starts a second took the loop for 30-50 ms at a time, and every
answer behind them waited (bench/load.py --timeline: the slow answers of a run are where the starts are).
A player who just pressed "start" does not notice 100 ms; one waiting for the feedback of a flash does.

So a slow message first takes the lane (one at a time: a crowd of them never runs back to back), then waits
until the loop has nothing else pending (``gevent.idle``), or until it has waited ``MAX_WAIT_S`` since it
arrived: under a load that never leaves the loop idle, a start is late by at most that, then runs in turn as
before. Outside a gevent worker (tests in-process, scripts) the lane does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_S = 0.5


class Lane:
    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self.max_wait_s = max_wait_s
        self._lock = None  # a gevent lock, made on first use in the serving process (after the fork)
        self._gevent = None

    def _ready(self) -> bool:
        if self._gevent is None:
            try:
                import gevent
                from gevent import monkey
                from gevent.lock import Semaphore
            except ImportError:  # pragma: no cover - gevent comes with gunicorn[gevent]
                self._gevent = False
                return False
            self._gevent = gevent if monkey.is_module_patched("socket") else False
            if self._gevent:
                self._lock = Semaphore(1)
        return bool(self._gevent)

    @contextmanager
    def turn(self, arrived: float) -> Iterator[None]:
        """Hold the lane for a slow message that arrived at ``arrived`` (``time.monotonic()``)."""
        if not self._ready():
            yield
            return
        gevent = self._gevent
        with self._lock:
            left = self.max_wait_s - (time.monotonic() - arrived)
            if left > 0:
                with gevent.Timeout(left, False):
                    gevent.idle()
            yield

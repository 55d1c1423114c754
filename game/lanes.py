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

The lane is handed over in the order messages asked for it. gevent's ``Semaphore`` is not fair: a greenlet that
releases it and asks again without waiting on I/O in between (a flooding socket whose next ``start`` is already
read) takes it back before the waiter it just woke runs, so a flood of one player's legal starts could hold another
player's single start for as long as the flood had starts buffered (tests/test_lanes.py; bench/hostile.py read
p99 1.2-1.7 s in sessions 15-16). Handed over in turn, a start waits at most ``MAX_WAIT_S`` plus the slow messages
ahead of it: one per socket, since a socket reads its next message only after its last one's reply.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_S = 0.5


class Lane:
    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self.max_wait_s = max_wait_s
        self._busy = False
        self._waiting: deque = deque()  # gevent Events of those asking for the lane, first come first
        self._gevent = None  # the gevent module once known to serve (after the fork), False outside a worker
        self._event = None  # gevent.event.Event

    def _ready(self) -> bool:
        if self._gevent is None:
            try:
                import gevent
                from gevent import monkey
                from gevent.event import Event
            except ImportError:  # pragma: no cover - gevent comes with gunicorn[gevent]
                self._gevent = False
                return False
            self._gevent = gevent if monkey.is_module_patched("socket") else False
            self._event = Event
        return bool(self._gevent)

    @contextmanager
    def turn(self, arrived: float) -> Iterator[None]:
        """Hold the lane for a slow message that arrived at ``arrived`` (``time.monotonic()``)."""
        if not self._ready():
            yield
            return
        gevent = self._gevent
        self._enter()
        try:
            left = self.max_wait_s - (time.monotonic() - arrived)
            if left > 0:
                with gevent.Timeout(left, False):
                    gevent.idle()
            yield
        finally:
            self._hand_over()

    def _enter(self) -> None:
        if not self._busy and not self._waiting:
            self._busy = True
            return
        handed = self._event()
        self._waiting.append(handed)
        try:
            handed.wait()
        except BaseException:  # killed while waiting: leave the queue, or pass on a lane handed over meanwhile
            if handed.is_set():
                self._hand_over()
            else:
                self._waiting.remove(handed)
            raise

    def _hand_over(self) -> None:
        """The lane goes to the first waiter (still busy: whoever asks before it runs queues behind it), or is free."""
        if self._waiting:
            self._waiting.popleft().set()
        else:
            self._busy = False

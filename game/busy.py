"""Whether the worker is full, so that newcomers are refused before everyone playing waits.

One gevent worker serves every drill. Past what its core can do (~6,500 playing players on the 2-core box,
docs/scaling.md) replies queue behind each other and every player waits a second or more for every result. So while
the worker is full, new WebSocket upgrades get HTTP 503 with Retry-After (``game.gate``): the players already playing
keep their latency (a socket coming back to its player's unfinished drill is let on), and a newcomer's page practises
offline and syncs later (static/js/offline/mode.js).

Full means the worker's own CPU, smoothed over a few seconds, near a whole core. Its own CPU, not how late its event
loop runs: the loop runs late too when the kernel gives the core to other processes, and refusing players then frees
nothing; and by the time the loop runs late the worker is already past full (0.3-2 ms of lag up to ~6,000 players,
hundreds of ms just past it, bench/load.py). The lag is kept for operators (``/healthz``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from game.collector import loop_timer

TICK_S = 0.1
CALM_MARGIN = 0.1  # a full worker takes newcomers again once its CPU is this far under the line


@dataclass
class Load:
    """The worker's smoothed CPU and event-loop lag, and whether it is full (pure: ``observe`` is given both)."""

    full_cpu: float = 0.85  # full from this share of a core (0: never), until CALM_MARGIN under it
    weight: float = 0.05  # of each tick in the smoothed figures: about the last two seconds at TICK_S
    cpu: float = 0.0
    lag_s: float = 0.0
    full: bool = False

    def observe(self, lag_s: float, cpu: float) -> None:
        """One tick: the loop ran ``lag_s`` late and the worker used ``cpu`` of a core since the last one."""
        self.lag_s += self.weight * (max(0.0, lag_s) - self.lag_s)
        self.cpu += self.weight * (min(max(cpu, 0.0), 1.0) - self.cpu)
        self.full = self.full_cpu > 0 and self.cpu >= self.full_cpu - (CALM_MARGIN if self.full else 0.0)


def watch(load: Load, every_s: float = TICK_S) -> bool:
    """Feed ``load`` from a repeating timer of gevent's loop in this process; False where gevent does not run the
    process (tests in-process, scripts): there nothing is refused."""
    timer = loop_timer(every_s)
    if timer is None:
        return False
    last = [time.monotonic(), time.process_time()]

    def tick() -> None:
        now, cpu = time.monotonic(), time.process_time()
        elapsed = now - last[0]
        if elapsed > 0:
            load.observe(elapsed - every_s, (cpu - last[1]) / elapsed)
        last[:] = now, cpu

    timer.start(tick)
    return True

"""Keep the cyclic garbage collector's pauses short in the long-running worker.

The collector walks generations of objects: a full (generation 2) collection walks every object it tracks,
at 2,000 playing players ~400,000 of them (sockets, greenlets, drill sessions), 200-700 ms during which no
reply leaves. Almost all of them are long-lived and freed by reference counting when their socket closes
(game.websocket), never by the collector. So whatever survives two young collections is frozen
(``gc.freeze``): the collector never walks it again, and each pause only walks what was allocated since the
last young collections, a few thousand objects.

The cost: a frozen object that later becomes part of an unreachable cycle is not freed by the young
collections. The worker's own objects hardly make such cycles (1,000 sockets playing and closing left 10
such objects, bench/worker_probe.py with GLIMPSE_PROBE_LEAKS; werkzeug's router makes one small cycle per
request, frozen if a collection falls inside it). So every ``THAW_EVERY_S`` the frozen heap is handed back to
the collector until one full collection has walked it: one long pause every ten minutes instead of one
every ~20 s. ``thaw`` puts everything back under the collector for good.
"""

from __future__ import annotations

import gc
import itertools
import threading
import time

YOUNG_COLLECTIONS = 3  # generation-0 collections between two generation-1 ones (the default is 10): smaller pauses
YOUNG_EVERY_S = 0.05
THAW_EVERY_S = 600.0
_installed = False
_thawed_at = time.monotonic()
_thawing = False  # the frozen heap is back with the collector until the next full collection


def _freeze_survivors(phase: str, info: dict) -> None:
    global _thawed_at, _thawing
    if phase != "stop" or info["generation"] < 1:
        return
    if _thawing and info["generation"] < 2:
        return  # wait for the full collection that walks it all
    if not _thawing and time.monotonic() - _thawed_at >= THAW_EVERY_S:
        gc.unfreeze()
        _thawed_at, _thawing = time.monotonic(), True
        return
    _thawing = False
    gc.freeze()


def freeze_survivors() -> None:
    """From now on, freeze what survives each generation-1 collection, and what start-up built (idempotent)."""
    global _installed, _thawed_at
    gc.freeze()  # the app, templates, compressed assets: they live as long as the process
    threshold, _middle, old = gc.get_threshold()
    gc.set_threshold(threshold, YOUNG_COLLECTIONS, old)
    if not _installed:
        _thawed_at = time.monotonic()  # the ten minutes count from when freezing starts, not from the import
        gc.callbacks.append(_freeze_survivors)
        _installed = True


def collect_young_on_a_clock(every_s: float = YOUNG_EVERY_S) -> threading.Event:
    """Run the young collections every ``every_s`` too, until the returned event is set: on a repeating timer of
    gevent's loop in the gevent worker, else from a thread.

    Python starts one when allocations outnumber deallocations by 700. In the worker, each message frees
    about what it allocates (the previous trial's objects, long frozen), so that count hardly grows and the
    young generation filled up to 60,000 objects between collections: 55 ms pauses. On a clock, a young
    collection walks only what the last 50 ms allocated and still holds. The loop's timer, not a green thread
    waiting on an ``Event`` with a timeout: that made a gevent ``Timeout``, its timer and two switches every tick,
    as much CPU as the collection itself (bench/message_path.py under py-spy).
    """
    stop = threading.Event()
    rounds = itertools.count(1)

    def collect() -> None:
        gc.collect(1 if next(rounds) % YOUNG_COLLECTIONS == 0 else 0)

    timer = loop_timer(every_s)
    if timer is not None:
        def tick() -> None:
            if stop.is_set():
                timer.close()
            else:
                collect()

        timer.start(tick)
        return stop

    def run() -> None:
        while not stop.wait(every_s):
            collect()

    threading.Thread(target=run, name="young-collections", daemon=True).start()
    return stop


def loop_timer(every_s: float):
    """A repeating timer of gevent's loop that does not keep the loop alive, when gevent runs this process (its
    threads are green: the gevent worker), else None."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent comes with gunicorn[gevent]
        return None
    if not monkey.is_module_patched("threading"):
        return None
    return get_hub().loop.timer(every_s, every_s, ref=False)


def thaw() -> int:
    """Stop freezing and collect everything: returns how many unreachable objects the frozen heap held."""
    global _installed, _thawing
    if _installed:
        gc.callbacks.remove(_freeze_survivors)
        _installed, _thawing = False, False
    gc.unfreeze()
    return gc.collect()

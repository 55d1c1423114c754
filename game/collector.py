"""Keep the cyclic garbage collector's pauses short in the long-running worker.

The collector walks generations of objects: a full (generation 2) collection walks every object it tracks,
at 2,000 playing players ~400,000 of them (sockets, greenlets, drill sessions), 200-700 ms during which no
reply leaves. Almost all of them are long-lived and freed by reference counting when their socket closes
(game.websocket), never by the collector. So whatever survives two young collections is frozen
(``gc.freeze``): the collector never walks it again, and each pause only walks what was allocated since the
last young collections, a few thousand objects.

The cost: a frozen object that later becomes part of an unreachable cycle is never freed. The worker's own
objects do not make such cycles (bench/worker_probe.py with GLIMPSE_PROBE_LEAKS, docs/scaling.md); ``thaw``
puts everything back under the collector.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTIONS = 3  # generation-0 collections between two generation-1 ones (the default is 10): smaller pauses
_installed = False


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] >= 1:
        gc.freeze()


def freeze_survivors() -> None:
    """From now on, freeze what survives each generation-1 collection, and what start-up built (idempotent)."""
    global _installed
    gc.freeze()  # the app, templates, compressed assets: they live as long as the process
    threshold, _middle, old = gc.get_threshold()
    gc.set_threshold(threshold, YOUNG_COLLECTIONS, old)
    if not _installed:
        gc.callbacks.append(_freeze_survivors)
        _installed = True


def thaw() -> int:
    """Stop freezing and collect everything: returns how many unreachable objects the frozen heap held."""
    global _installed
    if _installed:
        gc.callbacks.remove(_freeze_survivors)
        _installed = False
    gc.unfreeze()
    return gc.collect()

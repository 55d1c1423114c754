"""Keep the cyclic garbage collector's full collections short in the long-running worker.

A full (generation 2) collection walks every object the collector tracks: at 2,000 playing players
~400,000 of them (sockets, greenlets, drill sessions), 200-700 ms during which no reply leaves. Almost all
of them are long-lived and freed by reference counting when their socket closes (game.websocket), not by
the collector. So once a full collection has run, what survived it is frozen (``gc.freeze``): the next
full collection walks only what was allocated since, and comes when that has grown by a quarter of the heap.

The cost: a frozen object that later becomes part of an unreachable cycle is never freed. The worker's
own objects do not make such cycles (bench/worker_probe.py, docs/scaling.md); ``thaw`` puts everything
back under the collector.
"""

from __future__ import annotations

import gc

_installed = False


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def freeze_after_full_collections() -> None:
    """From now on, every full collection ends by freezing what survived it (idempotent)."""
    global _installed
    gc.freeze()  # what start-up built (the app, templates, compressed assets) lives as long as the process
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

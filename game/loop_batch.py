"""Let the worker's event loop take its sockets' messages in small batches under load.

At 2,000 playing players the worker wakes ~1,000 times a second, each time for about one message, and each wake pays
the poll, the loop's timers and the switches into a greenlet on caches that other work has cooled (the same drill
logic costs about twice in the worker what it costs in a tight loop, bench/answer_path.py). libev can wait until
``interval`` has passed since its last wake before polling again (``ev_set_io_collect_interval``), so each wake takes
what arrived meanwhile: a few messages at a time.
A message that comes within ``interval`` of the last wake waits for the rest of it; one that finds the loop waiting
(a quiet worker, most of the time) is taken at once; no timer waits. At 2,000 players: 6-9% less CPU a message,
answer->result p50 3.8 ms instead of 0.8 (docs/scaling-log.md, session 23).

gevent does not wrap the call; its libev extension exports it, and ``loop.ptr`` is the ``ev_loop`` it takes.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)


def batch_messages(interval_s: float) -> bool:
    """Set the running gevent loop's I/O collect interval; False where it cannot be (no gevent, not its libev
    extension, or ``interval_s`` <= 0): the loop then polls as before."""
    if interval_s <= 0:
        return False
    try:
        from gevent import get_hub, monkey
        from gevent.libev import corecext
    except ImportError:
        return False
    if not monkey.is_module_patched("socket"):
        return False  # not the gevent worker (tests in-process, scripts)
    loop = get_hub().loop
    if not isinstance(loop, corecext.loop):
        log.warning("gevent runs a %s loop, not libev's: messages are not batched", type(loop).__name__)
        return False
    set_interval = ctypes.CDLL(corecext.__file__).ev_set_io_collect_interval
    set_interval.argtypes, set_interval.restype = (ctypes.c_void_p, ctypes.c_double), None
    set_interval(loop.ptr, interval_s)
    return True

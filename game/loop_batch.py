"""Let the worker's event loop take its sockets' messages in small batches under load.

At 2,000 playing players the worker wakes ~1,000 times a second, each time for about one message: it halts between
them, and on a shared machine every wake finds its caches cold (the same drill logic costs ~2x in the worker what it
costs in a tight loop, bench/answer_path.py). libev can wait until ``interval`` has passed since its last poll before
polling again (``ev_set_io_collect_interval``), so each wake takes what arrived meanwhile: a few messages at a time,
a reply up to ``interval`` later. It never sleeps past a due timer, and a loop that was idle longer than the
interval polls at once: a lone player's messages are not delayed at all.

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

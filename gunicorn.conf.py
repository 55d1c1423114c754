"""gunicorn settings for Glimpse (see README.md "Deploying" and docs/scaling.md)."""

import os
import resource
import sys

# Python's objects on glibc's malloc, which asks for transparent huge pages (a no-op where the kernel or glibc does
# not offer them). A drill message touches its player's objects, scattered over a few hundred MB and cold since the
# player's last message seconds ago: with 4 KB pages nearly each touch also missed the TLB. 2,000 players, worker CPU a
# message: 0.212-0.215 ms against 0.244-0.261 on Python's own allocator (docs/scaling.md). The allocator is chosen
# when the interpreter starts, so the master starts once more with it; an operator's own PYTHONMALLOC is left alone.
HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"
if sys.platform == "linux" and "PYTHONMALLOC" not in os.environ:
    os.environ["PYTHONMALLOC"] = "malloc"
    os.environ["GLIBC_TUNABLES"] = ":".join(filter(None, (os.environ.get("GLIBC_TUNABLES"), HUGE_PAGES_TUNABLE)))
    os.execv(sys.executable, sys.orig_argv)

# flask-sock holds each WebSocket open for a whole drill: the gevent worker
# keeps each one as a cheap greenlet (sync would kill it after `timeout`,
# gthread holds only as many sockets as it has threads).
worker_class = "gevent"
# The app refuses connections past GLIMPSE_MAX_CONNECTIONS with HTTP 503 + Retry-After (game.gate).
# gevent's pool is larger, so those refusals are always served: a full pool would leave newcomers
# hanging in the listen backlog, neither served nor refused.
MAX_CONNECTIONS = int(os.environ.get("GLIMPSE_MAX_CONNECTIONS", "10000"))
REFUSAL_HEADROOM = 1000
worker_connections = MAX_CONNECTIONS + REFUSAL_HEADROOM
# One worker: the trial in flight of each drill and the per-player limits live in this
# process's memory (everything answered is in SQLite, which takes one writer at a time
# anyway). Scale out only after moving those to a shared store (docs/scaling.md).
workers = 1
# One worker is one core: numpy's BLAS threads (one per core by default) would only spin beside it. A 109 x 109
# QUEST+ drift step cost 29 us of CPU with two BLAS threads against 17 us with one, for the same wall time.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
bind = f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
# A drill's socket is long-lived; only plain HTTP requests are bound by this.
timeout = 60
graceful_timeout = 10
# Also bounds how long a client may take to send a request's headers (slowloris).
keepalive = 5
accesslog = os.environ.get("GLIMPSE_ACCESS_LOG", "-") or None
control_socket_disable = True
# Every connection is a descriptor; SQLite, logs and the listener need a few more.
FILES_NEEDED = worker_connections + 256


def _fitting(files: int) -> int:
    return max(1, (files - 256) * 9 // 10)


def raise_open_file_limit(needed: int) -> int:
    """Raise this process's soft open-file limit (the worker inherits it) to ``needed``, or as far as allowed.

    A default `ulimit -n` of 1,024 stopped the worker near 340 players. Where the hard limit is lower
    than needed, say so loudly and serve what fits: the app then refuses the rest with HTTP 503.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        print(f"glimpse: open-file limit is {target} (hard limit {hard}); {needed} are needed for "
              f"{MAX_CONNECTIONS} connections. Raise it (ulimit -Hn, LimitNOFILE=, docker --ulimit nofile=) "
              f"or set GLIMPSE_MAX_CONNECTIONS lower. Serving fewer ({_fitting(target)}).",
              file=sys.stderr, flush=True)
    return target


_files = raise_open_file_limit(FILES_NEEDED)
if _files < FILES_NEEDED:
    MAX_CONNECTIONS = _fitting(_files)
    worker_connections = max(2, _files - 256)
    os.environ["GLIMPSE_MAX_CONNECTIONS"] = str(MAX_CONNECTIONS)  # the worker's app reads it


def post_worker_init(worker) -> None:
    """Benches only: GLIMPSE_PROBE=<file> reports the worker's collector pauses and memory (bench/worker_probe.py)."""
    if os.environ.get("GLIMPSE_PROBE"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bench import worker_probe

        worker_probe.start()

"""Where the game worker's CPU goes per message, from py-spy's samples (bench/load.py --py-spy FILE).

py-spy (`record --gil --format raw`) samples the worker's Python stacks while a thread holds the GIL, so the
event loop's idle waits in epoll drop out. Each sample is put in the first part its stack matches; a part's
share of the samples times the worker's measured CPU per message is its ms a message. SQLite and socket
system calls release the GIL, so they are under-counted: the drill logic's share is a lower bound.

Run alone on a file load.py wrote: ``.venv/bin/python bench/worker_split.py FILE [CPU ms per message]``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

PARTS = (  # (part, a frame that puts a sample in it), first match wins
    ("drill logic (ws._handle: drills, QUEST+, SQLite, fair play)", "_handle (game/ws.py"),
    ("young collections on a clock (game/collector.py)", "collect_young_on_a_clock"),
    ("checkpoint thread (game/db.py)", "_start_checkpoints"),
    ("socket reader thread (recv, wsproto parse, pings)", "Base._thread (simple_websocket"),
    ("wait for the next message (ws.receive)", "Base.receive (simple_websocket"),
    ("send a reply (wsproto frame, socket send)", "Base.send (simple_websocket"),
    ("per-socket timer (game/ws.py _Watch)", "_Watch."),
    ("read a message in the socket's greenlet (recv, game.frames parse)", "Reader.receive (game/websocket.py"),
    ("per message outside _handle (parse, limits, lease, lane)", "_serve"),
    ("HTTP requests and handshakes", "Flask.wsgi_app"),
    ("gevent hub and selector callbacks", ""),
)


def split(path: Path) -> tuple[Counter, int]:
    parts: Counter = Counter()
    for line in path.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        if "_WorkerGreenlet.run" in stack and "checkpoint" not in stack:
            continue  # gevent's native thread pool waiting for work
        parts[next(part for part, frame in PARTS if frame in stack)] += int(count)
    return parts, sum(parts.values())


def report(path: Path, ms_per_message: float | None = None) -> None:
    parts, total = split(path)
    print(f"    worker CPU by part ({total} samples, py-spy --gil; ms a message = share x the worker's CPU a message):")
    for part, count in parts.most_common():
        ms = f"{count / total * ms_per_message:6.3f} ms" if ms_per_message else ""
        print(f"      {count / total:6.1%} {ms}  {part}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        report(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else None)
    else:  # `make bench` runs every script without arguments: this one reads what bench/load.py sampled
        print(__doc__.strip().splitlines()[-1])

"""What the gunicorn worker holds and how long its collector pauses: a probe for bench runs, off by default.

With ``GLIMPSE_PROBE=<file>`` in its environment, gunicorn.conf.py starts this in the worker. Every
``GLIMPSE_PROBE_EVERY_S`` seconds (default 20) it appends to the file: the garbage collections since the last
report (count, total and longest pause per generation, wall and CPU time, objects freed), the objects the
collector tracks (per generation and the 12 commonest types) and RSS. Options, by environment:

- ``GLIMPSE_PROBE_TRACEMALLOC=<frames>``: trace allocations and report what grew since the last report, by
  traceback (this slows the worker several times: use it for where memory goes, not for latencies);
- ``GLIMPSE_PROBE_GARBAGE=1``: keep what the collector frees in cycles and report what it is;
- ``GLIMPSE_PROBE_LEAKS=1``: at each report, thaw the frozen heap (game/collector.py), count what a full
  collection frees there (what freezing would have leaked) and freeze again: a long pause each time.
"""

from __future__ import annotations

import gc
import inspect
import os
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path


class Probe:
    def __init__(self, path: Path, every_s: float, frames: int) -> None:
        self.path, self.every_s, self.frames = path, every_s, frames
        self.pauses: dict[int, list[tuple[float, float]]] = {0: [], 1: [], 2: []}  # (wall, CPU) ms
        self.freed = 0
        self._started = (0.0, 0.0)
        self._snapshot: tracemalloc.Snapshot | None = None

    def on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
        else:
            wall, cpu = self._started
            self.pauses[info["generation"]].append(((time.perf_counter() - wall) * 1000,
                                                    (time.thread_time() - cpu) * 1000))
            self.freed += info["collected"]

    def report(self) -> str:
        lines = [f"== {time.strftime('%H:%M:%S')} pid {os.getpid()} RSS {_rss_mb():.0f} MB"]
        for generation, pauses in self.pauses.items():
            if pauses:
                walls, cpus = zip(*pauses, strict=True)
                lines.append(f"gc gen{generation}: {len(pauses)} collections, {sum(walls):.0f} ms in all "
                             f"(CPU {sum(cpus):.0f} ms), longest {max(walls):.1f} ms (CPU {max(cpus):.1f} ms)")
        lines.append(f"gc freed {self.freed} objects (cycles); tracked per generation "
                     f"{[len(gc.get_objects(g)) for g in range(3)]}, frozen {gc.get_freeze_count()}")
        self.pauses, self.freed = {0: [], 1: [], 2: []}, 0
        if gc.get_debug() & gc.DEBUG_SAVEALL:
            gc.collect()
            garbage = Counter(type(o).__qualname__ for o in gc.garbage)
            lines.append(f"cyclic garbage: {len(gc.garbage)} objects: "
                         + ", ".join(f"{name} {count}" for name, count in garbage.most_common(20)))
            classes = Counter(f"{o.__module__}.{o.__qualname__}" for o in gc.garbage if isinstance(o, type))
            functions = Counter(o.__qualname__ for o in gc.garbage if inspect.isfunction(o))
            lines.append(f"  classes among it: {dict(classes.most_common(8))}")
            lines.append(f"  functions among it: {dict(functions.most_common(12))}")
            gc.garbage.clear()
        if os.environ.get("GLIMPSE_PROBE_LEAKS"):
            from game import collector

            frozen = gc.get_freeze_count()
            lines.append(f"frozen heap: {frozen} objects, {collector.thaw()} of them (and their young) unreachable")
            collector.freeze_survivors()
        kinds = Counter(type(o).__qualname__ for o in gc.get_objects())
        lines.append("commonest tracked: " + ", ".join(f"{name} {count}" for name, count in kinds.most_common(12)))
        if self.frames:
            snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            current, peak = tracemalloc.get_traced_memory()
            lines.append(f"traced {current / 2**20:.0f} MB (peak {peak / 2**20:.0f} MB)")
            if self._snapshot is not None:
                for stat in snapshot.compare_to(self._snapshot, "traceback")[:8]:
                    lines.append(f"  {stat.size_diff / 2**20:+.1f} MB ({stat.count_diff:+d} blocks), now "
                                 f"{stat.size / 2**20:.1f} MB at")
                    lines.extend(f"      {line}" for line in stat.traceback.format(limit=self.frames)
                                 if line.strip())
            self._snapshot = snapshot
        return "\n".join(lines) + "\n"

    def run(self) -> None:
        while True:
            time.sleep(self.every_s)
            with self.path.open("a") as out:
                out.write(self.report())


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start() -> None:
    """Start the probe in this (gevent) worker: its loop sleeps in a greenlet, as the patched thread is one."""
    frames = int(os.environ.get("GLIMPSE_PROBE_TRACEMALLOC", "0"))
    if frames:
        tracemalloc.start(frames)
    probe = Probe(Path(os.environ["GLIMPSE_PROBE"]), float(os.environ.get("GLIMPSE_PROBE_EVERY_S", "20")), frames)
    gc.callbacks.append(probe.on_gc)
    if os.environ.get("GLIMPSE_PROBE_GARBAGE"):  # keep what cycles the collector frees, to say what they are
        gc.set_debug(gc.DEBUG_SAVEALL)
    threading.Thread(target=probe.run, daemon=True).start()

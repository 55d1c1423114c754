"""What the gunicorn worker holds and how long its collector pauses: a probe for bench runs, off by default.

With ``GLIMPSE_PROBE=<file>`` in its environment, gunicorn.conf.py starts this in the worker. Every
``GLIMPSE_PROBE_EVERY_S`` seconds (default 20) it appends to the file: the garbage collections since the last
report (count, total and longest pause per generation, wall and CPU time, objects freed), the objects the
collector tracks (per generation and the 12 commonest types) and RSS. Options, by environment:

- ``GLIMPSE_PROBE_TRACEMALLOC=<frames>``: trace allocations and report what grew since the last report, by
  traceback (this slows the worker several times: use it for where memory goes, not for latencies);
- ``GLIMPSE_PROBE_GARBAGE=1``: keep what the collector frees in cycles and report what it is;
- ``GLIMPSE_PROBE_LEAKS=1``: at each report, thaw the frozen heap (game/collector.py), count what a full
  collection frees there (what freezing would have leaked) and freeze again: a long pause each time;
- ``GLIMPSE_PROBE_STALLS_MS=<ms>``: watch the event loop. A greenlet beats every 2 ms; every beat later than
  ``<ms>`` is a stall, written to the file at once as ``stall <unix time> <wall ms> <CPU ms>`` (CPU close to wall:
  the worker's own code held the loop; CPU far below: it waited in a system call or the OS ran something else),
  and a native thread samples the main thread's stack every millisecond while a stall lasts. Each report lists
  the stacks most often caught holding the loop (the sampler runs only when the main thread lets go of the GIL,
  so it sees system calls and SQLite more often than pure Python);
- ``GLIMPSE_PROBE_SLICES_MS=<ms>``: time every run of every greenlet between two switches in CPU time (one run holds
  the loop for all others) and the drill messages it handled; each report lists, by what ran, the runs over
  ``<ms>``, and the CPU of each kind of drill message (count, median, p99, longest).
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path


class Probe:
    def __init__(self, path: Path, every_s: float, frames: int, stalls: StallWatch | None = None,
                 slices: SliceWatch | None = None) -> None:
        self.path, self.every_s, self.frames, self.stalls, self.slices = path, every_s, frames, stalls, slices
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
        if self.stalls:
            self.stalls.reporting = True
        lines = [f"== {time.strftime('%H:%M:%S')} pid {os.getpid()} RSS {_rss_mb():.0f} MB"]
        for generation, pauses in self.pauses.items():
            if pauses:
                walls, cpus = zip(*pauses, strict=True)
                lines.append(f"gc gen{generation}: {len(pauses)} collections, {sum(walls):.0f} ms in all "
                             f"(CPU {sum(cpus):.0f} ms), longest {max(walls):.1f} ms (CPU {max(cpus):.1f} ms)")
        lines.append(f"gc freed {self.freed} objects (cycles); tracked per generation "
                     f"{[len(gc.get_objects(g)) for g in range(3)]}, frozen {gc.get_freeze_count()}")
        self.pauses, self.freed = {0: [], 1: [], 2: []}, 0
        if self.stalls:
            lines.extend(self.stalls.report())
        if self.slices:
            lines.extend(self.slices.report())
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


class StallWatch:
    """Find what blocks the gevent loop: a heartbeat greenlet, and a native thread that samples the stack while the
    heartbeat is late."""

    BEAT_S = 0.002
    SAMPLE_S = 0.001

    def __init__(self, path: Path, threshold_ms: float) -> None:
        self.path, self.threshold_s = path, threshold_ms / 1000
        self.last_beat = time.perf_counter()
        self.stalls: list[tuple[float, float]] = []  # (wall, CPU) ms since the last report
        self.stacks: Counter[str] = Counter()  # samples taken during stalls, by stack
        from gevent import monkey

        self._main = monkey.get_original("_thread", "get_ident")()  # the OS thread (threading's is a greenlet's)
        self.reporting = False  # set while the probe itself holds the loop

    def beat(self) -> None:
        import gevent

        cpu = time.thread_time()
        with self.path.open("a", buffering=1) as out:
            while True:
                gevent.sleep(self.BEAT_S)
                now, now_cpu = time.perf_counter(), time.thread_time()
                late = now - self.last_beat - self.BEAT_S
                if late > self.threshold_s and not self.reporting:  # the probe's own report is not the app's
                    wall_ms, cpu_ms = late * 1000, (now_cpu - cpu) * 1000
                    self.stalls.append((wall_ms, cpu_ms))
                    out.write(f"stall {time.time() - late:.3f} {wall_ms:.1f} {cpu_ms:.1f}\n")
                self.reporting = False
                self.last_beat, cpu = now, now_cpu

    def sample(self) -> None:
        """In a native thread: while the beat is late, record where the main thread is."""
        from gevent import monkey

        sleep = monkey.get_original("time", "sleep")
        while True:
            sleep(self.SAMPLE_S)
            if time.perf_counter() - self.last_beat > self.threshold_s:
                frame = sys._current_frames().get(self._main)
                if frame is not None:
                    self.stacks[_stack(frame)] += 1

    def report(self) -> list[str]:
        stalls, self.stalls = self.stalls, []
        stacks, self.stacks = self.stacks, Counter()
        if not stalls:
            return [f"loop stalls > {self.threshold_s * 1000:g} ms: none"]
        walls = sorted(w for w, _ in stalls)
        lines = [f"loop stalls > {self.threshold_s * 1000:g} ms: {len(stalls)}, {sum(walls):.0f} ms in all, longest "
                 f"{walls[-3:][::-1]} ms; CPU in them {sum(c for _, c in stalls):.0f} ms"]
        for stack, count in stacks.most_common(6):
            lines.append(f"  {count} samples in:\n{stack}")
        return lines

    def start(self) -> None:
        import gevent
        from gevent import monkey

        gevent.spawn(self.beat)
        monkey.get_original("_thread", "start_new_thread")(self.sample, ())


class SliceWatch:
    """CPU time of every greenlet run between two switches, and of each drill message, by what ran."""

    def __init__(self, threshold_ms: float) -> None:
        self.threshold_ms = threshold_ms
        self._since = time.thread_time()
        self._wall = time.perf_counter()
        self._kinds: list[str] = []  # drill messages handled in the current run
        self.long: dict[str, list[tuple[float, float]]] = {}  # label -> (CPU, wall) ms of runs over the threshold
        self.messages: dict[str, list[float]] = {}  # kind -> CPU ms
        self.by_greenlet: Counter[str] = Counter()  # what ran -> CPU ms

    def on_switch(self, _event: str, args: tuple) -> None:
        now, wall = time.thread_time(), time.perf_counter()
        cpu_ms = (now - self._since) * 1000
        origin = args[0]
        self.by_greenlet[_what_runs(origin)] += cpu_ms
        if cpu_ms > self.threshold_ms:
            label = "+".join(self._kinds) if self._kinds else _stack(origin.gr_frame, 8) if origin.gr_frame else (
                type(origin).__name__)
            self.long.setdefault(label, []).append((cpu_ms, (wall - self._wall) * 1000))
        self._kinds.clear()
        self._since, self._wall = time.thread_time(), time.perf_counter()

    def wrap_handle(self) -> None:
        """Time each drill message through game.ws._handle (the parse, the handler and its SQL)."""
        import re

        from game import ws

        handle = ws._handle
        kind_of = re.compile(rb'"type"\s*:\s*"(\w+)"')

        def timed(raw, handlers, *parsed):
            started = time.thread_time()
            replies = []
            try:
                replies = handle(raw, handlers, *parsed)
                return replies
            finally:
                found = kind_of.search(raw if isinstance(raw, bytes) else raw.encode())
                kind = found.group(1).decode() if found else "?"
                if any(reply.get("type") == "summary" for reply in replies):
                    kind += "(last)"
                self.messages.setdefault(kind, []).append((time.thread_time() - started) * 1000)
                self._kinds.append(kind)

        ws._handle = timed

    def report(self) -> list[str]:
        long, self.long = self.long, {}
        messages, self.messages = self.messages, {}
        by_greenlet, self.by_greenlet = self.by_greenlet, Counter()
        lines = ["CPU by what ran: " + ", ".join(f"{what} {ms:.0f} ms" for what, ms in by_greenlet.most_common(8))]
        for kind, cpus in sorted(messages.items()):
            cpus.sort()
            lines.append(f"message {kind:12s} n={len(cpus):6d} CPU p50 {cpus[len(cpus) // 2]:.2f} p99 "
                         f"{cpus[int(len(cpus) * 0.99)]:.2f} longest {cpus[-1]:.1f} ms ({sum(cpus):.0f} ms in all)")
        ranked = sorted(long.items(), key=lambda item: -sum(c for c, _ in item[1]))
        lines.append(f"greenlet runs over {self.threshold_ms:g} ms of CPU: {sum(len(v) for v in long.values())}")
        for label, runs in ranked[:10]:
            cpus = sorted((c for c, _ in runs), reverse=True)
            longest = ", ".join(f"{c:.0f}" for c in cpus[:4])
            stack = "\n" in label
            lines.append(f"  {len(runs)} runs, CPU {sum(cpus):.0f} ms, longest {longest} ms (wall "
                         f"{max(w for _, w in runs):.0f}): {'' if stack else label}")
            if stack:
                lines.append(label)
        return lines

    def start(self) -> None:
        import greenlet

        self.wrap_handle()
        greenlet.settrace(self.on_switch)


def _what_runs(greenlet) -> str:
    """A greenlet's job: its thread's target (a monkey-patched thread is a greenlet), its function, or its type."""
    run = getattr(greenlet, "_run", None)
    target = getattr(getattr(run, "__self__", None), "_target", None)
    job = target or run
    if job is None:
        return type(greenlet).__name__
    return getattr(job, "__qualname__", type(job).__name__)


def _stack(frame, depth: int = 14) -> str:
    """The innermost frames, most recent last, as 'file:line function'."""
    lines = []
    while frame is not None and len(lines) < depth:
        code = frame.f_code
        where = code.co_filename.split("site-packages/")[-1].split("/work/main/")[-1]
        lines.append(f"      {where}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return "\n".join(reversed(lines))


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
    path = Path(os.environ["GLIMPSE_PROBE"])
    stalls = None
    if os.environ.get("GLIMPSE_PROBE_STALLS_MS"):
        stalls = StallWatch(path, float(os.environ["GLIMPSE_PROBE_STALLS_MS"]))
        stalls.start()
    slices = None
    if os.environ.get("GLIMPSE_PROBE_SLICES_MS"):
        slices = SliceWatch(float(os.environ["GLIMPSE_PROBE_SLICES_MS"]))
        slices.start()
    probe = Probe(path, float(os.environ.get("GLIMPSE_PROBE_EVERY_S", "20")), frames, stalls, slices)
    gc.callbacks.append(probe.on_gc)
    if os.environ.get("GLIMPSE_PROBE_GARBAGE"):  # keep what cycles the collector frees, to say what they are
        gc.set_debug(gc.DEBUG_SAVEALL)
    threading.Thread(target=probe.run, daemon=True).start()

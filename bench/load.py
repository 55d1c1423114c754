"""N concurrent players over real WebSockets at a human pace, against the game and a bare echo app.

The server (one gunicorn gevent worker, gunicorn.conf.py) is pinned to core 0 and this client to
core 1. Each player plays drills as a person would: the trial's foreperiod + exposure + mask, a
0.6-1.5 s reaction, ~1 s reading the feedback, then `next`; a new drill after each summary. Each answers as a
person with their own threshold would, from the face and exposure the trial shows (bench/observer.py; right ~50-85%
of the time, as QUEST+ keeps real players; ``--answers random``: right 1 time in 7, as before session 16). The
same players with the same pacing then talk to bench/echo_app.py under the same gunicorn settings.

Prints, per N: p50/p95/p99 per message kind, messages/s, the worker's CPU (share of its core and
per message), RSS and open descriptors, the ratio to echo; and checks that the database holds
exactly the answers the players were told about (one stored answer per `result` received), and says what fair play
made of the players (held, or results waiting off the boards): a person is never held.
``--timeline`` adds, per 5 s of the window, the p99 of answer->result and next->trial, how many took over 50 ms,
and the stalls of this client's own event loop (a tail the client makes is not the server's); with
``--stalls MS`` the game's worker also reports every stop of its event loop longer than MS
(bench/worker_probe.py: when, how long, how much of it CPU, and the stacks caught holding the loop).
``--interleave SECONDS`` serves the echo and the game at once, their players taking turns in phases that long, so that
the machine's drift over minutes (its speed moved 1.2-1.5x between runs) falls on both alike: in the same hour, turns
read 1.55-2.00x one after the other and 1.71-1.95x interleaved (docs/scaling-log.md, session 23). Pausing and
resuming raises both servers' CPU a message: read ratios and A/B (``--baseline``) figures from it, not absolute ones.

Run: ``.venv/bin/python bench/load.py [--players 500 1000 2000] [--seconds 30] [--ramp 20] [--probe FILE]
[--stalls 20] [--timeline] [--interleave 10 --repeat 3]``
(``make bench`` runs the short default).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from harness import LiveServer  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import native_split  # noqa: E402
import worker_split  # noqa: E402
from observer import Observer, fair_play  # noqa: E402

EMOTIONS = ("anger", "contempt", "disgust", "fear", "happiness", "sadness", "surprise")
SERVER_CPU, CLIENT_CPU = 0, 1
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_ENV = {  # every player comes from 127.0.0.1 here: lift the per-address limits, keep the rest
    "GLIMPSE_NEW_PLAYERS_PER_MINUTE": "1000000", "GLIMPSE_MAX_CONNECTIONS_PER_ADDRESS": "1000000",
    "GLIMPSE_ACCESS_LOG": "",
    **({"GLIMPSE_DEBUG_LOG": "1"} if os.environ.get("X") else {}),
}
TAIL_KINDS = ("answer->result", "next->trial")  # the replies the latency target is about
SLOW_MS = 50.0
WINDOW_S = 5.0
STALL_MS = 20.0  # a late wake-up of this client's own loop worth reporting
SPY_RATE = 100  # py-spy's samples a second
# --interleave: a paused server's players send their last answers within a trial's foreperiod, flash, mask and the
# slowest reaction; a resumed one's come back over a couple of seconds, as their pace spreads them
PHASE_DRAIN_S = 4.0
RESUME_SPREAD_S = 2.0
LITESTREAM_LAUNCHER = [sys.executable, "-m", "game.backup", "run", "--"]  # the Procfile's
PROBE_ENV: dict[str, str] = {}  # --probe: the game's worker reports its collector and memory (bench/worker_probe.py)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sent: int = 0  # client -> server messages inside the window
    results: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # token -> results received
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: int = 0  # sockets refused as the worker was full (HTTP 503: the page would practise offline)
    arrived: int = 0  # players who came (with --leave-after, newcomers arrive as players leave)
    readmitted: int = 0  # of those refused, players who got in on a later try (--leave-after)
    recording: bool = False
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (unix time sent, ms): answers and nexts
    client_stalls: list[tuple[float, float]] = field(default_factory=list)  # (unix time, ms late) of this loop
    worker_cpu: list[tuple[float, float]] = field(default_factory=list)  # (unix time, worker CPU seconds so far)
    wal_mb: list[float] = field(default_factory=list)  # the game's WAL file each second of the window
    client_gc: list[tuple[int, float]] = field(default_factory=list)  # (generation, ms) of this client's collections
    health: list[dict] = field(default_factory=list)  # the game's /healthz each second of the window (game/busy.py)
    kinds_sent: list[tuple[float, str]] = field(default_factory=list)  # (unix time, kind) of starts and last answers
    scored: int = 0  # results inside the window that judged an answer (not a voided flash)
    right: int = 0  # of those, right


def worker_pid(master: int, depth: int = 1) -> int:
    """The gunicorn worker ``depth`` generations below ``master`` (2 under Litestream: it runs gunicorn's master)."""
    for _ in range(100):
        # every thread's children: Litestream (Go) may start gunicorn from any of its threads
        children = [child for task in Path(f"/proc/{master}/task").iterdir()
                    for child in (task / "children").read_text().split()]
        if children:
            return int(children[0]) if depth == 1 else worker_pid(int(children[0]), depth - 1)
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def user_sys_seconds(pid: int) -> tuple[float, float]:
    """The process's CPU so far, all its threads, in user space and in the kernel (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def cpu_seconds(pid: int) -> float:
    return sum(user_sys_seconds(pid))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Player:
    """One player's socket: plays drills at a human pace (against echo: the same messages, echoed)."""

    def __init__(self, url: str, origin: str, stats: Stats, echo: bool, rng: random.Random,
                 compression: str | None = None, observer: Observer | None = None,
                 turn: asyncio.Event | None = None) -> None:
        """:param compression: None offers no compression; "deflate" offers permessage-deflate, as browsers do
        :param observer: who answers (bench/observer.py); None answers at random, right 1 time in 7
        :param turn: --interleave: the player starts a drill or asks for a trial only while this is set"""
        self.url, self.origin, self.stats, self.echo, self.rng = url, origin, stats, echo, rng
        self.compression, self.observer, self.turn = compression, observer, turn
        self.token = secrets.token_urlsafe(32)
        self.refused = False  # refused once as the worker was full (then tries again after Retry-After)

    async def my_turn(self, stop: float) -> bool:
        """Wait while another server's players have the core (--interleave), then come back at a player's pace;
        whether to go on."""
        if self.turn is not None and not self.turn.is_set():
            await self.turn.wait()
            await asyncio.sleep(random.uniform(0, RESUME_SPREAD_S))
        return time.monotonic() < stop

    async def ask(self, ws, kind: str, message: dict, wanted: str) -> dict:
        started, sent_at = time.perf_counter(), time.time()
        await ws.send(json.dumps(message))
        if self.stats.recording:
            self.stats.sent += 1
        while True:
            reply = json.loads(await ws.recv())
            if self.echo or reply.get("type") == wanted:
                break
            if reply.get("type") == "error":
                self.stats.errors[reply.get("code")] += 1
                return reply
        if self.stats.recording:
            took = (time.perf_counter() - started) * 1000
            self.stats.latencies[kind].append(took)
            if kind in TAIL_KINDS:
                self.stats.timeline.append((sent_at, took))
        return reply

    async def play(self, stop: float, drills: int | None = None) -> None:
        """:param drills: leave after this many drills (None: play until ``stop``)"""
        headers = {"Cookie": f"glimpse_player={self.token}"}
        async with websockets.connect(self.url, origin=self.origin, additional_headers=headers, open_timeout=60,
                                      ping_interval=None, max_queue=None, compression=self.compression) as ws:
            await self.ask(ws, "hello", {"type": "hello", "v": 1, "tz": "Europe/Paris"}, "welcome")
            self.stats.readmitted += self.refused
            played = 0
            while time.monotonic() < stop and played != drills:
                played += 1
                if not await self.my_turn(stop):
                    return
                if self.stats.recording:
                    self.stats.kinds_sent.append((time.time(), "start"))
                trial = await self.ask(ws, "start", {"type": "start", "refreshMs": 16.667}, "trial")
                for _ in range(200):
                    if time.monotonic() >= stop or trial.get("type") == "error":
                        return
                    # foreperiod + exposure + mask at 60 Hz, then the player's reaction
                    frames = trial.get("foreperiodFrames", 60) + trial.get("exposureFrames", 6) + trial.get(
                        "maskFrames", 30)
                    reaction = self.rng.uniform(0.6, 1.5)
                    await asyncio.sleep(frames / 60 + reaction)
                    if self.observer is None:
                        named = self.rng.choice(EMOTIONS)
                    elif self.echo:  # an echoed trial shows no face; the pacing's draws stay the game's
                        named = self.observer.rng.choice(EMOTIONS)
                    else:
                        named = self.observer.answer(trial, 16.667)
                    answer = {"type": "answer", "trialId": trial.get("trialId", "x"),
                              "answer": named, "framesShown": trial.get("exposureFrames", 6),
                              "refreshMs": 16.667, "maxGapMs": 17.0, "reactionMs": round(reaction * 1000, 1)}
                    result = await self.ask(ws, "answer->result", answer, "result")
                    if result.get("type") == "result":
                        self.stats.results[self.token] += 1
                        if self.stats.recording and result.get("correct") is not None:
                            self.stats.scored += 1
                            self.stats.right += result["correct"]
                    elif not self.echo:
                        return
                    if result.get("done"):
                        await ws.recv()  # the summary
                        await asyncio.sleep(self.rng.uniform(1.5, 3.0))  # reading it
                        break
                    await asyncio.sleep(self.rng.uniform(0.8, 1.2))  # the feedback
                    if not await self.my_turn(stop):
                        return
                    trial = await self.ask(ws, "next->trial", {"type": "next"}, "trial")


def healthz(url: str) -> dict:
    """The server's /healthz (the game's reports its CPU, loop lag and whether it is full: game/busy.py)."""
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        return json.load(response)

async def run_players(server: LiveServer, count: int, ramp_s: float, seconds: float, echo: bool,
                      pid: int, py_spy: Path | None = None, compression: str | None = None,
                      answers: str = "observer", native_spy: Path | None = None, leave_after: int | None = None,
                      sidecar: int | None = None) -> dict:
    """:param py_spy: py-spy samples the GIL's Python during the measured window into this file
    :param native_spy: py-spy samples every thread's C and Python stacks (``record --native``) into this file, for as
        long, right after the measured window
    :param leave_after: players leave after this many drills and a newcomer takes each one's place; a refused player
        tries again after the server's Retry-After, all of them in step: harsher than pages, which practise offline
        and try again at their next drill (None: everyone plays to the end)
    :param sidecar: a process beside the worker whose CPU over the window to report too (Litestream)"""
    stats, rng, observers = Stats(), random.Random(1), random.Random(2)  # every server gets the same players
    stop = time.monotonic() + ramp_s + seconds + 5 + (seconds + 15 if native_spy else 0)

    def arrive() -> Player:
        stats.arrived += 1
        player = Player(server.ws_url, server.url, stats, echo, random.Random(rng.random()), compression,
                        Observer.draw(observers) if answers == "observer" else None)
        players.append(player)
        return player

    players: list[Player] = []
    first = [arrive() for _ in range(count)]

    async def staggered(index: int, player: Player) -> None:
        await asyncio.sleep(ramp_s * index / count)
        while time.monotonic() < stop:
            try:
                await player.play(stop, leave_after)
            except websockets.InvalidStatus as error:
                if error.response.status_code != 503:
                    stats.errors[f"HTTP {error.response.status_code}"] += 1
                    return
                stats.refused += 1
                player.refused = True
                if leave_after is None:
                    return
                await asyncio.sleep(float(error.response.headers.get("Retry-After", 5)))
                continue
            except (TimeoutError, OSError, websockets.WebSocketException) as error:
                stats.errors[type(error).__name__] += 1
                return
            if leave_after is None or time.monotonic() >= stop:
                return
            player = arrive()  # someone new comes as this player leaves

    async def watch_own_loop() -> None:
        """The client's loop stalls add to every latency it measures: note each late wake-up."""
        beat = 0.002
        while time.monotonic() < stop:
            before = time.perf_counter()
            await asyncio.sleep(beat)
            late = (time.perf_counter() - before - beat) * 1000
            if late > STALL_MS and stats.recording:
                stats.client_stalls.append((time.time() - late / 1000, late))

    wal = Path(f"{server.database}-wal")

    async def watch_worker() -> None:
        while time.monotonic() < stop:
            stats.worker_cpu.append((time.time(), cpu_seconds(pid)))
            if stats.recording and not echo:
                stats.wal_mb.append(wal.stat().st_size / 1e6 if wal.exists() else 0.0)
            await asyncio.sleep(1)

    async def watch_health() -> None:
        while not echo and time.monotonic() < stop:
            if stats.recording:
                reading = await asyncio.to_thread(healthz, server.url)
                if "cpu" not in reading:  # a --baseline commit from before game/busy.py
                    return
                stats.health.append(reading)
            await asyncio.sleep(1)

    collecting = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        elif stats.recording:
            stats.client_gc.append((info["generation"], (time.perf_counter() - collecting[0]) * 1000))

    gc.callbacks.append(on_gc)
    # This client's own collections stopped its loop for up to ~480 ms at 1,500 players, and every reply that
    # arrived meanwhile was timed late: a tail of the client, not the server. It runs for a minute or two: no
    # automatic collections (what its cycles hold is freed at the end).
    gc.disable()
    tasks = [asyncio.create_task(staggered(i, p)) for i, p in enumerate(first)]
    watchers = [asyncio.create_task(watch_own_loop()), asyncio.create_task(watch_worker()),
                asyncio.create_task(watch_health())]
    await asyncio.sleep(ramp_s + 2)  # everyone connected and into a drill
    stats.recording = True
    cpu0, client0, t0, window0 = cpu_seconds(pid), time.process_time(), time.monotonic(), time.time()
    user_sys0 = user_sys_seconds(pid)
    sidecar0 = cpu_seconds(sidecar) if sidecar else 0.0
    spy = spy_on(pid, seconds, py_spy) if py_spy else None
    await asyncio.sleep(seconds)
    stats.recording = False
    window = (window0, time.time())
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    sidecar_cpu = cpu_seconds(sidecar) - sidecar0 if sidecar else None
    user, kernel = (now - then for now, then in zip(user_sys_seconds(pid), user_sys0, strict=True))
    client_cpu = time.process_time() - client0
    rss, fds = rss_mb(pid), descriptors(pid)
    # py-spy --native stops the worker for every sample (~0.2 ms of its CPU each): it samples the same players for
    # as long right after the measured window, which it leaves alone
    if spy:
        await asyncio.to_thread(spy.wait)
    sampled_cpu = await spy_natively(pid, seconds, native_spy) if native_spy else None
    await asyncio.gather(*tasks)
    for watcher in watchers:
        watcher.cancel()
    gc.callbacks.remove(on_gc)
    gc.enable()
    gc.collect()
    return {"stats": stats, "elapsed": elapsed, "cpu": cpu, "client_cpu": client_cpu, "rss": rss, "fds": fds,
            "tokens": [p.token for p in players], "leave_after": leave_after, "window": window, "user": user,
            "sys": kernel, "sampled_cpu": sampled_cpu, "sidecar_cpu": sidecar_cpu}


async def run_interleaved(entries: list[tuple[str, LiveServer, int, str | None]], count: int, ramp_s: float,
                          seconds: float, phase_s: float, answers: str = "observer") -> dict[str, dict]:
    """Every server's players connected at once, their play taking turns: one server's players play for ``phase_s``
    while the others' wait between trials; then they pause too (their last answers come in within PHASE_DRAIN_S) and
    the next server's players play. Each server's CPU and messages are counted over its own phases and their drains
    (``seconds`` of play in all, in the order ABBA...), so that what slows the box for a minute or two slows every
    server alike: a machine whose speed moved 1.2-1.5x between runs a minute apart (docs/scaling-log.md). Its
    message rate and share of a core count the drains too: lower than the players' pace gives.

    :param entries: (name, server, worker pid, what its players offer: None or "deflate")
    """
    phases = max(1, round(seconds / phase_s))
    t0 = time.monotonic()
    stop = t0 + ramp_s + 2 + PHASE_DRAIN_S + phases * len(entries) * (phase_s + PHASE_DRAIN_S)
    runs: dict[str, dict] = {}
    tasks = []
    for name, server, pid, compression in entries:
        stats, rng, observers, turn = Stats(), random.Random(1), random.Random(2), asyncio.Event()
        turn.set()  # everyone connects and starts a drill
        players = [Player(server.ws_url, server.url, stats, name.startswith("echo"), random.Random(rng.random()),
                          compression, Observer.draw(observers) if answers == "observer" else None, turn)
                   for _ in range(count)]
        runs[name] = {"stats": stats, "turn": turn, "pid": pid, "server": server, "elapsed": 0.0, "cpu": 0.0,
                      "client_cpu": 0.0, "tokens": [player.token for player in players], "leave_after": None,
                      "window": (float("inf"), 0.0)}

        async def join(index: int, player: Player, stats: Stats = stats) -> None:
            await asyncio.sleep(ramp_s * index / count)
            try:
                await player.play(stop)
            except (websockets.InvalidStatus, TimeoutError, OSError, websockets.WebSocketException) as error:
                stats.errors[type(error).__name__] += 1

        tasks += [asyncio.create_task(join(index, player)) for index, player in enumerate(players)]

    async def watch() -> None:
        """This client's own late wake-ups and the game's /healthz, into the run being measured."""
        beat, polled = 0.002, time.monotonic()
        while time.monotonic() < stop:
            before = time.perf_counter()
            await asyncio.sleep(beat)
            late = (time.perf_counter() - before - beat) * 1000
            for name, run in runs.items():
                if not run["stats"].recording:
                    continue
                if late > STALL_MS:
                    run["stats"].client_stalls.append((time.time() - late / 1000, late))
                if not name.startswith("echo") and time.monotonic() - polled >= 1:
                    polled = time.monotonic()
                    reading = await asyncio.to_thread(healthz, run["server"].url)
                    if "cpu" in reading:  # not a --baseline commit from before game/busy.py
                        run["stats"].health.append(reading)

    gc.disable()  # as run_players: this client's collections would time its replies late
    watcher = asyncio.create_task(watch())
    await asyncio.sleep(ramp_s + 2)
    for run in runs.values():
        run["turn"].clear()
    await asyncio.sleep(PHASE_DRAIN_S)
    for phase in range(phases):
        for name in (list(runs) if phase % 2 == 0 else reversed(runs)):
            run = runs[name]
            stats, pid = run["stats"], run["pid"]
            stats.recording = True
            cpu0, client0, started, window0 = cpu_seconds(pid), time.process_time(), time.monotonic(), time.time()
            run["turn"].set()
            await asyncio.sleep(phase_s)
            run["turn"].clear()
            await asyncio.sleep(PHASE_DRAIN_S)
            stats.recording = False
            run["cpu"] += cpu_seconds(pid) - cpu0
            run["client_cpu"] += time.process_time() - client0
            run["elapsed"] += time.monotonic() - started
            run["window"] = (min(run["window"][0], window0), time.time())
    for run in runs.values():
        run["rss"], run["fds"] = rss_mb(run["pid"]), descriptors(run["pid"])
        run["turn"].set()  # past ``stop``: each player leaves at its next message
    await asyncio.gather(*tasks)
    watcher.cancel()
    gc.enable()
    gc.collect()
    return runs


def spy_on(pid: int, seconds: float, output: Path, native: bool = False):
    """py-spy samples the worker's stacks for ``seconds``: while a thread holds the GIL (its Python only), or with
    ``native`` every running thread's C and Python frames (threads asleep in a wait, as py-spy judges, drop out)."""
    import subprocess

    with output.with_suffix(".log").open("w") as log:  # py-spy's own account: how many samples, how many errors
        return subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
                                 "--native" if native else "--gil", "--rate", str(SPY_RATE), "--duration",
                                 str(max(1, int(seconds))), "--format", "raw", "--output", str(output)],
                                stdout=log, stderr=subprocess.STDOUT)


async def spy_natively(pid: int, seconds: float, output: Path) -> float:
    """``py-spy record --native`` for ``seconds``; returns the worker's CPU (share of a core) meanwhile.

    py-spy cannot always match a greenlet's C stack to its Python frames, and gives up at once when its first
    sample is one of those (the echo app's idle worker, mostly): it is started again, up to 20 times.
    """
    for _ in range(20):
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        spy = spy_on(pid, seconds, output, native=True)
        if await asyncio.to_thread(spy.wait) == 0:
            return (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
    return float("nan")


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100)
    return statistics.median(values), cuts[94], cuts[98]


def report(name: str, run: dict) -> float:
    stats: Stats = run["stats"]
    rate = stats.sent / run["elapsed"]
    per_message = run["cpu"] / max(stats.sent, 1) * 1000
    print(f"  {name}: {rate:.0f} msg/s, worker CPU {run['cpu'] / run['elapsed']:.0%} of a core = "
          f"{per_message:.3f} ms/message, RSS {run['rss']:.0f} MB, {run['fds']} descriptors, "
          f"client CPU {run['client_cpu'] / run['elapsed']:.0%}, errors {dict(stats.errors) or 0}"
          + (f", refused (worker full) {stats.refused}" if stats.refused else "")
          + (f"; {stats.arrived} players came, {stats.readmitted} of them in after a refusal"
             if run["leave_after"] else ""))
    if stats.wal_mb:
        print(f"    WAL file each second: p50 {statistics.median(stats.wal_mb):.0f} MB, max {max(stats.wal_mb):.0f} MB"
              + (f"; Litestream beside the worker: {run['sidecar_cpu'] / run['elapsed']:.1%} of a core"
                 if run.get("sidecar_cpu") is not None else ""))
    if stats.health:
        lags = [h["loopLagMs"] for h in stats.health]
        print(f"    /healthz each second: loop lag (smoothed) p50 {statistics.median(lags):.1f}, "
              f"max {max(lags):.1f} ms, CPU p50 {statistics.median(h['cpu'] for h in stats.health):.0%}; "
              f"full {sum(h['full'] for h in stats.health)} of {len(stats.health)} s")
    for kind, values in sorted(stats.latencies.items()):
        p50, p95, p99 = percentiles(values)
        print(f"    {kind:15s} n={len(values):6d}  p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms")
    if stats.scored:
        print(f"    answers right: {stats.right / stats.scored:.0%} of {stats.scored}")
    return per_message


def server_stalls(probe: Path | None, window: tuple[float, float], offset: int = 0) -> list[tuple[float, float, float]]:
    """The worker's loop stalls inside the window, from the probe file (past ``offset``): (unix time, wall ms,
    CPU ms)."""
    if probe is None or not probe.exists():
        return []
    stalls = []
    with probe.open() as lines:
        lines.seek(offset)
        text = lines.read()
    for line in text.splitlines():
        if line.startswith("stall "):
            at, wall, cpu = map(float, line.split()[1:4])
            if window[0] <= at <= window[1]:
                stalls.append((at, wall, cpu))
    return stalls


def report_tail(run: dict, probe: Path | None, timeline: bool, offset: int = 0) -> None:
    """Where the slow replies are: how many, and (--timeline) when, beside the stalls of both event loops."""
    stats: Stats = run["stats"]
    start, end = run["window"]
    slow = sum(took > SLOW_MS for _, took in stats.timeline)
    client = stats.client_stalls
    longest = max((late for _, late in client), default=0)
    line = (f"    tail: {slow} of {len(stats.timeline)} answers/nexts over {SLOW_MS:g} ms; this client's loop "
            f"stalled {len(client)} times over {STALL_MS:g} ms (longest {longest:.0f} ms)")
    stalls = server_stalls(probe, run["window"], offset)
    if probe is not None:
        walls = sorted((w for _, w, _ in stalls), reverse=True)
        cpu = sum(c for *_, c in stalls)
        line += (f"; the worker's loop {len(stalls)} times ({sum(walls):.0f} ms in all, {cpu:.0f} ms of it CPU; "
                 f"longest {', '.join(f'{w:.0f}' for w in walls[:5]) or '-'} ms)")
    print(line)
    pauses = sorted((ms for _, ms in stats.client_gc), reverse=True)
    full = sum(generation == 2 for generation, _ in stats.client_gc)
    print(f"    this client's collector: {len(pauses)} collections ({full} full), {sum(pauses):.0f} ms in all, longest "
          f"{', '.join(f'{ms:.0f}' for ms in pauses[:5]) or '-'} ms")
    if not timeline:
        return
    print(f"    {'from s':>6} {'n':>6} {'p99 ms':>7} {'>50 ms':>6} {'starts':>6} {'worker':>6}  "
          "client stalls (ms)  worker stalls (ms, CPU ms)")
    t = start
    while t < end - 1:
        def within(at: float) -> bool:
            return t <= at < t + WINDOW_S  # noqa: B023 (used at once)

        took = [ms for at, ms in stats.timeline if within(at)]
        mine = [f"{ms:.0f}" for at, ms in client if within(at)]
        theirs = [f"{w:.0f}/{c:.0f}" for at, w, c in stalls if within(at)]
        starts = sum(within(at) for at, _ in stats.kinds_sent)
        cpu = [(at, seconds) for at, seconds in stats.worker_cpu if t - 0.5 <= at < t + WINDOW_S + 0.5]
        share = (cpu[-1][1] - cpu[0][1]) / (cpu[-1][0] - cpu[0][0]) if len(cpu) > 1 else float("nan")
        p99 = percentiles(took)[2] if took else float("nan")
        print(f"    {t - start:6.0f} {len(took):6d} {p99:7.1f} {sum(ms > SLOW_MS for ms in took):6d} {starts:6d} "
              f"{share:6.0%}  {' '.join(mine[:8]) or '-':18s}  {' '.join(theirs[:10]) or '-'}")
        t += WINDOW_S


def check_database(path: Path, run: dict) -> tuple[int, int]:
    """Answers stored for these players vs. results they were told about: must be equal, player by player."""
    from game.players import hash_token

    told = run["stats"].results
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT p.token_hash, COUNT(*) FROM trials t JOIN players p ON p.id = t.player_id "
                               "WHERE t.answer IS NOT NULL GROUP BY p.token_hash").fetchall())
    conn.close()
    mismatched = sum(stored.get(hash_token(token), 0) != told.get(token, 0) for token in run["tokens"])
    return sum(told.values()), mismatched


def one_rung(count: int, ramp_s: float, seconds: float, folder: Path, *, probe: Path | None = None,
             timeline: bool = False, echo: bool = True, baseline: Path | None = None, repeat: int = 1,
             py_spy: Path | None = None, compression: str | None = None, answers: str = "observer",
             native_spy: Path | None = None, echo_deflate: bool = False, leave_after: int | None = None,
             interleave: float | None = None, litestream: bool = False) -> dict:
    """Echo, the baseline's game and the game, ``repeat`` times in turn: each on a fresh server. Echo runs in every
    turn: its CPU a message moved 0.157-0.270 ms between runs on one box in one hour (the game's 0.31-0.40), so a
    turn's ratio is taken against the echo run minutes before it, and the rung's is the median of the turns'.

    :param native_spy: sample with ``py-spy record --native`` right after the window, into files named from this one,
        and print the user/sys and native split
    :param echo_deflate: also run echo with players that offer permessage-deflate, as browsers do (bare flask-sock
        accepts it and compresses every message; the game declines it), and print the ratio to it too
    :param interleave: a turn's servers run at once, their players taking turns in phases this long
        (``run_interleaved``), instead of one server after the other
    :param litestream: serve the game (and the baseline) as the Procfile does with a replica configured: under
        ``litestream replicate`` to a file replica, on the worker's core"""
    print(f"\n== {count} players (ramp {ramp_s:g} s, measured {seconds:g} s"
          + (f", interleaved in {interleave:g} s phases)" if interleave else ")"))
    turn_servers = ([("echo", "bench.echo_app:app", ROOT)] if echo else []) \
        + ([("echo-deflate", "bench.echo_app:app", ROOT)] if echo and echo_deflate else []) \
        + ([("baseline", "wsgi:app", baseline)] if baseline else []) + [("game", "wsgi:app", ROOT)]
    figures: dict = {"mismatched": 0, "held": 0, "p99": {}}
    batches = [turn_servers] if interleave else [[server] for server in turn_servers]
    for turn in range(repeat):
        for batch in batches:
            started: list[tuple[str, LiveServer, Path, int]] = []
            try:
                for name, app, root in batch:
                    database = folder / f"{name}-{count}-{turn}.db"
                    env = {**SERVER_ENV, **(PROBE_ENV if not name.startswith("echo") else {})}
                    replicated = litestream and not name.startswith("echo")
                    if replicated:
                        env["GLIMPSE_LITESTREAM_REPLICA"] = f"file://{folder}/replica-{name}-{count}-{turn}"
                    server = LiveServer(database, env, app=app, cpu=SERVER_CPU, root=root,
                                        launcher=LITESTREAM_LAUNCHER if replicated else None).start()
                    started.append((name, server, database, worker_pid(server.process.pid, 2 if replicated else 1)))
                probe_from = probe.stat().st_size if probe and probe.exists() else 0
                offers = {name: "deflate" if name == "echo-deflate" else compression for name, *_ in started}
                if interleave:
                    runs = asyncio.run(run_interleaved(
                        [(name, server, pid, offers[name]) for name, server, _, pid in started], count, ramp_s,
                        seconds, interleave, answers))
                    spies: dict[str, tuple[Path | None, Path | None]] = {}
                else:
                    (name, server, _, pid), = started
                    spies = {name: tuple(path.with_name(f"{path.stem}-{name}-{count}-{turn}.txt") if path else None
                                         for path in (py_spy, native_spy))}
                    runs = {name: asyncio.run(run_players(
                        server, count, ramp_s, seconds, echo=name.startswith("echo"), pid=pid, py_spy=spies[name][0],
                        compression=offers[name], answers=answers, native_spy=spies[name][1],
                        leave_after=leave_after, sidecar=server.process.pid if server.launcher else None))}
            finally:
                for _, server, _, _ in started:
                    server.stop()
            for name, _, database, _ in started:
                report_run(name, runs[name], database, figures, seconds=seconds, probe=probe, probe_from=probe_from,
                           timeline=timeline, spies=spies.get(name, (None, None)))
    figures["ratio"] = float("nan")
    if echo:
        turns = figures["turns"]
        for echo_name in ("echo-deflate", "echo") if echo_deflate else ("echo",):  # the plain echo's last
            for name in ("baseline", "game") if baseline else ("game",):
                ratios = [ms / echo_ms for ms, echo_ms in zip(turns[name], turns[echo_name], strict=True)]
                each = ", ".join(f"{ratio:.2f}x" for ratio in ratios)
                median = statistics.median(ratios)
                print(f"  worker CPU per message, {name} / {echo_name} of its turn: {each}; median {median:.2f}x")
                figures["ratio"] = median  # the game's to the plain echo, printed last
    return figures


def report_run(name: str, run: dict, database: Path, figures: dict, *, seconds: float, probe: Path | None,
               probe_from: int, timeline: bool, spies: tuple[Path | None, Path | None]) -> None:
    """Print one server's run and add it to the rung's ``figures``."""
    spy, native = spies
    figures[name] = report(name, run)
    figures.setdefault("turns", {}).setdefault(name, []).append(figures[name])
    if spy and spy.exists():
        worker_split.report(spy, figures[name])
    if native and native.exists():
        print(f"    py-spy --native sampled {seconds:g} s after the window: the worker's CPU "
              f"{run['cpu'] / run['elapsed']:.0%} of a core in it, {run['sampled_cpu']:.0%} while sampled")
        native_split.report(native, figures[name], run["user"], run["sys"],
                            expected=run["sampled_cpu"] * run["elapsed"] * SPY_RATE)
    report_tail(run, probe if not name.startswith("echo") else None, timeline, probe_from)
    if not name.startswith("echo"):
        told, mismatched = check_database(database, run)
        print(f"    database: {told} answers told to players; players whose stored answers differ: {mismatched}")
        figures["mismatched"] += mismatched
        held, line = fair_play(str(database))
        print(f"    {line}")
        figures["held"] += held
    if name == "game":
        figures["p99"] = {k: percentiles(v)[2] for k, v in run["stats"].latencies.items()}


def checkout(commit: str, folder: Path) -> Path:
    """That commit's tree in ``folder`` (served with this venv), with this checkout's probe."""
    import shutil
    import subprocess

    root = folder / "baseline"
    root.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    shutil.copy(ROOT / "bench" / "worker_probe.py", root / "bench" / "worker_probe.py")
    print(f"baseline: {commit} in {root}")
    return root


def page_cost(folder: Path, views: int = 1000) -> None:
    """What a page view costs the one worker: its CPU over many GET / from new visitors, on a kept-alive
    connection as a browser's (each view still gets a new cookie); /healthz is the floor any request pays."""
    import http.client

    server = LiveServer(folder / "pages.db", SERVER_ENV, cpu=SERVER_CPU).start()
    try:
        pid = worker_pid(server.process.pid)
        for path in ("/healthz", "/"):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            before = cpu_seconds(pid)
            for _ in range(views):
                conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
                conn.getresponse().read()
            conn.close()
            print(f"GET {path}: {(cpu_seconds(pid) - before) / views * 1000:.2f} ms of worker CPU per view "
                  f"(over {views} views)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, nargs="+", default=[300])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--ramp", type=float, default=None, help="seconds to connect everyone (default N/100)")
    parser.add_argument("--probe", type=Path, help="append the game worker's GC pauses and memory to this file "
                        "every 20 s (GLIMPSE_PROBE_TRACEMALLOC=<frames> in the environment also traces allocations)")
    parser.add_argument("--stalls", type=float, metavar="MS", help="the game worker reports every stop of its event "
                        "loop longer than MS, with the stacks that held it (in the --probe file)")
    parser.add_argument("--timeline", action="store_true", help="print the tail per 5 s beside both loops' stalls")
    parser.add_argument("--echo", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the echo baseline (default; --no-echo to look at the game alone)")
    parser.add_argument("--pages", action=argparse.BooleanOptionalAction, default=True,
                        help="measure what a page view costs first (default)")
    parser.add_argument("--baseline", metavar="COMMIT", help="also serve this commit's game (git archive, with "
                        "this checkout's bench/worker_probe.py) in the same run, before each run of this one")
    parser.add_argument("--repeat", type=int, default=1, help="turns per rung: echo, the baseline and "
                        "the game in each; each ratio is to the echo of its turn")
    parser.add_argument("--py-spy", type=Path, metavar="FILE", help="sample each server's worker with py-spy during "
                        "the measured window (FILE-<server>-<players>-<turn>.txt) and print its CPU per message by "
                        "part (bench/worker_split.py); py-spy pauses the worker to sample: CPU figures rise ~1-3%%")
    parser.add_argument("--answers", choices=("observer", "random"), default="observer", help="observer (default): "
                        "each player names what a person with their own threshold would see in the trial's face "
                        "(bench/observer.py), right ~50-85%% of the time near it; random: right 1 time in 7")
    parser.add_argument("--native-split", nargs="?", type=Path, const=True, metavar="FILE", help="each server's "
                        "worker CPU over the window in user space and in the kernel (/proc/<pid>/stat) and by what "
                        "py-spy --native samples: SQLite's C, WAL writes, fcntl locks, socket send/recv, Python "
                        "(bench/native_split.py); samples kept in FILE-<server>-<players>-<turn>.txt if given. "
                        "py-spy --native stops the worker at each sample (its CPU rises), so it samples the same "
                        "players for as long right after the window (beside --py-spy's, which samples during it)")
    parser.add_argument("--leave-after", type=int, metavar="DRILLS", help="players leave after this many drills and "
                        "a newcomer arrives in each one's place; one refused as the worker is full tries again after "
                        "Retry-After (pages wait for their next drill): shows a full worker taking newcomers again")
    parser.add_argument("--deflate", action="store_true", help="players offer permessage-deflate, as browsers do "
                        "(echo, bare flask-sock, accepts it and compresses every message; the game declines it)")
    parser.add_argument("--interleave", type=float, metavar="SECONDS", help="run a turn's servers at once, their "
                        "players taking turns in phases this long (each server's CPU counted over its own phases, "
                        "--seconds in all): a machine whose speed drifts over minutes slows each alike")
    parser.add_argument("--echo-deflate", action="store_true", help="also run echo with players that offer "
                        "permessage-deflate in every turn (the game's and plain echo's players as --deflate says), "
                        "and print the ratio to both echoes")
    parser.add_argument("--litestream", action="store_true", help="serve the game under Litestream replicating to a "
                        "file replica, as the Procfile does when one is configured (game/backup.py), and print its "
                        "CPU beside the worker's")
    args = parser.parse_args()
    if args.interleave and args.litestream:
        parser.error("--litestream prints Litestream's CPU over one server's window: without --interleave")
    if args.interleave and (args.py_spy or args.native_split or args.leave_after):
        parser.error("--interleave measures CPU a message: without --py-spy, --native-split or --leave-after")
    if args.stalls and not args.probe:
        args.probe = Path(tempfile.mkstemp(prefix="glimpse-probe-", suffix=".txt")[1])
        print(f"worker probe: {args.probe}")
    if args.probe:
        PROBE_ENV["GLIMPSE_PROBE"] = str(args.probe.resolve())
    if args.stalls:
        PROBE_ENV["GLIMPSE_PROBE_STALLS_MS"] = str(args.stalls)
        PROBE_ENV["GLIMPSE_PROBE_SLICES_MS"] = str(args.stalls / 2)
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    print(f"players answer: {args.answers}" + (" (bench/observer.py: thresholds 30-400 ms, slopes 1.2-5, lapses 0-5%)"
                                              if args.answers == "observer" else " (right 1 time in 7)"))
    with tempfile.TemporaryDirectory() as tmp:
        baseline = checkout(args.baseline, Path(tmp)) if args.baseline else None
        if args.pages:
            page_cost(Path(tmp))
        ladder = [(n, one_rung(n, args.ramp if args.ramp is not None else max(5.0, n / 100), args.seconds,
                               Path(tmp), probe=args.probe, timeline=args.timeline, echo=args.echo,
                               baseline=baseline, repeat=args.repeat, py_spy=args.py_spy,
                               native_spy=Path(tmp) / "native" if args.native_split is True else args.native_split,
                               compression="deflate" if args.deflate else None, answers=args.answers,
                               echo_deflate=args.echo_deflate, leave_after=args.leave_after,
                               interleave=args.interleave, litestream=args.litestream))
              for n in args.players]
    print("\nladder (p99 ms answer->result / next->trial, CPU per message game/echo, DB mismatches, players held):")
    for n, figures in ladder:
        p99 = figures["p99"]
        print(f"  {n:6d} players: {p99.get('answer->result', float('nan')):8.1f} / "
              f"{p99.get('next->trial', float('nan')):8.1f} ms, {figures['ratio']:.2f}x, {figures['mismatched']}, "
              f"{figures['held']}")
    if any(figures["mismatched"] for _, figures in ladder):
        sys.exit("FAIL: the database does not hold exactly the answers players were told about")
    if any(figures["held"] for _, figures in ladder):
        sys.exit("FAIL: fair play held players who answer as people do")


if __name__ == "__main__":
    main()

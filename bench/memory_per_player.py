"""What a player's drill state costs the worker in memory, after 1, 3 and 6 drills (in-process, no sockets).

Players play drills round-robin through ``game.ws._handle`` on a real SQLite file, as bench/answer_path.py's
do (a clock that moves 3 s per trial, an hour between drills: every drill is a new session of every QUEST+
procedure). At each checkpoint, mid-drill (after the drill's 10th answer, where players spend their time) and
between drills (after the summary), it prints per player:

- ``held``: bytes reachable from the player's ``DrillSession`` and nobody else's (numpy arrays by ``nbytes``,
  other objects by ``sys.getsizeof``), by what holds them (each procedure's slots, the fair-play fit, ...);
  arrays reached from two players or more are shared (module caches) and reported once, as ``shared``;
- ``traced``: what ``tracemalloc`` says the process holds above what it held before the first drill, divided by
  the players (includes the module caches the drills fill, amortised over the players);
- ``RSS``: the process's resident memory above what it was before the first drill, divided by the players (the
  allocator's overhead and the module caches included; with ``--no-trace`` only, tracemalloc's own use skews it).

With ``--against REV`` the same players are also played by the code of git revision REV (its tree extracted to
a temporary folder) in the same run, and the ratios printed.

Run: ``.venv/bin/python bench/memory_per_player.py [--players 40] [--checkpoints 1 3 6] [--against 9c7614d]``
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from collections import defaultdict
from pathlib import Path

from answer_path import extract, new_players

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _walk(root: object, label: str, owner: dict[int, object], sizes: dict[int, tuple[str, int]], player: int) -> None:
    """Record every object reachable from ``root`` (not through classes, modules or functions): its size and the
    first label it was reached under; an object reached from two players is marked shared (owner -1)."""
    import numpy as np

    stack = [root]
    while stack:
        item = stack.pop()
        key = id(item)
        if isinstance(item, (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                             types.MethodType)) or item is None:
            continue
        known = owner.get(key)
        if known is not None:
            if known != player:
                owner[key] = -1  # reached from two players: shared
            continue
        owner[key] = player
        if isinstance(item, np.ndarray):
            base = item.base if item.base is not None else item
            sizes[key] = (label, item.nbytes if item.base is None else 0)
            if base is not item:
                stack.append(base)
            continue
        sizes[key] = (label, sys.getsizeof(item))
        if isinstance(item, (str, bytes, int, float, bool)):
            continue
        stack.extend(gc.get_referents(item))


def _label_roots(session: object) -> list[tuple[str, object]]:
    """The player's state, by what holds it: each procedure's slots under its own label, then the rest."""
    roots: list[tuple[str, object]] = []
    procedures = getattr(session, "procedures", {}) or {}
    for procedure in procedures.values():
        for slot in getattr(type(procedure), "__slots__", ()):
            value = getattr(procedure, slot, None)
            if slot == "_sessions":
                for one in value:
                    roots.append(("procedure: open session's log-likelihood" if one is value[-1]
                                  else "procedure: closed sessions", one))
            else:
                roots.append((f"procedure: {slot}", value))
    roots.append(("own_fit (fair play)", getattr(session, "own_fit", None)))
    roots.append(("the rest of the session (drill, trial, fair play row, ...)", session))
    return roots


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def measure(sessions: list, base_traced: int, base_rss: int) -> dict:
    gc.collect()
    owner: dict[int, object] = {}
    sizes: dict[int, tuple[str, int]] = {}
    for index, session in enumerate(sessions):
        for label, root in _label_roots(session):
            _walk(root, label, owner, sizes, index)
    by_label: dict[str, int] = defaultdict(int)
    shared = 0
    for key, (label, size) in sizes.items():
        if owner[key] == -1:
            shared += size
        else:
            by_label[label] += size
    count = len(sessions)
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return {"held": sum(by_label.values()) / count, "by": {k: v / count for k, v in by_label.items()},
            "shared": shared, "traced": (traced - base_traced) / count, "rss": (rss_bytes() - base_rss) / count}


def play(players_count: int, checkpoints: list[int], trace: bool) -> dict:
    import msgspec

    from game import create_app, ws
    from game.db import pool
    from game.emotions import EMOTION_KEYS

    encode = msgspec.json.Encoder().encode
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.db"), "TESTING": True})
        clock, rng = Clock(), random.Random(1)
        with app.app_context():
            sessions, handlers = new_players(players_count, clock)

            def send(index: int, message: dict) -> list[dict]:
                with pool().connection() as db:
                    sessions[index].db = db
                    replies = ws._handle(encode(message).decode(), handlers[index])
                    sessions[index].db = None
                assert all(r.get("type") != "error" for r in replies), replies
                return replies

            for index in range(players_count):
                send(index, {"type": "hello", "v": 1, "tz": "Europe/Paris"})
            if trace:
                tracemalloc.start()
            gc.collect()
            base = tracemalloc.get_traced_memory()[0] if trace else 0
            base_rss = rss_bytes()
            started = time.process_time()
            for drill in range(1, max(checkpoints) + 1):
                trials = [send(i, {"type": "start", "refreshMs": 16.667})[-1] for i in range(players_count)]
                for position in range(1, 21):
                    clock.now += 3.0
                    results = []
                    for i, trial in enumerate(trials):
                        if trial is None:
                            results.append({"done": True})
                            continue
                        results.append(send(i, {
                            "type": "answer", "trialId": trial["trialId"], "answer": rng.choice(EMOTION_KEYS),
                            "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                            "reactionMs": round(rng.uniform(600, 1500), 1)})[0])
                    if position == 10 and drill in checkpoints:
                        report[f"{drill} mid"] = measure(sessions, base, base_rss)
                    clock.now += 1.0
                    trials = [None if r["done"] else send(i, {"type": "next"})[0] for i, r in enumerate(results)]
                    if all(t is None for t in trials):
                        break
                if drill in checkpoints:
                    report[f"{drill} end"] = measure(sessions, base, base_rss)
                clock.now += 3600.0
            report["cpu_s"] = {"value": time.process_time() - started}
    return report


def run_in(root: Path, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--root", str(root), "--players", str(args.players), "--json",
               "--checkpoints", *map(str, args.checkpoints)] + ([] if args.trace else ["--no-trace"])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def kb(value: float) -> str:
    return f"{value / 1024:8.1f} KB"


def show(name: str, report: dict) -> None:
    print(f"{name}:")
    for point, figures in report.items():
        if point == "cpu_s":
            continue
        print(f"  after drill {point:>6s}: held {kb(figures['held'])} a player, traced {kb(figures['traced'])}, "
              f"RSS {kb(figures['rss'])}; arrays shared by players {figures['shared'] / 2**20:.1f} MB")
        for label, size in sorted(figures["by"].items(), key=lambda item: -item[1]):
            if size >= 1024:
                print(f"      {kb(size)}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[1, 3, 6])
    parser.add_argument("--against", metavar="REV", help="also measure the code of this git revision")
    parser.add_argument("--trace", action=argparse.BooleanOptionalAction, default=True,
                        help="tracemalloc's figure too (slows the run ~3x)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        sys.path.insert(0, str(args.root))
        print(json.dumps(play(args.players, args.checkpoints, args.trace)))
        return
    mine = run_in(ROOT, args)
    show("this tree", mine)
    if not args.against:
        return
    with tempfile.TemporaryDirectory() as tmp:
        theirs = run_in(extract(args.against, Path(tmp)), args)
    show(args.against, theirs)
    print(f"per player, this tree / {args.against}:")
    for point in mine:
        if point != "cpu_s" and point in theirs:
            traced = (f", traced {mine[point]['traced'] / theirs[point]['traced']:.2f}x "
                      f"({kb(theirs[point]['traced']).strip()} -> {kb(mine[point]['traced']).strip()})"
                      if args.trace else "")
            print(f"  after drill {point:>6s}: held {mine[point]['held'] / theirs[point]['held']:.2f}x "
                  f"({kb(theirs[point]['held']).strip()} -> {kb(mine[point]['held']).strip()}){traced}, RSS "
                  f"{mine[point]['rss'] / theirs[point]['rss']:.2f}x "
                  f"({kb(theirs[point]['rss']).strip()} -> {kb(mine[point]['rss']).strip()})")


if __name__ == "__main__":
    main()

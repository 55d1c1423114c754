"""The drill messages' CPU in-process: the real handler code on a real SQLite file, no sockets.

Many players play drills round-robin through ``game.ws._handle`` (protocol parsing, the drill logic,
the pooled connection, the reply's encoding), as bench/load.py's players do but without the network
and with a clock that moves 3 s per trial, so every answer is on time and humanly paced.
Prints the CPU per message kind (median and mean ms) and, with ``--profile``, the top entries of cProfile.

Run: ``.venv/bin/python bench/answer_path.py [--players 50] [--drills 3] [--profile]``
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game import create_app, players, ws  # noqa: E402
from game.db import pool  # noqa: E402
from game.drills import DrillSession  # noqa: E402
from game.emotions import EMOTION_KEYS  # noqa: E402

_encode = msgspec.json.Encoder().encode


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def play(players_count: int, drills: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.db"), "TESTING": True})
        clock, rng = Clock(), random.Random(1)
        costs: dict[str, list[float]] = defaultdict(list)
        profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the box is shared
        with app.app_context():
            sessions = []
            with pool().connection() as db:
                for _ in range(players_count):
                    player, _token = players.create_player(db, secrets.token_urlsafe(32))
                    sessions.append(DrillSession(None, player["id"], clock=clock))  # type: ignore[arg-type]
            handlers = [{
                ws.Hello: lambda m, s=s: [s.welcome(m)], ws.Start: s.start, ws.Resume: s.resume,
                ws.Next: lambda _m, s=s: s.next_trial(), ws.Answer: s.answer, ws.Abandon: lambda _m, s=s: s.abandon(),
            } for s in sessions]

            def send(index: int, kind: str, message: dict) -> list[dict]:
                raw = _encode(message).decode()
                if profiler:
                    profiler.enable()
                started = time.process_time()
                with pool().connection() as db:
                    sessions[index].db = db
                    replies = ws._handle(raw, handlers[index])
                    sessions[index].db = None
                text = [_encode(reply).decode() for reply in replies]
                costs[kind].append((time.process_time() - started) * 1000)
                if profiler:
                    profiler.disable()
                assert text and all(r.get("type") != "error" for r in replies), replies
                return replies

            for index in range(players_count):
                send(index, "hello", {"type": "hello", "v": 1, "tz": "Europe/Paris"})
            for _ in range(drills):
                trials = [send(i, "start", {"type": "start", "refreshMs": 16.667})[-1] for i in range(players_count)]
                for _position in range(20):
                    clock.now += 3.0
                    results = []
                    for i, trial in enumerate(trials):
                        replies = send(i, "answer", {
                            "type": "answer", "trialId": trial["trialId"], "answer": rng.choice(EMOTION_KEYS),
                            "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                            "reactionMs": round(rng.uniform(600, 1500), 1)})
                        if replies[0]["done"]:
                            costs["answer (last)"].append(costs["answer"].pop())
                        results.append(replies[0])
                    clock.now += 1.0
                    trials = [None if r["done"] else send(i, "next", {"type": "next"})[0]
                              for i, r in enumerate(results)]
                    if all(t is None for t in trials):
                        break
                clock.now += 3600.0  # the next drill is a new session of every procedure
    total = sum(sum(v) for v in costs.values())
    count = sum(len(v) for v in costs.values())
    print(f"{players_count} players x {drills} drills, in-process CPU per message (ms):")
    for kind, values in costs.items():
        print(f"  {kind:14s} n={len(values):6d}  median {statistics.median(values):6.3f}  "
              f"mean {statistics.fmean(values):6.3f}")
    paced = [v for kind in ("answer", "answer (last)", "next") for v in costs[kind]]
    print(f"  all messages: mean {total / count:.3f} ms; answer+next (what a drill mostly sends): "
          f"mean {statistics.fmean(paced):.3f} ms")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=50)
    parser.add_argument("--drills", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    play(args.players, args.drills, args.profile)


if __name__ == "__main__":
    main()

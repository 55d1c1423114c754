"""The staircase's CPU per trial, by part, as game.drills drives it: no database, no sockets, no wrapping.

Simulated players play 20-trial drills: before each trial the emotion's procedure is anchored to the overall level,
its carried beliefs are made (``_carried``: at a procedure's first trial of a drill, the closed session absorbed and
each model's random walk; then the anchor's move), its posterior and its pick; after it, the answer as ``_adapt``
takes it (two updates, the anchor, the trims, two ``to_json``). Each part is timed with the CPU clock from the
second drill on, where every procedure has a closed session. ``answer_path.py --time`` instead times named
functions in the real path, calls inside one another counted in each.

With ``--root DIR`` another tree's ``game/`` runs (``git archive REV | tar -x -C DIR``); alternate the two on a
shared machine.

Run: ``.venv/bin/python bench/staircase_parts.py [--players 30] [--drills 3] [--root DIR]``
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

EMOTIONS = ("anger", "contempt", "disgust", "fear", "happiness", "sadness", "surprise")
CANDIDATES = tuple(frames * 1000 / 60 for frames in range(1, 31))  # whole frames at 60 Hz, ms
PARTS = ("level", "carried", "posterior", "pick", "answer")


def play(players: int, drills: int) -> tuple[dict[str, int], int]:
    """CPU nanoseconds per part over drills 2 on, and how many trials that is."""
    from game.staircase import Staircase

    spent, trials = dict.fromkeys(PARTS, 0), 0
    for player in range(players):
        rng = random.Random(player)
        procedures = {name: Staircase("exposure") for name in ("all", *EMOTIONS)}
        at, truth = 1.7e9, math.log10(rng.uniform(15, 150))
        for drill in range(drills):
            at += 86_400.0
            for procedure in procedures.values():
                procedure.begin_session(at)
            for _ in range(20):
                procedure, overall = procedures[rng.choice(EMOTIONS)], procedures["all"]
                clock = [time.process_time_ns()]
                procedure.anchor(overall.level())
                clock.append(time.process_time_ns())
                procedure._carried()
                clock.append(time.process_time_ns())
                procedure.posterior()
                clock.append(time.process_time_ns())
                x = procedure.next_stimulus(CANDIDATES)
                clock.append(time.process_time_ns())
                p = 1 / 7 + (1 - 1 / 7 - 0.02) * (1 - math.exp(-(10 ** (2.5 * (math.log10(x) - truth)))))
                correct = rng.random() < p
                start = time.process_time_ns()
                overall.update(x, correct)
                procedure.update(x, correct)
                procedure.anchor(overall.level())
                procedure.trim()
                procedure.to_json()
                overall.to_json()
                overall.trim(keep_posterior=True)
                clock += [start, time.process_time_ns()]
                if drill:
                    for part, before, after in zip(PARTS, clock[0:4] + clock[5:6], clock[1:5] + clock[6:7],
                                                   strict=True):
                        spent[part] += after - before
                    trials += 1
            for procedure in procedures.values():
                procedure.trim()
    return spent, trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=30)
    parser.add_argument("--drills", type=int, default=3)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    spent, trials = play(args.players, args.drills)
    parts = ", ".join(f"{part} {spent[part] / trials / 1000:.1f}" for part in PARTS)
    print(f"{args.root}: {trials} trials, us per trial: {parts}; all {sum(spent.values()) / trials / 1000:.1f}")


if __name__ == "__main__":
    main()

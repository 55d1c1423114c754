"""One emotion changes alone: does its own procedure follow? (bench/staircase_sim.py's players change every emotion
alike, which the overall estimate, their anchor, carries.)

Simulated players (3-20 frames at 60 Hz, slope log-uniform 1.2-5, lapse 2%) play 20-trial daily drills as
bench/staircase_sim.py's do; fear's threshold alone goes x1, x0.84, x0.71, x0.6, then stays; every other emotion's
stays. Printed per drill, at its end: fear's median signed and absolute log10 error, and the median over players of
the other emotions' median absolute error.

Run: ``.venv/bin/python bench/staircase_one_emotion.py [--players 200] [--seed 1] [--root DIR]``
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv[:-1]  # before game is imported
                else str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import numpy as np
import staircase_sim as sim

from game.emotions import EMOTION_KEYS
from game.rounds import TRIALS_PER_DRILL, exposure_candidates, plan_emotions
from game.staircase import TRACKING, Staircase

CHANGING = "fear"
FACTORS = (1.0, 0.84, 0.71, 0.6, 0.6, 0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default=sys.path[0], help="the tree whose game/ runs")
    args = parser.parse_args()
    rng = np.random.default_rng([args.seed, 99])
    candidates = exposure_candidates(sim.PERIOD_MS)
    changing = [[] for _ in FACTORS]
    others = [[] for _ in FACTORS]
    for index in range(args.players):
        base = math.log10(sim.PERIOD_MS * 3 * (20 / 3) ** rng.uniform(0, 1))
        slope = math.exp(rng.uniform(math.log(1.2), math.log(5)))
        uniforms = rng.random(len(FACTORS) * TRIALS_PER_DRILL)
        days = [d + 0.4 for d in range(len(FACTORS))]
        players = {shift: sim.Player([base + shift] * len(FACTORS), days, slope, uniforms, 0)
                   for shift in {0.0, *(math.log10(f) for f in FACTORS)}}
        procedures = {key: Staircase("exposure", TRACKING) for key in (sim.OVERALL, *EMOTION_KEYS)}
        plan_rng, trial = random.Random(args.seed * 100_003 + index), 0
        for drill, day in enumerate(days):
            for procedure in procedures.values():
                procedure.begin_session(day * sim.DAY_S)
            for emotion in plan_emotions(plan_rng, TRIALS_PER_DRILL):  # as bench/staircase_sim.py's play
                procedures[emotion].anchor(sim._log_estimate(procedures[sim.OVERALL])[0])
                stimulus = procedures[emotion].next_stimulus(candidates)
                player = players[math.log10(FACTORS[drill]) if emotion == CHANGING else 0.0]
                correct = bool(uniforms[trial] < player.p_correct(drill, stimulus))
                trial += 1
                procedures[emotion].update(stimulus, correct)
                procedures[sim.OVERALL].update(stimulus, correct)
                procedures[emotion].anchor(sim._log_estimate(procedures[sim.OVERALL])[0])
            changing[drill].append(sim._log_estimate(procedures[CHANGING])[0] - base - math.log10(FACTORS[drill]))
            others[drill].append(np.median([abs(sim._log_estimate(procedures[e])[0] - base)
                                            for e in EMOTION_KEYS if e != CHANGING]))
    print(f"game/ from {Path(sys.modules['game'].__file__).parent.parent}; {args.players} players, seed {args.seed}")
    print(f"drill: {CHANGING}'s median error / median |error| (log10); the other emotions' median |error|")
    for drill, (mine, rest) in enumerate(zip(changing, others, strict=True)):
        print(f"{drill + 1}: {np.median(mine):+.3f} / {np.median(np.abs(mine)):.3f}; {np.median(rest):.3f}")


if __name__ == "__main__":
    main()

"""Simulated observers through the scenes' adaptive leak procedure: does the leak threshold converge?

Each simulated player has a known 75%-correct threshold on the "leak" axis (the leak's duration x
intensity in ms, game.scene_session), drawn log-uniform from a faint 3-frame leak (~15 ms-equivalent)
to 400 ms, a log-Weibull slope of 1.2-5 and a 0-5% lapse rate (the same model as
bench/staircase_sim.py). Each plays scenes through game.staircase.Staircase("leak") with the
candidates a scene drill offers at the display rate (whole-frame leaks of 1/25-1/2 s at full
intensity, then fainter 3-frame leaks). Prints bias, RMSE and median |error| of log10 threshold
after 10/20/30/40/60 scenes, against a baseline that always estimates the prior's median, and the
share of trials spent at the subtle end.

Run: ``.venv/bin/python bench/leak_staircase_sim.py [--players 200] [--hz 60] [--seed 1]``
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from observer import CRITERION, p_correct

from game.scene_session import candidates, stimulus
from game.staircase import AXES, Staircase

CHECKPOINTS = (10, 20, 30, 40, 60)


def simulate(player_rng: np.random.Generator, stimuli: list[float], trials: int,
             full_shortest: float) -> tuple[float, list[float], int]:
    log_threshold = player_rng.uniform(math.log10(15), math.log10(400))
    slope = math.exp(player_rng.uniform(math.log(1.2), math.log(5)))
    lapse = player_rng.uniform(0, 0.05)
    staircase, errors, subtle = Staircase("leak"), [], 0
    for trial in range(trials):
        x = staircase.next_stimulus(stimuli)
        subtle += x < full_shortest
        staircase.update(x, bool(player_rng.random() < p_correct(log_threshold, slope, lapse, x)))
        if trial + 1 in CHECKPOINTS:
            errors.append(math.log10(staircase.threshold(CRITERION).value) - log_threshold)
    return log_threshold, errors, subtle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--hz", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pairs = candidates(1000 / args.hz)
    stimuli = sorted({stimulus(ms, i) for ms, i in pairs})
    full_shortest = min(ms for ms, i in pairs if i == 1.0)
    rng = np.random.default_rng(args.seed)
    errors, truths, subtle = [], [], 0
    for _ in range(args.players):
        truth, errs, at_subtle = simulate(rng, stimuli, max(CHECKPOINTS), full_shortest)
        truths.append(truth)
        errors.append(errs)
        subtle += at_subtle
    errors_array = np.array(errors)
    baseline = AXES["leak"].prior_mean - np.array(truths)  # always guessing the prior's median
    print(f"{args.players} simulated players at {args.hz:g} Hz; {len(stimuli)} candidates "
          f"({min(stimuli):.1f}-{max(stimuli):.1f} ms x intensity; full-intensity leaks from {full_shortest:.1f} ms)")
    print("scenes  bias(log10)  RMSE(log10)  median|err|  within x1.5  baseline RMSE  ratio")
    base_rmse = float(np.sqrt(np.mean(baseline ** 2)))
    for k, n in enumerate(CHECKPOINTS):
        e = errors_array[:, k]
        rmse = float(np.sqrt(np.mean(e ** 2)))
        within = float(np.mean(np.abs(e) < math.log10(1.5)))
        print(f"{n:6d}  {np.mean(e):+11.3f}  {rmse:11.3f}  {np.median(np.abs(e)):11.3f}  {100 * within:10.0f}%"
              f"  {base_rmse:13.3f}  {rmse / base_rmse:5.2f}")
    share = 100 * subtle / (args.players * max(CHECKPOINTS))
    print(f"trials at the subtle end (fainter than full intensity): {share:.1f}%")


if __name__ == "__main__":
    main()

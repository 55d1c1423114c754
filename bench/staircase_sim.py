"""Simulated players through game.staircase and through the reference ``questplus.QuestPlus``.

Both procedures get the same 7AFC log-Weibull model, the same parameter grid and prior, the
same candidate exposures and the same players with the same random numbers (an answer is
correct when a pre-drawn uniform falls below the player's P(correct) at the shown stimulus).
Both thresholds are estimated the same way from each posterior: the posterior mean of the
log10 75%-correct exposure. Prints bias, RMSE and median |error| (log10) after 10/20/30/40
trials, the median time per update + selection, and how often both chose identical stimuli.

Run: ``.venv/bin/python bench/staircase_sim.py [--players 200] [--hz 60] [--seed 1]``
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import questplus

from game.staircase import (
    AXES,
    GUESS,
    LAPSE_PRIOR,
    LAPSES,
    SLOPE_PRIOR_MEDIAN,
    SLOPE_PRIOR_SD_LN,
    SLOPES,
    Staircase,
    _grid,
)

CHECKPOINTS = (10, 20, 30, 40)
CRITERION = 0.75


@dataclass
class Player:
    """A simulated player: a log-Weibull with a known 75% threshold, and pre-drawn uniforms."""

    log_threshold: float
    slope: float
    lapse: float
    uniforms: np.ndarray

    @property
    def alpha(self) -> float:
        weibull = (CRITERION - GUESS) / (1 - GUESS - self.lapse)
        return self.log_threshold - math.log10(-math.log1p(-weibull)) / self.slope

    def answer(self, trial: int, stimulus: float) -> bool:
        weibull = -math.expm1(-(10 ** (self.slope * (math.log10(stimulus) - self.alpha))))
        return bool(self.uniforms[trial] < GUESS + (1 - GUESS - self.lapse) * weibull)


def make_players(count: int, trials: int, seed: int) -> list[Player]:
    """Thresholds log-uniform over 1-30 frames at 60 Hz, slopes log-uniform 1.2-5, lapses 0-5%."""
    rng = np.random.default_rng(seed)
    return [
        Player(
            log_threshold=math.log10(1000 / 60) + rng.uniform(0, math.log10(30)),
            slope=math.exp(rng.uniform(math.log(1.2), math.log(5))),
            lapse=rng.uniform(0, 0.05),
            uniforms=rng.random(trials),
        )
        for _ in range(count)
    ]


class Reference:
    """questplus.QuestPlus configured as game.staircase's exposure model, on the same grid."""

    def __init__(self, candidates: list[float]) -> None:
        grid = _grid(AXES["exposure"])
        shape = (-1, len(SLOPES), len(LAPSES))
        alphas = grid.alpha.reshape(shape)[:, 0, 0]
        axis, slopes = AXES["exposure"], np.array(SLOPES)
        self.qp = questplus.QuestPlus(
            stim_domain={"intensity": np.log10(candidates)},
            param_domain={"threshold": alphas, "slope": np.array(SLOPES), "lower_asymptote": GUESS,
                          "lapse_rate": np.array(LAPSES)},
            outcome_domain={"response": ["Correct", "Incorrect"]},
            prior={"threshold": np.exp(-0.5 * ((alphas - axis.prior_mean) / axis.prior_sd) ** 2),
                   "slope": np.exp(-0.5 * (np.log(slopes / SLOPE_PRIOR_MEDIAN) / SLOPE_PRIOR_SD_LN) ** 2),
                   "lower_asymptote": np.array([1.0]), "lapse_rate": np.array(LAPSE_PRIOR)},
            func="weibull", stim_scale="log10",
        )
        t, s, lapse = np.meshgrid(alphas, SLOPES, LAPSES, indexing="ij")
        weibull = (CRITERION - GUESS) / (1 - GUESS - lapse)
        self.log_x75 = t + np.log10(-np.log1p(-weibull)) / s

    def next_stimulus(self) -> float:
        return 10 ** self.qp.next_stim["intensity"]

    def update(self, stimulus: float, correct: bool) -> None:
        outcome = "Correct" if correct else "Incorrect"
        self.qp.update(stim={"intensity": math.log10(stimulus)}, outcome={"response": outcome})

    def log_threshold(self) -> float:
        return float((self.qp.posterior.values[:, :, 0, :] * self.log_x75).sum())


def run_glimpse(player: Player, candidates: list[float], trials: int) -> tuple[list, list, list]:
    """Play one player through game.staircase; return errors at checkpoints, timings, stimuli."""
    staircase, errors, timings, shown = Staircase(), [], [], []
    for trial in range(trials):
        start = time.perf_counter()
        stimulus = staircase.next_stimulus(candidates)
        staircase.update(stimulus, player.answer(trial, stimulus))
        timings.append(time.perf_counter() - start)
        shown.append(stimulus)
        if trial + 1 in CHECKPOINTS:
            errors.append(math.log10(staircase.threshold(CRITERION).value) - player.log_threshold)
    return errors, timings, shown


def run_reference(player: Player, candidates: list[float], trials: int) -> tuple[list, list, list]:
    """Play one player through questplus.QuestPlus; same return values as run_glimpse."""
    reference, errors, timings, shown = Reference(candidates), [], [], []
    for trial in range(trials):
        start = time.perf_counter()
        stimulus = reference.next_stimulus()
        reference.update(stimulus, player.answer(trial, stimulus))
        timings.append(time.perf_counter() - start)
        shown.append(stimulus)
        if trial + 1 in CHECKPOINTS:
            errors.append(reference.log_threshold() - player.log_threshold)
    return errors, timings, shown


def summary(errors: np.ndarray) -> str:
    bias, rmse = errors.mean(), math.sqrt((errors**2).mean())
    return f"{bias:+8.3f} {np.median(errors):+8.3f} {rmse:7.3f} {np.median(np.abs(errors)):7.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--hz", type=float, default=60.0, help="display refresh rate for candidate frames")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    trials = max(CHECKPOINTS)
    period = 1000 / args.hz
    candidates = [k * period for k in range(1, int(500 / period + 1e-9) + 1)]
    players = make_players(args.players, trials, args.seed)
    ours = [run_glimpse(p, candidates, trials) for p in players]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xarray/questplus chatter is not ours to fix
        theirs = [run_reference(p, candidates, trials) for p in players]
    reference_seconds = time.perf_counter() - started
    print_report(args, candidates, ours, theirs, reference_seconds)


def print_report(args: argparse.Namespace, candidates: list[float], ours: list, theirs: list,
                 reference_seconds: float) -> None:
    n_grid = _grid(AXES["exposure"]).alpha.size
    span = f"{candidates[0]:.1f}-{candidates[-1]:.0f} ms"
    print(f"7AFC log-Weibull QUEST+, {len(ours)} simulated players, seed {args.seed}; "
          f"candidates: {len(candidates)} frames at {args.hz:g} Hz ({span})")
    print(f"grid: {n_grid // (len(SLOPES) * len(LAPSES))} thresholds x {len(SLOPES)} slopes x "
          f"{len(LAPSES)} lapses = {n_grid} points; players: 75% threshold log-uniform 1-30 frames "
          f"at 60 Hz, slope 1.2-5, lapse 0-5%")
    print("errors of the 75%-correct exposure estimate, log10 units (bias = mean, bias~ = median)")
    header = f"{'bias':>8} {'bias~':>8} {'RMSE':>7} {'|err|~':>7}"
    print(f"{'trials':>6} | {'glimpse.staircase':^33} | {'questplus.QuestPlus':^33}")
    print(f"{'':>6} | {header} | {header}")
    for i, n in enumerate(CHECKPOINTS):
        mine = np.array([errors[i] for errors, _, _ in ours])
        ref = np.array([errors[i] for errors, _, _ in theirs])
        print(f"{n:>6} | {summary(mine)} | {summary(ref)}")
    fast = statistics.median(t for _, timings, _ in ours for t in timings)
    slow = statistics.median(t for _, timings, _ in theirs for t in timings)
    print(f"median update+selection: glimpse {fast * 1e3:.3f} ms, questplus {slow * 1e3:.2f} ms, "
          f"ratio {slow / fast:.0f}x (questplus total {reference_seconds:.0f} s)")
    same = sum(np.allclose(a[2], b[2], rtol=1e-9) for a, b in zip(ours, theirs, strict=True))
    print(f"identical {max(CHECKPOINTS)}-trial stimulus sequences: {same}/{len(ours)} players")


if __name__ == "__main__":
    main()

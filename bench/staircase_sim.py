"""Simulated players, drill by drill, through the tracking procedure, today's and the ``questplus`` reference.

Each simulated player plays 20-trial drills as the server runs them (``game.drills``): a balanced
emotion plan, each trial's exposure chosen by that emotion's procedure from whole 60 Hz frames,
the answer fed to the emotion's and the overall procedure, a new session at each drill start.
Every emotion shares the player's psychometric function (7AFC log-Weibull, lapse 2%), whose 75%
threshold may change from drill to drill:

- steady: never changes (threshold log-uniform 1-30 frames, slope log-uniform 1.2-5);
- halving: x1, x0.71, x0.5 over drills 1-3, then steady (the issue's learners);
- learners: 30-50% better, reached in equal log steps over 2-4 drills;
- rusty: 3 daily drills, 3 weeks away, 40% worse on return.

Three procedures see the same players and the same random numbers: ``tracking`` (game.staircase's
default drift model), ``today`` (the same code with ``STEADY``: every trial weighs the same forever,
the procedure before tracking) and ``questplus`` (``questplus.QuestPlus`` on the same grid and prior,
static like today's; slow, so it plays the first ``--reference-players`` of each population).

Printed per drill, for the overall estimate at the drill's end against that drill's true threshold:
``est`` median estimate/truth - 1, ``|err|~`` median |log10 error|, ``cover`` share of 68% intervals
holding the truth, ``served`` median over players of the drill's median served exposure / truth - 1.

The last line is the mean over every population's drills of the tracking procedure's figures: what two trees
compare by (``--root DIR`` runs another tree's ``game/``, e.g. from ``git archive REV | tar -x -C DIR``).

Run: ``.venv/bin/python bench/staircase_sim.py [--players 200] [--reference-players 24] [--seed 1] [--root DIR]``
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv[:-1]  # before game is imported
                else str(Path(__file__).resolve().parent.parent))

from observer import CRITERION, p_correct  # bench/observer.py: the same observer as the load benches

from game.emotions import EMOTION_KEYS
from game.rounds import TRIALS_PER_DRILL, exposure_candidates, plan_emotions
from game.staircase import (
    AXES,
    GUESS,
    LAPSE_PRIOR,
    LAPSES,
    SLOPE_PRIOR_MEDIAN,
    SLOPE_PRIOR_SD_LN,
    SLOPES,
    STEADY,
    TRACKING,
    Staircase,
    _grid,
)

LAPSE = 0.02
PERIOD_MS = 1000 / 60
DAY_S = 86_400.0
OVERALL = "all"


@dataclass
class Player:
    """A simulated player: a 7AFC log-Weibull whose 75% threshold is known at every drill."""

    log_thresholds: list[float]  # one per drill
    days: list[float]  # when each drill starts, in days
    slope: float
    uniforms: np.ndarray  # one per trial, shared by every procedure
    seed: int

    def p_correct(self, drill: int, stimulus: float) -> float:
        return p_correct(self.log_thresholds[drill], self.slope, LAPSE, stimulus)


@dataclass
class Population:
    name: str
    description: str
    make: Callable[[np.random.Generator], tuple[float, list[float], list[float]]]  # -> base, factors, days


def _daily(drills: int) -> list[float]:
    return [float(d) for d in range(drills)]


POPULATIONS = {
    "steady": Population(
        "steady", "threshold never changes, log-uniform 1-30 frames at 60 Hz",
        lambda rng: (PERIOD_MS * 30 ** rng.uniform(0, 1), [1.0] * 6, _daily(6))),
    "halving": Population(
        "halving", "threshold x1, x0.71, x0.5 over drills 1-3, then steady; 3-20 frames at the start",
        lambda rng: (PERIOD_MS * 3 * (20 / 3) ** rng.uniform(0, 1), [1.0, 0.71, 0.5, 0.5, 0.5, 0.5], _daily(6))),
    "learners": Population(
        "learners", "30-50% better, in equal log steps over 2-4 drills, then steady; 3-20 frames at the start",
        lambda rng: _learner(rng)),
    "rusty": Population(
        "rusty", "3 daily drills, 21 days away, then 40% worse for 3 drills; 2-20 frames",
        lambda rng: (PERIOD_MS * 2 * 10 ** rng.uniform(0, 1), [1.0, 1.0, 1.0, 1.4, 1.4, 1.4],
                     [0.0, 1.0, 2.0, 23.0, 24.0, 25.0])),
}


def _learner(rng: np.random.Generator) -> tuple[float, list[float], list[float]]:
    gain, steps = rng.uniform(0.3, 0.5), int(rng.integers(2, 5))
    factors = [(1 - gain) ** (min(d, steps) / steps) for d in range(8)]
    return PERIOD_MS * 3 * (20 / 3) ** rng.uniform(0, 1), factors, _daily(8)


def make_players(population: Population, count: int, seed: int) -> list[Player]:
    rng = np.random.default_rng([seed, list(POPULATIONS).index(population.name)])
    players = []
    for index in range(count):
        base, factors, days = population.make(rng)
        players.append(Player(
            log_thresholds=[math.log10(base * f) for f in factors],
            days=[d + rng.uniform(0.3, 0.6) for d in days],  # drills at a random hour
            slope=math.exp(rng.uniform(math.log(1.2), math.log(5))),
            uniforms=rng.random(len(factors) * TRIALS_PER_DRILL), seed=seed * 100_003 + index))
    return players


class Reference:
    """questplus.QuestPlus configured as game.staircase's exposure model on the same grid (static)."""

    def __init__(self, candidates: list[float]) -> None:
        import questplus

        grid = _grid(AXES["exposure"])
        alphas = grid.alpha.reshape(-1, len(SLOPES), len(LAPSES))[:, 0, 0]
        axis, slopes = AXES["exposure"], np.array(SLOPES)
        self.qp = questplus.QuestPlus(
            stim_domain={"intensity": np.log10(candidates)},
            param_domain={"threshold": alphas, "slope": slopes, "lower_asymptote": GUESS,
                          "lapse_rate": np.array(LAPSES)},
            outcome_domain={"response": ["Correct", "Incorrect"]},
            prior={"threshold": np.exp(-0.5 * ((alphas - axis.prior_mean) / axis.prior_sd) ** 2),
                   "slope": np.exp(-0.5 * (np.log(slopes / SLOPE_PRIOR_MEDIAN) / SLOPE_PRIOR_SD_LN) ** 2),
                   "lower_asymptote": np.array([1.0]), "lapse_rate": np.array(LAPSE_PRIOR)},
            func="weibull", stim_scale="log10",
        )
        t, s, lapse = np.meshgrid(alphas, SLOPES, LAPSES, indexing="ij")
        self.log_x75 = t + np.log10(-np.log1p(-(CRITERION - GUESS) / (1 - GUESS - lapse))) / s

    def begin_session(self, at: float) -> None:
        """Static: sessions do not exist for it."""

    def anchor(self, log_value: float) -> None:
        """Static: each procedure stands alone."""

    def next_stimulus(self, candidates: list[float]) -> float:
        return 10 ** float(self.qp.next_stim["intensity"])

    def update(self, stimulus: float, correct: bool) -> None:
        self.qp.update(stim={"intensity": math.log10(stimulus)},
                       outcome={"response": "Correct" if correct else "Incorrect"})

    def log_estimate(self) -> tuple[float, float, float]:
        post = self.qp.posterior.values[:, :, 0, :].ravel()
        values = self.log_x75.ravel()
        order = np.argsort(values, kind="stable")
        cumulative = np.cumsum(post[order])
        low, high = values[order][np.minimum(np.searchsorted(cumulative, [0.16, 0.84]), len(order) - 1)]
        return float(post @ values), float(low), float(high)


def _log_estimate(procedure: Staircase | Reference) -> tuple[float, float, float]:
    if isinstance(procedure, Reference):
        return procedure.log_estimate()
    estimate = procedure.threshold(CRITERION)
    return math.log10(estimate.value), math.log10(estimate.low), math.log10(estimate.high)


@dataclass
class DrillOutcome:
    error: float  # log10 estimate - log10 truth, overall procedure at the drill's end
    covered: bool
    served: float  # log10 median served exposure in the drill - log10 truth
    emotion_errors: list[float] = field(default_factory=list)


def play(player: Player, make_procedure: Callable[[], Staircase | Reference]) -> list[DrillOutcome]:
    """Play every drill of one player as game.drills does; one outcome per drill."""
    candidates = exposure_candidates(PERIOD_MS)
    procedures = {key: make_procedure() for key in (OVERALL, *EMOTION_KEYS)}
    plan_rng = random.Random(player.seed)
    outcomes, trial = [], 0
    for drill, day in enumerate(player.days):
        for procedure in procedures.values():
            procedure.begin_session(day * DAY_S)
        served = []
        for emotion in plan_emotions(plan_rng, TRIALS_PER_DRILL):
            procedures[emotion].anchor(_log_estimate(procedures[OVERALL])[0])
            stimulus = procedures[emotion].next_stimulus(candidates)
            correct = bool(player.uniforms[trial] < player.p_correct(drill, stimulus))
            trial += 1
            served.append(math.log10(stimulus))
            procedures[emotion].update(stimulus, correct)
            procedures[OVERALL].update(stimulus, correct)
            procedures[emotion].anchor(_log_estimate(procedures[OVERALL])[0])
        truth = player.log_thresholds[drill]
        value, low, high = _log_estimate(procedures[OVERALL])
        outcomes.append(DrillOutcome(value - truth, low <= truth <= high, float(np.median(served)) - truth,
                                     [_log_estimate(procedures[e])[0] - truth for e in EMOTION_KEYS]))
    return outcomes


PROCEDURES: dict[str, Callable[[], Staircase | Reference]] = {
    "tracking": lambda: Staircase("exposure", TRACKING),
    "today": lambda: Staircase("exposure", STEADY),
    "questplus": lambda: Reference(exposure_candidates(PERIOD_MS)),
}


@dataclass
class DrillFigures:
    est: float  # median estimate / truth - 1
    abs_error: float  # median |log10 error|
    p90: float  # 90th percentile |log10 error|
    cover: float
    served: float  # median served / truth - 1
    emotion_abs_error: float


def figures(runs: list[list[DrillOutcome]]) -> list[DrillFigures]:
    """Per drill, the population's figures."""
    result = []
    for drill in range(len(runs[0])):
        errors = np.array([run[drill].error for run in runs])
        result.append(DrillFigures(
            est=10 ** float(np.median(errors)) - 1, abs_error=float(np.median(np.abs(errors))),
            p90=float(np.quantile(np.abs(errors), 0.9)), cover=float(np.mean([run[drill].covered for run in runs])),
            served=10 ** float(np.median([run[drill].served for run in runs])) - 1,
            emotion_abs_error=float(np.median(np.abs([run[drill].emotion_errors for run in runs])))))
    return result


def simulate(population: str, players: int, seed: int, procedures: tuple[str, ...] = ("tracking", "today"),
             reference_players: int = 0) -> dict[str, list[DrillFigures]]:
    """Figures per procedure for one population (the reference on its first ``reference_players``)."""
    simulated = make_players(POPULATIONS[population], players, seed)
    result = {name: figures([play(p, PROCEDURES[name]) for p in simulated]) for name in procedures}
    if reference_players:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # xarray/questplus chatter is not ours to fix
            result["questplus"] = figures([play(p, PROCEDURES["questplus"]) for p in simulated[:reference_players]])
    return result


def _cell(f: DrillFigures) -> str:
    return f"{100 * f.est:+5.0f}% {f.abs_error:6.3f} {100 * f.cover:4.0f}% {100 * f.served:+5.0f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--reference-players", type=int, default=24, help="players the slow questplus plays")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default=sys.path[0], help="the tree whose game/ runs")
    args = parser.parse_args()
    print(f"game/ from {Path(sys.modules['game'].__file__).parent.parent}")
    print(f"7AFC log-Weibull QUEST+ (lapse {LAPSE:.0%}), 20-trial drills at 60 Hz, seed {args.seed}; tracking = "
          f"drift models sd {TRACKING.session_sds} mean {TRACKING.session_means} log10/session (power law "
          f"{TRACKING.power_law}), prior {TRACKING.prior}, +{TRACKING.break_sd_per_week} sd per week away, emotions "
          f"anchored to the overall: {TRACKING.follows_anchor}")
    print("per drill, overall estimate at the drill's end vs that drill's truth: est = median estimate/truth - 1, "
          "|err|~ = median |log10 error|, cover = 68% interval holds the truth, served = median exposure/truth - 1")
    header = f"{'est':>6} {'|err|~':>6} {'cover':>5} {'served':>6}"
    rows: list[DrillFigures] = []
    for name, population in POPULATIONS.items():
        started = time.perf_counter()
        result = simulate(name, args.players, args.seed, reference_players=args.reference_players)
        seconds = time.perf_counter() - started
        print(f"\n== {name}: {population.description} ({args.players} players; questplus "
              f"{args.reference_players}; {seconds:.0f} s)")
        print(f"{'drill':>5} {'trials':>6} | {'tracking':^27} | {'today':^27} | {'questplus':^27} "
              f"| emotion |err|~ tracking/today")
        print(f"{'':>5} {'':>6} | {header} | {header} | {header} |")
        rows += result["tracking"]
        references = result.get("questplus") or [None] * len(result["today"])
        for drill, (mine, today, ref) in enumerate(zip(result["tracking"], result["today"], references, strict=True)):
            reference = _cell(ref) if ref else f"{'-':^27}"
            print(f"{drill + 1:>5} {20 * (drill + 1):>6} | {_cell(mine)} | {_cell(today)} | {reference} | "
                  f"{mine.emotion_abs_error:.3f}/{today.emotion_abs_error:.3f}")
        if name == "steady":
            at_60 = result["tracking"][2], result["today"][2]
            print(f"steady at 60 trials: median |err| tracking {at_60[0].abs_error:.3f} (p90 {at_60[0].p90:.3f}) "
                  f"vs today {at_60[1].abs_error:.3f} (p90 {at_60[1].p90:.3f}) log10")
        if name == "halving":
            worst = max(abs(f.est) for f in result["tracking"][1:])
            print(f"halving, drills 2-6: worst median estimate/truth {100 * worst:.0f}% off for tracking "
                  f"(goal <= 15%), {100 * max(abs(f.est) for f in result['today'][1:]):.0f}% for today")
    mean = {key: float(np.mean([abs(getattr(f, key)) for f in rows]))
            for key in ("abs_error", "cover", "served", "emotion_abs_error")}
    print(f"\ntracking, mean of the {len(rows)} drills: |err|~ {mean['abs_error']:.4f}, "
          f"cover {100 * mean['cover']:.1f}%, |served| {100 * mean['served']:.1f}%, "
          f"emotions' |err|~ {mean['emotion_abs_error']:.4f}")


if __name__ == "__main__":
    main()

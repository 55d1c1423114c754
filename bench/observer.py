"""Simulated people: a 7-choice log-Weibull observer, and bench players who answer the trial they were shown with it.

The psychometric function is bench/staircase_sim.py's (and its neighbours'): right with probability
guess + (1 - guess - lapse) x Weibull, the Weibull reaching the 75%-correct point at the observer's threshold.
An :class:`Observer` reads the emotion and how strongly the face moved from the ``trial`` message's pose (a person
sees the face; the message names no emotion) and its exposure from ``exposureFrames``; its stimulus is exposure x
intensity in ms (as the scenes' leak axis counts it), so speed mode (intensity 1) and subtle mode (200 ms, fainter
faces) both land near its threshold. bench/load.py and bench/answer_path.py play with it (``--answers observer``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

GUESS = 1 / 7  # seven emotions to choose from (game.staircase.GUESS)
CRITERION = 0.75  # the threshold is the stimulus an observer gets right 3 times in 4


def p_correct(log_threshold: float, slope: float, lapse: float, stimulus: float) -> float:
    """How often a 7AFC log-Weibull observer is right at ``stimulus`` (log10 units for its 75% threshold)."""
    weibull_at_75 = (CRITERION - GUESS) / (1 - GUESS - lapse)
    alpha = log_threshold - math.log10(-math.log1p(-weibull_at_75)) / slope
    weibull = -math.expm1(-(10 ** (slope * (math.log10(stimulus) - alpha))))
    return GUESS + (1 - GUESS - lapse) * weibull


@cache
def _variants() -> dict[frozenset[str], list[tuple[str, dict[str, float]]]]:
    """Each set of moving action units a pose can show -> the (emotion, unit levels at intensity 1) showing it.
    Every set belongs to one emotion (two emotions never move the same units)."""
    from game.emotions import EMOTIONS

    table: dict[frozenset[str], list[tuple[str, dict[str, float]]]] = {}
    for key, emotion in EMOTIONS.items():
        for variant in emotion.variants:
            levels = {str(unit): level for unit, level in variant.units.items()}
            table.setdefault(frozenset(levels), []).append((key, levels))
    return table


def shown(trial: dict) -> tuple[str, float]:
    """The emotion a ``trial`` message's face shows and how strongly (1: full): the best least-squares scale of the
    variant's levels to the pose's, as the per-trial nudge left them (a few % off at full intensity, more on the
    faintest faces)."""
    units = {unit: max(sides) for unit, sides in trial["expression"]["au"].items()}
    best = (math.inf, "", 1.0)
    for emotion, levels in _variants()[frozenset(units)]:
        scale = sum(units[u] * level for u, level in levels.items()) / sum(level * level for level in levels.values())
        best = min(best, (sum((units[u] - scale * level) ** 2 for u, level in levels.items()), emotion, scale))
    return best[1], best[2]


@dataclass(frozen=True)
class Observer:
    """A person in a drill: right near their threshold as QUEST+ keeps them, with lapses, never better than the
    best person fair play allows (30 ms, game.plausibility.HUMAN_BEST)."""

    log_threshold_ms: float  # log10 of the exposure (x intensity) they get right 75% of the time
    slope: float
    lapse: float
    rng: random.Random  # their answers' draws, apart from the bench's pacing

    @classmethod
    def draw(cls, rng: random.Random) -> Observer:
        """One of a spread of players: thresholds log-uniform 30-400 ms, slopes 1.2-5, lapses 0-5% (as
        bench/fairplay.py's honest players)."""
        log_threshold_ms = math.log10(30.0) + rng.random() * math.log10(400 / 30)
        slope = math.exp(rng.uniform(math.log(1.2), math.log(5)))
        return cls(log_threshold_ms, slope, rng.uniform(0, 0.05), random.Random(rng.random()))

    def answer(self, trial: dict, refresh_ms: float) -> str:
        """The emotion this observer names after ``trial``'s flash: the one shown, or one of the six others."""
        from game.emotions import EMOTION_KEYS

        emotion, intensity = shown(trial)
        stimulus = trial["exposureFrames"] * refresh_ms * intensity
        if self.rng.random() < p_correct(self.log_threshold_ms, self.slope, self.lapse, stimulus):
            return emotion
        return self.rng.choice([key for key in EMOTION_KEYS if key != emotion])


def fair_play(database: str) -> tuple[int, str]:
    """What fair play made of a run's players, from its database: how many it held, and a line saying so with how
    many players' results wait off the public boards and why (a wait is no hold: game.plausibility.waits)."""
    import json
    import sqlite3

    from game import plausibility

    conn = sqlite3.connect(database)
    rows = conn.execute("SELECT status, score, state FROM fairplay").fetchall()
    conn.close()
    states = [plausibility.State.from_json(json.loads(state)) for *_, state in rows]
    held = sum(status == "held" for status, *_ in rows)
    return held, (f"fair play: {held} of {len(rows)} players held, {sum(map(plausibility.waits, states))} waiting "
                  f"({sum(map(plausibility.in_doubt, states))} in doubt, "
                  f"{sum(not plausibility.vetted(state) for state in states)} not vetted); highest score "
                  f"{max((score for _, score, _ in rows), default=0.0):.2f} (1 holds)")

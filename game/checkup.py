"""The checkup: a short standard test of recognition, the same for everyone, on faces never used in training.

Research on micro-expression training measures progress with a fixed pretest and posttest (same
exposures, faces not seen in training) rather than with the adaptive procedure, whose exposures
follow the player. The checkup is that test: 28 trials, each emotion 4 times, twice at 2 and
twice at 6 frames of a 60 Hz display (33 and 100 ms; other displays show the whole number of
their own frames closest to those milliseconds). Its items (order, faces, poses, timing) come
from a fixed seed, so everyone on the same display rate sees the same test, every time.

Faces: identity seeds are 32-bit; seeds with the top bit set are reserved for checkups.
Training (``rounds.plan_trial``, the offline practice, Learn) clears that bit when it draws a
seed, so no training face can ever be a checkup face.

Pure: no Flask, no I/O.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import msgspec

from game import rounds
from game.emotions import EMOTION_KEYS

FORM = 1  # which item set; bump if the items ever change, and compare scores within a form only
EXPOSURES_MS = (2000 / 60, 6000 / 60)  # 2 and 6 frames at 60 Hz
REPEATS = 2  # per emotion and exposure: 4 trials per emotion, 28 in all
INTERVAL_S = 7 * 86_400.0  # at most one checkup a week
CHECKUP_IDENTITY_BIT = rounds.CHECKUP_IDENTITY_BIT
CHANCE = 1 / len(EMOTION_KEYS)


def is_checkup_identity(seed: int) -> bool:
    """Whether an identity seed belongs to the pool reserved for checkups."""
    return 0 <= seed < 1 << 32 and bool(seed & CHECKUP_IDENTITY_BIT)


@dataclass(frozen=True)
class Item:
    """One checkup trial, before it is fitted to a display."""

    position: int  # 1-based
    emotion: str
    exposure_ms: float
    identity_seed: int


def items(form: int = FORM) -> tuple[Item, ...]:
    """The checkup's trials in order: every emotion at every exposure ``REPEATS`` times, each on its own face.

    :param form: the item set
    """
    rng = random.Random(f"glimpse-checkup-{form}")
    cells = [(emotion, ms) for emotion in EMOTION_KEYS for ms in EXPOSURES_MS for _ in range(REPEATS)]
    rng.shuffle(cells)
    faces: list[int] = []
    while len(faces) < len(cells):
        seed = CHECKUP_IDENTITY_BIT | rng.getrandbits(31)
        if seed not in faces:
            faces.append(seed)
    return tuple(Item(i + 1, emotion, ms, face) for i, ((emotion, ms), face) in enumerate(zip(cells, faces,
                                                                                             strict=True)))


def plan(position: int, period_ms: float, form: int = FORM) -> rounds.TrialPlan:
    """What the browser draws for the checkup's trial at ``position`` on a display of ``period_ms``.

    Identical for every player on that display rate, and for a replay of a voided flash.

    :param position: 1-based trial position
    :param period_ms: the display's nominal frame period
    :param form: the item set
    """
    item = items(form)[position - 1]
    trial = rounds.plan_trial(random.Random(f"glimpse-checkup-{form}-{position}"), item.emotion, period_ms,
                              exposure_ms=item.exposure_ms, intensity=1.0)
    return msgspec.structs.replace(trial, identity_seed=item.identity_seed)


@dataclass(frozen=True)
class Due:
    """Whether the player may take a checkup now, and if not, when."""

    due: bool
    reason: str  # "first" (find your starting point), "weekly", "play_first", "wait"
    next_at: float | None  # when the next one opens, if waiting


def due(completed_drills: int, last_checkup_at: float | None, now: float) -> Due:
    """The rule: after a first drill, then at most once a week (counted from the last completed checkup's start).

    :param completed_drills: training drills the player has completed (checkups excluded)
    :param last_checkup_at: start time of the player's last completed checkup, if any
    :param now: the server's clock
    """
    if last_checkup_at is None:
        return Due(True, "first", None) if completed_drills else Due(False, "play_first", None)
    opens = last_checkup_at + INTERVAL_S
    return Due(True, "weekly", None) if now >= opens else Due(False, "wait", opens)


@dataclass(frozen=True)
class Score:
    """Right answers out of trials, with a 68% interval for the underlying rate (Jeffreys, 0-1)."""

    correct: int
    shown: int

    @property
    def rate(self) -> float:
        return self.correct / self.shown if self.shown else 0.0

    def interval(self) -> tuple[float, float]:
        """Central 68% interval of the Beta(k + 1/2, n - k + 1/2) posterior (normal approximation on the logit
        scale is too crude at n = 4, so the quantiles come from a fine grid)."""
        return beta_interval(self.correct + 0.5, self.shown - self.correct + 0.5)


def beta_interval(a: float, b: float, mass: float = 0.68) -> tuple[float, float]:
    """Central credible interval of Beta(a, b), computed on a 2,001-point grid (ample for whole percents)."""
    grid = [(i + 0.5) / 2001 for i in range(2001)]
    log_density = [(a - 1) * math.log(x) + (b - 1) * math.log1p(-x) for x in grid]
    top = max(log_density)
    weights = [math.exp(d - top) for d in log_density]
    total = sum(weights)
    low_tail, high_tail = (1 - mass) / 2 * total, (1 + mass) / 2 * total
    running, low, high = 0.0, grid[0], grid[-1]
    for x, w in zip(grid, weights, strict=True):
        previous = running
        running += w
        if previous < low_tail <= running:
            low = x
        if previous < high_tail <= running:
            high = x
            break
    return low, high


def score(answers: list[tuple[str, float, bool]]) -> dict:
    """A checkup's result from its scored answers ``(emotion, exposure_ms, correct)``: overall, per emotion and
    per exposure, as JSON-ready ``{"correct", "shown", "low", "high"}`` (rates 0-1).

    :param answers: one entry per scored trial
    """
    def cell(rows: list[tuple[str, float, bool]]) -> dict:
        result = Score(sum(correct for _, _, correct in rows), len(rows))
        low, high = result.interval()
        return {"correct": result.correct, "shown": result.shown, "low": round(low, 4), "high": round(high, 4)}

    short = min(EXPOSURES_MS)
    return {
        "overall": cell(answers),
        "emotions": {e: cell([a for a in answers if a[0] == e]) for e in EMOTION_KEYS},
        "exposures": {"short": cell([a for a in answers if a[1] <= short * 1.5]),
                      "long": cell([a for a in answers if a[1] > short * 1.5])},
    }


def change(first: dict, latest: dict) -> dict:
    """Change in percentage points from one score cell to another, with a 68% interval and a verdict.

    The verdict says "better" or "worse" only when the interval of the difference leaves out zero;
    otherwise "same" (too few trials to tell a change from luck).

    :param first: a cell of :func:`score` (the first checkup)
    :param latest: the same cell of a later checkup
    """
    points = 100 * (latest["correct"] / latest["shown"] - first["correct"] / first["shown"])
    # Posterior sd of each rate (Jeffreys prior), combined: the two checkups are independent.
    spread = 100 * math.sqrt(sum(_beta_var(c["correct"] + 0.5, c["shown"] - c["correct"] + 0.5) for c in (first,
                                                                                                         latest)))
    low, high = points - spread, points + spread
    verdict = "better" if low > 0 else "worse" if high < 0 else "same"
    return {"points": round(points), "low": round(low), "high": round(high), "verdict": verdict}


def _beta_var(a: float, b: float) -> float:
    return a * b / ((a + b) ** 2 * (a + b + 1))


def result_message(result: dict) -> dict:
    """A checkup answer's reply: progress only. A test gives no feedback, so it never names the emotion or says
    whether the answer was right (nor does a voided flash, which comes back as the same item).

    :param result: the drill's usual `result` message
    """
    kept = ("type", "trialId", "answer", "scored", "flag", "replay", "answered", "total", "done")
    return {**{key: result[key] for key in kept}, "checkup": True}


def summary_message(drill_id: str, result: dict) -> dict:
    """The `summary` that ends a checkup: its score overall, per emotion and per exposure.

    :param drill_id: the checkup's drill id
    :param result: :func:`score`'s result
    """
    overall = result["overall"]
    return {"type": "summary", "drillId": drill_id, "mode": "checkup", "shown": overall["shown"],
            "correct": overall["correct"], "accuracy": overall["correct"] / overall["shown"] if overall["shown"] else 0,
            "checkup": result}


def progress(history: list[dict], names: dict[str, str]) -> dict:
    """What a player's checkups say: change since the first per emotion and overall, and one plain sentence.

    Only checkups of the first one's form are compared. Honest when there is too little to say.

    :param history: the player's checkups, oldest first, each with ``score`` (see :func:`score`)
    :param names: emotion key -> its name for people
    """
    if not history:
        return {"changes": None, "overall": None, "sentence": "Take a checkup to measure where you start: 28 quick "
                "faces, the same test for everyone, no feedback until the end."}
    first = history[0]
    comparable = [c for c in history if c["form"] == first["form"]]
    if len(comparable) < 2:
        overall = first["score"]["overall"]
        return {"changes": None, "overall": None, "sentence": (
            f"Your starting point: {overall['correct']} of {overall['shown']} right. Practise for a week, then take "
            "the next checkup to see what changed.")}
    latest = comparable[-1]
    changes = {key: change(first["score"]["emotions"][key], latest["score"]["emotions"][key])
               for key in first["score"]["emotions"] if first["score"]["emotions"][key]["shown"]
               and latest["score"]["emotions"][key]["shown"]}
    overall = change(first["score"]["overall"], latest["score"]["overall"])
    better = sorted(((c["points"], key) for key, c in changes.items() if c["verdict"] == "better"), reverse=True)
    if better:
        points, key = better[0]
        sentence = f"You recognise {names[key].lower()} {points} points better than on day one."
        if overall["verdict"] == "better":
            sentence += f" Over all seven emotions: {overall['points']:+d} points."
    elif overall["verdict"] == "better":
        sentence = f"You recognise emotions {overall['points']} points better than on day one, over all seven."
    elif overall["verdict"] == "worse":
        sentence = (f"You scored {-overall['points']} points lower than on day one. A break or a tired day can do "
                    "that; practice brings it back.")
    else:
        sentence = (f"No change yet that luck could not explain ({overall['points']:+d} points overall): a 28-face "
                    "checkup only shows clear changes. Keep practising.")
    return {"changes": changes, "overall": overall, "sentence": sentence}

"""What a drill shows, trial by trial, and how an answer is judged. Pure; no I/O.

A drill's emotion order is fixed at its start; each trial's face and timing come
from the generator it is planned with: a live drill's secret stream (game.drills),
or one seeded by a seed, position and attempt (``trial_rng``: a challenge, which
every player sees alike; a replayed trial's attempt gives it a new face).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import msgspec

from game.emotions import EMOTION_KEYS, EMOTIONS, NEUTRAL_POSE, pick_variant, scaled_variants, variant_pose
from game.identities import Traits, draw_traits
from game.protocol import REFRESH_MS_RANGE
from game.variants import variant_number

TRIALS_PER_DRILL = 20
LONGEST_EXPOSURE_MS = 500.0
SUBTLE_EXPOSURE_MS = 200.0  # the fixed exposure of subtle mode, which adapts intensity instead
SUBTLE_INTENSITIES = tuple(round(0.04 * 25 ** (k / 23), 3) for k in range(24))  # 0.04 .. 1, log-spaced
FOREPERIOD_MS = (500.0, 1500.0)
MASK_MS = 500.0
REFRESH_TOLERANCE = 0.1  # a display whose rate moved more than this mid-trial voids the trial
ANSWER_ALLOWANCE_MS = 100.0  # network and frame-phase slack on "no answer before the flash and mask are over"
RANKED_EXPOSURE_FLOOR_MS = 1000 / 60  # boards count no flash as shorter than one 60 Hz frame
POSE_JITTER = (0.08, 0.015)  # each action unit x (1 +- 8%) +- 0.015: invisible, but no two poses alike
CHECKUP_IDENTITY_BIT = 1 << 31  # identity seeds with this bit set are reserved for checkups (game.checkup)
COMMON_RATES_HZ = (24, 30, 48, 50, 60, 72, 75, 90, 100, 120, 144, 165, 180, 240)


class TrialPlan(msgspec.Struct, frozen=True, gc=False):
    """Immutable (``msgspec.structs.replace`` makes a changed copy): a frozen dataclass's ``__init__`` set each of its
    ten fields through ``object.__setattr__``, ~1.2 us of every trial (a Struct: ~0.1)."""

    emotion: str
    identity_seed: int
    intensity: float
    exposure_frames: int
    wanted_ms: float  # before rounding to whole frames
    foreperiod_frames: int
    mask_frames: int
    pose: dict
    traits: Traits  # the face's skin type, glasses and facial hair, chosen here; the seed draws the rest
    variant: int | None  # which of the emotion's variants the pose shows (1-based)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    scored: bool
    flag: str | None  # why the trial does not count: "stall", "frames", "refresh"


def rules() -> dict:
    """The drill rules the browser's offline practice follows, as JSON (one source with the server's)."""
    return {"trialsPerDrill": TRIALS_PER_DRILL, "longestExposureMs": LONGEST_EXPOSURE_MS,
            "subtleExposureMs": SUBTLE_EXPOSURE_MS, "foreperiodMs": list(FOREPERIOD_MS), "maskMs": MASK_MS,
            "refreshTolerance": REFRESH_TOLERANCE, "displayRatesHz": list(COMMON_RATES_HZ),
            "refreshMsRange": list(REFRESH_MS_RANGE)}


def plan_emotions(rng: random.Random, count: int, weights: Mapping[str, float] | None = None) -> list[str]:
    """The emotions of a drill, in order: balanced, or leaning toward heavier weights.

    Every emotion appears; with no weights the counts differ by at most one.
    With weights (focus mode), the remaining slots go to emotions in proportion
    to their weight, by largest remainder.
    """
    keys = list(EMOTION_KEYS)
    if weights is None:
        weights = dict.fromkeys(keys, 1.0)
    counts = dict.fromkeys(keys, 1)
    spare = count - len(keys)
    total = sum(max(weights.get(k, 0.0), 0.0) for k in keys) or 1.0
    shares = {k: spare * max(weights.get(k, 0.0), 0.0) / total for k in keys}
    for k in keys:
        counts[k] += math.floor(shares[k])
    leftover = count - sum(counts.values())
    by_remainder = sorted(keys, key=lambda k: (shares[k] - math.floor(shares[k]), rng.random()), reverse=True)
    for k in by_remainder[:leftover]:
        counts[k] += 1
    order = [k for k in keys for _ in range(counts[k])]
    rng.shuffle(order)
    return order


def frames_for(ms: float, period_ms: float) -> int:
    """Whole display frames closest to a duration; never fewer than one."""
    return max(1, round(ms / period_ms))


def nominal_period(measured_ms: float) -> float:
    """Snap a measured frame period to the display rate it almost certainly is.

    Displays run at a handful of rates; snapping keeps the exposures (and the
    adaptive procedure's cached tables) identical across devices of one rate.
    """
    for rate in COMMON_RATES_HZ:
        if abs(measured_ms * rate / 1000 - 1) < 0.03:
            return 1000 / rate
    return round(measured_ms, 1)


@lru_cache(maxsize=64)
def exposure_candidates(period_ms: float) -> tuple[float, ...]:
    """Every exposure this display can show: one frame up to about 500 ms (one tuple per rate: the adaptive
    procedure knows a tuple it has seen and skips checking it, see game.staircase)."""
    return tuple(k * period_ms for k in range(1, frames_for(LONGEST_EXPOSURE_MS, period_ms) + 1))


def trial_rng(drill_seed: int, position: int, attempt: int) -> random.Random:
    return random.Random(f"{drill_seed}:{position}:{attempt}")


def plan_trial(
    rng: random.Random, emotion: str, period_ms: float, *, exposure_ms: float, intensity: float,
    jitter: random.Random | None = None,
) -> TrialPlan:
    """Everything the browser needs to show one trial, rounded to the display's frames.

    :param exposure_ms: the exposure the adaptive procedure wants
    :param intensity: 0-1, how strongly the face moves
    :param jitter: if given, the pose is ``jitter_pose``'d with it (its variant is the pose's before the nudge)
    """
    identity_seed = rng.getrandbits(32)
    earliest, latest = FOREPERIOD_MS
    foreperiod_ms = earliest + (latest - earliest) * rng.random()  # rng.uniform(*FOREPERIOD_MS), as it draws
    index, left = pick_variant(emotion, intensity, rng)
    return TrialPlan(
        emotion=emotion,
        identity_seed=identity_seed & (CHECKUP_IDENTITY_BIT - 1),  # never a checkup face
        intensity=intensity,
        exposure_frames=frames_for(exposure_ms, period_ms),
        wanted_ms=exposure_ms,
        foreperiod_frames=frames_for(foreperiod_ms, period_ms),
        mask_frames=math.ceil(MASK_MS / period_ms),
        pose=(variant_pose(emotion, intensity, index, left) if jitter is None
              else _jittered_variant(scaled_variants(emotion, intensity)[index], left, jitter)),
        traits=draw_traits(rng),  # drawn last: existing seeds keep their faces and timings
        variant=_variant_numbers(emotion, intensity)[index],
    )


@lru_cache(maxsize=1024)
def _variant_numbers(emotion: str, intensity: float) -> tuple[int | None, ...]:
    """``variant_number`` of the pose each of the emotion's variants gives at an intensity (the side a one-sided
    variant shows does not change it): every trial asks."""
    return tuple(variant_number(emotion, intensity, variant_pose(emotion, intensity, index))
                 for index in range(len(EMOTIONS[emotion].variants)))


def jitter_pose(shown: dict, rng: random.Random) -> dict:
    """The same expression with every moving unit nudged a little, so no table of exact poses names it.

    Units at rest stay at rest (a one-sided expression keeps its side); the nudge is far below
    what changes how the face reads. ``rng`` is seeded by a secret per drill, never sent.
    """
    scale, shift = POSE_JITTER
    draw = rng.random  # rng.uniform(-a, a) is -a + 2a * random(), inlined: this runs for every trial
    # One nudge per unit, the same on both sides: jitter never makes a face lopsided (a contempt cue). Written out
    # (no helper per unit): the gaze and pitch are nudged first, then each unit in order, as the draws always were.
    factor, offset = 1 + (-scale + (scale + scale) * draw()), -shift + (shift + shift) * draw()
    gaze, pitch = [level if level <= 0 else round(min(1.0, max(0.01, level * factor + offset)), 4)
                   for level in (shown["gaze"][1], shown["head"]["pitch"])]
    units = {}
    for unit, (left, right) in shown["au"].items():  # a unit's levels: one per side (game.emotions.SIDES)
        factor, offset = 1 + (-scale + (scale + scale) * draw()), -shift + (shift + shift) * draw()
        nudged = left if left <= 0 else round(min(1.0, max(0.01, left * factor + offset)), 4)
        if right == left > 0:  # both sides alike (most units): nudged alike
            units[unit] = [nudged, nudged]
        else:
            units[unit] = [nudged, right if right <= 0 else round(min(1.0, max(0.01, right * factor + offset)), 4)]
    return {"au": units, "gaze": [shown["gaze"][0], gaze], "head": {"pitch": pitch, "roll": shown["head"]["roll"]}}


# jitter_pose's -scale, scale + scale, -shift and shift + shift: the same doubles, not worked out for every unit
_JITTER_TERMS = (-POSE_JITTER[0], POSE_JITTER[0] + POSE_JITTER[0], -POSE_JITTER[1], POSE_JITTER[1] + POSE_JITTER[1])


def _jittered_variant(variant: tuple, left: bool, rng: random.Random) -> dict:
    """``jitter_pose(variant_pose(...), rng)`` of one of ``scaled_variants``, made in one pass: the same draws in the
    same order (gaze and pitch, then each unit), the same rounding, the same pose, without the pose in between."""
    one_sided, units, gaze_down, head_down = variant
    low, span, low_offset, span_offset = _JITTER_TERMS
    draw = rng.random
    # round(min(1.0, max(0.01, x)), 4) with the clamp as comparisons: the same value, ~0.15 µs less a unit.
    factor, offset = 1 + (low + span * draw()), low_offset + span_offset * draw()
    if gaze_down > 0:
        x = gaze_down * factor + offset
        gaze_down = round(0.01 if x <= 0.01 else x if x < 1.0 else 1.0, 4)
    if head_down > 0:
        x = head_down * factor + offset
        head_down = round(0.01 if x <= 0.01 else x if x < 1.0 else 1.0, 4)
    nudged_units = {}
    for unit, level in units:
        factor, offset = 1 + (low + span * draw()), low_offset + span_offset * draw()
        if level > 0:
            x = level * factor + offset
            x = 0.01 if x <= 0.01 else x if x < 1.0 else 1.0
            # round(x, 4) in half the time: k / 10^4 is the double round() gives for the k it picks, and int(y)
            # is that k unless x * 10^4 is within 10^-9 of a tie (then round() decides).
            y = x * 10000.0 + 0.5
            k = int(y)
            level = k / 10000.0 if 1e-9 < y - k < 0.999999999 else round(x, 4)
        nudged_units[unit] = [level, level] if not one_sided else [level, 0.0] if left else [0.0, level]
    return {"au": nudged_units, "gaze": [0.0, gaze_down], "head": {"pitch": head_down, "roll": 0.0}}


def display_ms(plan: TrialPlan, period_ms: float) -> float:
    """How long the browser needs to show a trial: foreperiod, flash and mask. No answer can come sooner."""
    return (plan.foreperiod_frames + plan.exposure_frames + plan.mask_frames) * period_ms


def earliest_answer_s(display: float, scale: float = 1.0) -> float:
    """Seconds after sending a trial before its answer may arrive (``scale`` 0 turns the rule off)."""
    return max(0.0, display * scale - ANSWER_ALLOWANCE_MS) / 1000


def replay_plan(order: list[str], position: int, rng: random.Random) -> list[str]:
    """The plan with a fresh emotion at a replayed position, drawn from what is still to come.

    Swapping with a later position keeps the drill's balance, and a voided flash tells nothing
    about the one that replaces it.
    """
    swapped = list(order)
    other = rng.randrange(position - 1, len(order))
    swapped[position - 1], swapped[other] = swapped[other], swapped[position - 1]
    return swapped


def trial_message(trial_id: str, plan: TrialPlan, position: int, total: int) -> dict:
    """The `trial` message: what to draw and for how many frames, never what the answer is named."""
    return {
        "type": "trial",
        "trialId": trial_id,
        "position": position,
        "total": total,
        "identitySeed": plan.identity_seed,
        "identity": plan.traits.message(),
        "neutral": NEUTRAL_POSE,
        "expression": plan.pose,
        "foreperiodFrames": plan.foreperiod_frames,
        "exposureFrames": plan.exposure_frames,
        "maskFrames": plan.mask_frames,
    }


def judge(emotion: str, planned_refresh_ms: float, requested_frames: int, *, answer: str,
          frames_shown: int, refresh_ms: float, stalled: bool) -> Verdict:
    """Score an answer, or void it when the flash was not shown as planned.

    A voided trial is stored but not scored, and the drill replays it with a new face.
    """
    correct = answer == emotion
    if stalled:
        return Verdict(correct, False, "stall")
    if frames_shown != requested_frames:
        return Verdict(correct, False, "frames")
    if abs(refresh_ms - planned_refresh_ms) > REFRESH_TOLERANCE * planned_refresh_ms:
        return Verdict(correct, False, "refresh")
    return Verdict(correct, True, None)

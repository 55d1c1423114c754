"""Trial planning and judging, directly."""

import random
from collections import Counter

import pytest

from game.emotions import EMOTION_KEYS, EMOTIONS, pose
from game.rounds import (
    Verdict,
    exposure_candidates,
    frames_for,
    judge,
    nominal_period,
    plan_emotions,
    plan_trial,
    trial_message,
    trial_rng,
)


def test_a_drill_is_balanced_across_the_seven_emotions() -> None:
    counts = Counter(plan_emotions(random.Random(3), 20))
    assert set(counts) == set(EMOTION_KEYS) and max(counts.values()) - min(counts.values()) <= 1


def test_focus_leans_toward_the_weakest_emotions_but_keeps_every_one() -> None:
    weights = dict.fromkeys(EMOTION_KEYS, 1.0) | {"fear": 6.0, "contempt": 4.0}
    counts = Counter(plan_emotions(random.Random(3), 20, weights))
    assert sum(counts.values()) == 20 and set(counts) == set(EMOTION_KEYS)
    assert counts["fear"] > counts["happiness"] and counts["contempt"] > counts["happiness"]


@pytest.mark.parametrize(("ms", "period", "frames"), [(40, 16.667, 2), (50, 16.667, 3), (1, 16.667, 1),
                                                      (200, 6.944, 29), (500, 33.33, 15)])
def test_durations_round_to_whole_frames(ms: float, period: float, frames: int) -> None:
    assert frames_for(ms, period) == frames


@pytest.mark.parametrize(("measured", "nominal"), [(16.699, 1000 / 60), (16.5, 1000 / 60), (8.31, 1000 / 120),
                                                   (33.1, 1000 / 30), (6.95, 1000 / 144), (12.04, 12.0)])
def test_measured_periods_snap_to_the_display_rate(measured: float, nominal: float) -> None:
    assert nominal_period(measured) == pytest.approx(nominal)


def test_candidates_span_one_frame_to_half_a_second() -> None:
    for period in (4.167, 6.944, 8.333, 11.111, 16.667, 33.333):
        candidates = exposure_candidates(period)
        assert candidates[0] == period and abs(candidates[-1] - 500) <= period / 2


def test_the_same_seed_gives_the_same_trial_and_a_replay_a_new_face() -> None:
    first = plan_trial(trial_rng(7, 3, 0), "fear", 16.667, exposure_ms=50, intensity=1.0)
    assert first == plan_trial(trial_rng(7, 3, 0), "fear", 16.667, exposure_ms=50, intensity=1.0)
    replay = plan_trial(trial_rng(7, 3, 1), "fear", 16.667, exposure_ms=50, intensity=1.0)
    assert replay.identity_seed != first.identity_seed
    assert first.exposure_frames == 3 and 30 <= first.foreperiod_frames <= 90 and first.mask_frames >= 30


def test_the_trial_message_never_names_the_emotion() -> None:
    plan = plan_trial(trial_rng(1, 1, 0), "contempt", 16.667, exposure_ms=100, intensity=1.0)
    message = trial_message("abc", plan, 1, 20)
    assert "contempt" not in repr(message)


def test_contempt_moves_one_side_only_and_intensity_scales_every_unit() -> None:
    full = pose("contempt", 1.0, random.Random(1))
    sides = {tuple(level > 0 for level in levels) for levels in full["au"].values()}
    assert sides in ({(True, False)}, {(False, True)})
    half = pose("sadness", 0.5, random.Random(2))
    variant_levels = [v.units for v in EMOTIONS["sadness"].variants]
    assert any(all(half["au"][str(k)] == [round(lv * 0.5, 3)] * 2 for k, lv in units.items())
               for units in variant_levels)


def test_judging() -> None:
    ok = dict(answer="fear", frames_shown=3, refresh_ms=16.7, stalled=False)
    assert judge("fear", 16.667, 3, **ok) == Verdict(True, True, None)
    assert judge("surprise", 16.667, 3, **ok) == Verdict(False, True, None)
    assert judge("fear", 16.667, 3, **(ok | {"frames_shown": 4})).flag == "frames"
    assert judge("fear", 16.667, 3, **(ok | {"stalled": True})).flag == "stall"
    assert judge("fear", 16.667, 3, **(ok | {"refresh_ms": 8.33})).flag == "refresh"

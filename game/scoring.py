"""Points: more for shorter flashes and fainter faces, multiplied by an answer streak. Pure."""

from __future__ import annotations

import math

BASE_POINTS = 10
REFERENCE_EXPOSURE_MS = 500.0  # a correct answer at the longest flash earns the base
STREAK_STEP = 0.1  # each answer in a row adds 10% ...
STREAK_CAP = 10  # ... up to double


def difficulty_points(exposure_ms: float, intensity: float = 1.0) -> int:
    """Points for one correct answer before the streak bonus.

    Grows with the square root of how much shorter (or fainter) the flash was
    than the easiest one, so halving the exposure is worth about 40% more: the
    reward follows skill, not the number of drills ground through.
    """
    speed = math.sqrt(REFERENCE_EXPOSURE_MS / max(exposure_ms, 1.0))
    faintness = math.sqrt(1.0 / min(max(intensity, 0.01), 1.0))
    return round(BASE_POINTS * speed * faintness)


def streak_multiplier(answer_streak: int) -> float:
    """The bonus for the current run of right answers (the one just scored included)."""
    return 1.0 + STREAK_STEP * min(max(answer_streak - 1, 0), STREAK_CAP)


def score_answer(correct: bool, answer_streak: int, exposure_ms: float, intensity: float = 1.0) -> tuple[int, int]:
    """Points earned and the answer streak after this answer.

    :param answer_streak: right answers in a row before this one
    """
    if not correct:
        return 0, 0
    streak = answer_streak + 1
    return round(difficulty_points(exposure_ms, intensity) * streak_multiplier(streak)), streak

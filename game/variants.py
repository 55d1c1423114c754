"""Which of an emotion's variants a pose shows. Pure; no I/O.

game.emotions.pose picks a variant with its rng and returns only the pose; trials store the
variant number too, so the item report can tell a misread variant from a misread emotion.
"""

from __future__ import annotations

from functools import lru_cache

from game.emotions import scaled_variants


def variant_number(emotion_key: str, intensity: float, shown: dict) -> int | None:
    """The 1-based variant of ``emotion_key`` that, at ``intensity``, gives the pose ``shown``.

    None when no variant, or more than one, matches (the pose was not built from this table).
    """
    levels = {au: max(per_side) for au, per_side in shown.get("au", {}).items()}
    gaze_down = shown.get("gaze", [0.0, 0.0])[1]
    head_down = shown.get("head", {}).get("pitch", 0.0)
    matches = [number for number, (units, gaze, head) in enumerate(_variant_poses(emotion_key, intensity), start=1)
               if levels == units and gaze_down == gaze and head_down == head]
    return matches[0] if len(matches) == 1 else None


@lru_cache(maxsize=512)
def _variant_poses(emotion_key: str, intensity: float) -> tuple[tuple[dict[str, float], float, float], ...]:
    """Each variant's (unit levels, gaze down, head down) at ``intensity``, as ``emotions.pose`` rounds them (cached:
    every trial asks; a few intensities are ever shown). Read-only."""
    return tuple((dict(units), gaze_down, head_down)
                 for _, units, gaze_down, head_down in scaled_variants(emotion_key, intensity))

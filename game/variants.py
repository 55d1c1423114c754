"""Which of an emotion's variants a pose shows. Pure; no I/O.

game.emotions.pose picks a variant with its rng and returns only the pose; trials store the
variant number too, so the item report can tell a misread variant from a misread emotion.
"""

from __future__ import annotations

from game.emotions import EMOTIONS


def variant_number(emotion_key: str, intensity: float, shown: dict) -> int | None:
    """The 1-based variant of ``emotion_key`` that, at ``intensity``, gives the pose ``shown``.

    None when no variant, or more than one, matches (the pose was not built from this table).
    """
    levels = {au: max(per_side) for au, per_side in shown.get("au", {}).items()}
    gaze_down = shown.get("gaze", [0.0, 0.0])[1]
    head_down = shown.get("head", {}).get("pitch", 0.0)
    matches = [
        number for number, variant in enumerate(EMOTIONS[emotion_key].variants, start=1)
        if levels == {str(au): round(level * intensity, 3) for au, level in variant.units.items()}
        and gaze_down == round(variant.gaze_down * intensity, 3)
        and head_down == round(variant.head_down * intensity, 3)
    ]
    return matches[0] if len(matches) == 1 else None

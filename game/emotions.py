"""The seven basic emotions as FACS action units: the single source of truth.

The server picks an emotion, a variant and an intensity and sends the browser a
*pose* (action-unit intensities per side, gaze, head angle). The browser only
draws poses. The Learn page and the answer buttons read the same table as JSON.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

SIDES = ("L", "R")


@dataclass(frozen=True)
class ActionUnit:
    number: int
    name: str
    looks_like: str


ACTION_UNITS: dict[int, ActionUnit] = {
    au.number: au
    for au in (
        ActionUnit(1, "Inner brow raiser", "inner ends of the brows rise; short lines mid-forehead"),
        ActionUnit(2, "Outer brow raiser", "outer ends of the brows rise; the brow arches"),
        ActionUnit(4, "Brow lowerer", "brows lower and pull together; vertical lines between them"),
        ActionUnit(5, "Upper lid raiser", "upper lid retracts; white shows above the iris"),
        ActionUnit(6, "Cheek raiser", "cheeks lift, lower lids push up, crow's feet appear"),
        ActionUnit(7, "Lid tightener", "lower lid straightens and rises; the eye looks tense"),
        ActionUnit(9, "Nose wrinkler", "the nose wrinkles and its wings lift"),
        ActionUnit(10, "Upper lip raiser", "the centre of the upper lip lifts"),
        ActionUnit(12, "Lip corner puller", "lip corners go up and back"),
        ActionUnit(14, "Dimpler", "lip corners tighten and pull in; a dimple forms"),
        ActionUnit(15, "Lip corner depressor", "lip corners pull down"),
        ActionUnit(16, "Lower lip depressor", "the lower lip pulls down, lower teeth may show"),
        ActionUnit(17, "Chin raiser", "the chin pushes the lower lip up and wrinkles"),
        ActionUnit(20, "Lip stretcher", "lip corners pull straight sideways"),
        ActionUnit(22, "Lip funneler", "the lips turn out and open into a square, the corners drawn in"),
        ActionUnit(23, "Lip tightener", "lips narrow and thin"),
        ActionUnit(24, "Lip pressor", "lips press together"),
        ActionUnit(25, "Lips part", "lips separate"),
        ActionUnit(26, "Jaw drop", "the jaw lowers and the mouth opens"),
        ActionUnit(38, "Nostril dilator", "the nostrils flare wide"),
        ActionUnit(43, "Eyes closed", "the upper lids come down and meet the lower lids"),
    )
}


@dataclass(frozen=True)
class Variant:
    """One way of showing an emotion: action unit -> intensity (0-1) per side."""

    units: dict[int, float]
    one_sided: bool = False
    gaze_down: float = 0.0  # AU64: 0 straight ahead, 1 fully down
    head_down: float = 0.0  # AU54


@dataclass(frozen=True)
class Emotion:
    key: str
    name: str
    variants: tuple[Variant, ...]
    cues: tuple[str, ...]
    lookalike: str
    tell_apart: str
    scenario: str = field(default="")


EMOTIONS: dict[str, Emotion] = {
    e.key: e
    for e in (
        Emotion(
            "happiness",
            "Happiness",
            (
                Variant({6: 0.9, 12: 1.0}),
                Variant({6: 0.9, 12: 1.0, 25: 0.8}),
            ),
            (
                "Lip corners pulled up and back",
                "Cheeks lifted, eyes narrowed from below",
                "Crow's feet at the outer eye corners",
            ),
            "contempt",
            "A felt smile lifts both corners and the cheeks; contempt tightens one corner only.",
        ),
        Emotion(
            "sadness",
            "Sadness",
            (
                # The pout (AU17 under AU15) and the lowered gaze are what fear never shows; the eyes stay unwidened.
                Variant({1: 0.9, 4: 0.5, 15: 1.0, 17: 0.5}, gaze_down=0.8, head_down=0.3),
                Variant({1: 0.9, 4: 0.5, 15: 0.9, 17: 0.8}, gaze_down=0.9, head_down=0.4),
            ),
            (
                "Inner ends of the brows raised and drawn together, the brows slanting up toward the middle",
                "Lip corners pulled down, the chin pushing the lower lip up into a pout",
                "Gaze and head tip downward; the eyes are not widened",
            ),
            "fear",
            "Both raise the inner brows; sadness drops the mouth corners and the gaze, without wide eyes.",
            "“It was fine,” she smiles, but first her eyes flick down and her mouth corners droop.",
        ),
        Emotion(
            "surprise",
            "Surprise",
            (
                Variant({1: 0.9, 2: 0.9, 5: 0.5, 26: 0.8}),
                Variant({1: 0.9, 2: 0.9, 5: 0.5, 25: 0.7, 26: 0.7}),
            ),
            (
                "Brows raised high and curved",
                "Eyes wide open",
                "Jaw dropped, mouth relaxed and open",
            ),
            "fear",
            "Surprise has curved brows and a relaxed open jaw; fear draws the brows together in a straight slant and "
            "stretches the lips.",
        ),
        Emotion(
            "fear",
            "Fear",
            (
                # The jaw drops (AU26) while the stretch (AU20) pulls the lips taut sideways: a wide, open, squared
                # mouth, not surprise's relaxed round O, and not a thin slit of teeth that reads as a grin.
                # The brows are fear's cue against surprise: AU4 0.8 knits them and holds them flat, AU2 at 0.7
                # lifts their tails less than surprise's, so they slant up toward the middle. With AU2 1.0 and AU4 0.6
                # the tails arched like surprise's and face-api read 155 of 192 fear renders as surprise (fer said
                # fear). AU2 0.5 read fear more often still for face-api but as sad more often for fer, and its
                # tails hardly rose at all; AU4 1.0 slanted the brows into sadness's for fer; a less open mouth
                # (AU26 0.4-0.5) read as surprise again. v1 drops the jaw to 0.75 (under surprise's 0.8) and v2
                # stretches at 0.9: v1 at 0.7, or v2 at 1.0, FaceMesh lost the opening under some full beards. The
                # lower lids tense (AU7) short of full: fully tense, they narrowed the wide eye under the raised brows
                # and the face read as sad. The renderer draws AU5 with AU1+4 as fear's stare (geometry.js
                # fearStare): white above the iris, the lower lid straight rather than raised whole.
                Variant({1: 1.0, 2: 0.7, 4: 0.8, 5: 1.0, 7: 0.8, 20: 1.0, 25: 1.0, 26: 0.75}),
                Variant({1: 1.0, 2: 0.7, 4: 0.8, 5: 1.0, 7: 0.8, 20: 0.9, 25: 1.0, 26: 0.6}),
            ),
            (
                "Whole brows raised and drawn together, inner ends highest: a straight slant, not an arch",
                "Upper lids raised high, white showing above the iris; lower lids tense and straight",
                "Lips stretched sideways, the folds beside the mouth pulled taut; mouth open but not smiling",
            ),
            "surprise",
            "Fear adds brows drawn together, tense lower lids and lips stretched sideways.",
            "Someone trying to look calm, with a flash of wide eyes and stretched lips.",
        ),
        Emotion(
            "anger",
            "Anger",
            (
                # Open-mouthed anger, a shout (EMFACS 4+5+7+10+16+22+23+25+26): the glare over a squared mouth
                # opened on both rows of teeth. Not disgust's bared upper teeth: no nose wrinkle (AU9), the jaw
                # drops, the lower teeth show, and the eyes glare.
                Variant({4: 1.0, 5: 0.5, 7: 1.0, 10: 0.8, 16: 0.8, 22: 0.6, 23: 0.3, 25: 1.0, 26: 0.5, 38: 1.0}),
                # Closed-mouth anger (4+5+7+17+23+24): lips pressed thin and bowed down at the corners, the chin boss
                # pushed up under them (pressed into a straight line, the mouth read as neutral: fer 12% against 33%
                # bowed). Both variants flare the nostrils (AU38), a cue anger photographs show and disgust's lifted
                # wings do not. At full strength: weaker, the pressed mouth read as a stern neutral face.
                Variant({4: 1.0, 5: 0.5, 7: 1.0, 23: 1.0, 24: 1.0, 17: 1.0, 38: 1.0}),
            ),
            (
                "Brows lowered and pulled together, shading the eyes",
                "Glaring eyes: upper lids raised, lower lids tense",
                "Lips pressed thin, or a squared mouth baring both rows of teeth; nostrils flared, "
                "no nose wrinkle",
            ),
            "disgust",
            "Anger glares (lowered brows, raised upper lids, tense lower lids) and squares or presses the lips; "
            "disgust wrinkles the nose and lifts the upper lip, with no glare.",
            "He says he likes your idea while his brows tighten and his lips press together.",
        ),
        Emotion(
            "disgust",
            "Disgust",
            (
                # AU10: the upper lip rises with the nose into an inverted U over the upper teeth; AU16 turns the
                # lower lip down and out, its red fuller, but not off the lower teeth: one row of teeth, not
                # anger's squared shout on both. The corners sink fully (AU15 1.0; the lower lip stays up under the
                # teeth, so no snarl): at 0.8 fer read more of it as anger (34 vs 27 of 96, disgust 25 vs 33). No
                # AU4 (EMFACS disgust has none; AU9 lowers the brow heads a little by itself): lowered, knit brows
                # made classifiers read disgust as anger.
                Variant({9: 1.0, 10: 0.9, 15: 1.0, 16: 0.3}),
                # The closed "yuck" (9+10+17 with 6+7, no AU5): the upper lip raised hard while the chin (AU17 full)
                # pushes the lower lip up into it, the corners pulled a little down (AU15 0.4), and the lower lids
                # pushed up (AU7 0.2 over AU9's and AU6's cheek raise) to a slit, still open: the whole face screws
                # up, no glare. With the chin at 0.8, AU15 0.2 and no AU7, fer read it neutral (disgust 34 of 96,
                # streams 1 + 7); chin full and AU15 0.4 read 50, with AU7 0.2 53, with AU7 0.6 59, but at 0.6 the
                # lids all but met and FaceMesh found no face in one bespectacled render of 240.
                # Parting the lips (AU25) over the teeth read happy; AU6 at 0.5 read happier than AU7.
                Variant({9: 1.0, 10: 1.0, 15: 0.4, 17: 1.0, 6: 0.3, 7: 0.2}),
            ),
            (
                "Nose wrinkled, nostrils lifted, cheeks pushed up so the eyes narrow from below",
                "Upper lip raised, deep folds beside the nose",
                "Lower lip pushed down or up; no glare",
            ),
            "anger",
            "Disgust wrinkles the nose and lifts the upper lip, the eyes narrowed from below; anger glares from under "
            "lowered brows with no nose wrinkle.",
        ),
        Emotion(
            "contempt",
            "Contempt",
            (Variant({12: 0.7, 14: 0.9}, one_sided=True),),
            (
                "One lip corner tightened and slightly raised",
                "A small dimple beside that corner",
                "The rest of the face stays neutral",
            ),
            "happiness",
            "Contempt is the only one-sided expression: one corner tightens; a smile lifts both.",
            "A one-sided smirk while someone listens to you: contempt, not disgust.",
        ),
    )
}

EMOTION_KEYS: tuple[str, ...] = tuple(EMOTIONS)


def pose(emotion_key: str, intensity: float, rng: random.Random) -> dict:
    """The pose a face shows for an emotion at a given intensity (0-1).

    Picks one of the emotion's variants, and for one-sided expressions a side,
    with ``rng`` so a seeded drill is reproducible.

    :param emotion_key: one of ``EMOTION_KEYS``
    :param intensity: scales every unit from a trace (near 0) to full (1)
    :param rng: the random source
    """
    return variant_pose(emotion_key, intensity, *pick_variant(emotion_key, intensity, rng))


def pick_variant(emotion_key: str, intensity: float, rng: random.Random) -> tuple[int, bool]:
    """Which of the emotion's variants a pose shows (0-based), and whether a one-sided one shows the left side.

    The draws are ``rng.choice(variants)`` and ``rng.choice(SIDES) == "L"`` (a one-sided variant only), written
    out as CPython's ``random`` makes them: the same values from the same generator state, without two calls'
    checks on every trial.
    """
    variants = scaled_variants(emotion_key, intensity)
    index = rng._randbelow(len(variants))
    return index, SIDES[rng._randbelow(len(SIDES))] == "L" if variants[index][0] else True


def variant_pose(emotion_key: str, intensity: float, index: int, left: bool = True) -> dict:
    """The pose of one of an emotion's variants (0-based); a one-sided one on the left side or the right."""
    one_sided, units, gaze_down, head_down = scaled_variants(emotion_key, intensity)[index]
    if one_sided:
        au = {number: [level, 0.0] if left else [0.0, level] for number, level in units}
    else:
        au = {number: [level, level] for number, level in units}
    return {"au": au, "gaze": [0.0, gaze_down], "head": {"pitch": head_down, "roll": 0.0}}


@functools.lru_cache(maxsize=1024)
def scaled_variants(emotion_key: str,
                    intensity: float) -> tuple[tuple[bool, tuple[tuple[str, float], ...], float, float], ...]:
    """Each variant's (one-sided, rounded unit levels, gaze down, head down) at an intensity: how every pose rounds
    them (cached: every trial asks, and a few intensities are ever shown)."""
    return tuple((variant.one_sided, tuple((str(number), round(level * intensity, 3))
                                           for number, level in variant.units.items()),
                  round(variant.gaze_down * intensity, 3), round(variant.head_down * intensity, 3))
                 for variant in EMOTIONS[emotion_key].variants)


NEUTRAL_POSE: dict = {"au": {}, "gaze": [0.0, 0.0], "head": {"pitch": 0.0, "roll": 0.0}}


def catalogue() -> dict:
    """Everything the browser needs to label, teach and draw emotions, as JSON-ready data."""
    return {
        "neutralPose": NEUTRAL_POSE,
        "actionUnits": [
            {"number": au.number, "name": au.name, "looksLike": au.looks_like} for au in ACTION_UNITS.values()
        ],
        "emotions": [
            {
                "key": e.key,
                "name": e.name,
                "cues": list(e.cues),
                "lookalike": e.lookalike,
                "tellApart": e.tell_apart,
                "scenario": e.scenario,
                "variants": [
                    {
                        "units": {str(k): v for k, v in variant.units.items()},
                        "oneSided": variant.one_sided,
                        "gazeDown": variant.gaze_down,
                        "headDown": variant.head_down,
                    }
                    for variant in e.variants
                ],
            }
            for e in EMOTIONS.values()
        ],
    }

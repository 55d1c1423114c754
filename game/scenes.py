"""The situation library for scenes, and the masks people put on. Pure data; no I/O.

A scene is a situation from life (scenarios.md): one line of context, a line the
face says, a masking expression, and an emotion that leaks before or inside the
mask. Every situation allows several leaks and several masks, and has a few
phrasings of its line, so nothing can be memorised: the context never gives the
answer away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from game.emotions import EMOTION_KEYS


@dataclass(frozen=True)
class Mask:
    """A social expression held over a feeling: action unit -> intensity (both sides)."""

    key: str
    name: str  # for the feedback: "the polite smile"
    units: dict[int, float]
    head_roll: float = 0.0  # a slight tilt, e.g. when listening with interest


MASKS: dict[str, Mask] = {
    m.key: m
    for m in (
        # Lip corners up without the cheeks (no AU6): the smile of politeness, not joy.
        Mask("polite-smile", "the polite smile", {12: 0.45}),
        Mask("social-smile", "the social smile", {12: 0.65, 25: 0.25}),
        Mask("neutral", "the straight face", {}),
        Mask("interested", "the interested look", {1: 0.25, 2: 0.3, 12: 0.2}, head_roll=0.25),
    )
}


@dataclass(frozen=True)
class Situation:
    key: str
    context: str  # one line on screen before the face speaks
    lines: tuple[str, ...]  # what the face says (one is picked per trial)
    masks: tuple[str, ...]
    leaks: tuple[str, ...]  # emotions that can plausibly leak here


SITUATIONS: dict[str, Situation] = {
    s.key: s
    for s in (
        Situation("weekend", "Monday morning. You ask a colleague how the weekend was.",
                  ("It was fine, thanks.", "Oh, quiet. Nothing special.", "Good! Busy, but good."),
                  ("polite-smile", "social-smile", "neutral"),
                  ("sadness", "happiness", "anger", "disgust", "fear", "surprise")),
        Situation("plans", "You tell your partner you'll spend Sunday with friends.",
                  ("Sure, go ahead.", "No, that's great, have fun.", "Fine by me."),
                  ("polite-smile", "social-smile", "neutral"),
                  ("sadness", "anger", "contempt", "happiness", "surprise", "fear")),
        Situation("meeting", "In a meeting, you present your idea. A colleague answers.",
                  ("I like it. Let's try it.", "Interesting. Yes, why not.", "Sounds good to me."),
                  ("interested", "polite-smile", "neutral"),
                  ("anger", "contempt", "disgust", "surprise", "fear", "happiness")),
        Situation("party", "At a party, a stranger you were introduced to turns to you.",
                  ("Nice to meet you.", "So, how do you know the host?", "Oh, that's fun."),
                  ("social-smile", "interested", "polite-smile"),
                  ("fear", "disgust", "contempt", "surprise", "happiness", "sadness")),
        Situation("conflict", "After an argument that nobody mentions, your flatmate says:",
                  ("It's fine. Really.", "Don't worry about it.", "Whatever you think is best."),
                  ("neutral", "polite-smile"),
                  ("anger", "sadness", "fear", "contempt", "disgust")),
        Situation("interview", "In a job interview, you ask the candidate why they left their last job.",
                  ("I was ready for a new challenge.", "It was time to move on.", "I wanted to grow."),
                  ("social-smile", "neutral", "interested"),
                  ("fear", "anger", "sadness", "disgust", "contempt", "surprise")),
        Situation("gift", "A friend unwraps the present you chose.",
                  ("Oh, wow. Thank you!", "You shouldn't have!", "That's so thoughtful."),
                  ("social-smile", "polite-smile", "interested"),
                  ("disgust", "surprise", "happiness", "sadness", "contempt", "anger")),
    )
}


def situations_for(emotion: str) -> list[Situation]:
    """The situations in which an emotion can plausibly leak."""
    return [s for s in SITUATIONS.values() if emotion in s.leaks]


def pick_situation(rng: random.Random, emotion: str) -> tuple[Situation, str, Mask]:
    """A situation, its spoken line and a mask for a leak of ``emotion``."""
    situation = rng.choice(situations_for(emotion))
    return situation, rng.choice(situation.lines), MASKS[rng.choice(situation.masks)]


def _check_library() -> None:
    """Nothing is memorisable: every emotion fits 3+ situations, every situation 4+ emotions and 2+ masks."""
    for emotion in EMOTION_KEYS:
        assert len(situations_for(emotion)) >= 3, emotion
    for situation in SITUATIONS.values():
        assert len(set(situation.leaks)) >= 4 and set(situation.leaks) <= set(EMOTION_KEYS), situation.key
        assert len(situation.masks) >= 2 and set(situation.masks) <= set(MASKS), situation.key


_check_library()

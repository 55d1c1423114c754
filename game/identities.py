"""The identity traits that matter for fairness, chosen by the server. Pure; no I/O.

The browser draws a whole face from a uint32 seed (static/js/face/identity.js). Skin type, glasses
and facial hair are the traits a face's legibility may depend on, so the server picks them: evenly
over Fitzpatrick types, stored with every trial, so operators can see which kinds of face players
misread (flask --app game item-report). These tables reach the browser in the catalogue.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_right
from dataclasses import dataclass

FITZPATRICK_TYPES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
# How often a face wears glasses (about as often as the seed alone drew them: 35%).
GLASSES_SHARE = 1 / 3
# Facial hair: half the faces none, the other half spread evenly over the kinds so each kind
# collects enough answers to be judged on its own.
FACIAL_HAIR_WEIGHTS: dict[str, float] = {
    "none": 5.0, "stubble": 1.0, "moustache": 1.0, "goatee": 1.0, "shortBeard": 1.0, "fullBeard": 1.0,
}
FACIAL_HAIR_KINDS: tuple[str, ...] = tuple(FACIAL_HAIR_WEIGHTS)
_FACIAL_HAIR_CUMULATIVE = list(itertools.accumulate(FACIAL_HAIR_WEIGHTS.values()))  # what choices(weights=) sums
_FACIAL_HAIR_TOTAL = _FACIAL_HAIR_CUMULATIVE[-1] + 0.0


@dataclass(frozen=True)
class Traits:
    fitzpatrick: int
    glasses: bool
    facial_hair: str

    def __post_init__(self) -> None:
        # Every trial sends and stores one of the 72 faces: their two dicts are made once, not per trial.
        object.__setattr__(self, "_message", {"fitzpatrick": self.fitzpatrick, "glasses": self.glasses,
                                              "facialHair": self.facial_hair})
        object.__setattr__(self, "_columns", {"fitzpatrick": self.fitzpatrick, "glasses": int(self.glasses),
                                              "facial_hair": self.facial_hair})

    def message(self) -> dict:
        """As the trial message carries it (identity.js's field names). Shared by every trial of this face: read
        it, never change it."""
        return self._message  # type: ignore[attr-defined]

    def columns(self) -> dict:
        """As a trial row stores it (shared, as ``message``)."""
        return self._columns  # type: ignore[attr-defined]


def draw_traits(rng: random.Random) -> Traits:
    """One face's traits: every skin type with probability exactly 1/6, independent of the emotion.

    The draws are ``rng.choice(FITZPATRICK_TYPES)``, ``rng.random() < GLASSES_SHARE`` and
    ``rng.choices(FACIAL_HAIR_KINDS, cum_weights=...)``, written out as CPython's ``random`` makes them (the same
    values from the same generator state), and the face is one of the 72 made once: every trial draws one.
    """
    return _TRAITS[FITZPATRICK_TYPES[rng._randbelow(len(FITZPATRICK_TYPES))], rng.random() < GLASSES_SHARE,
                   FACIAL_HAIR_KINDS[bisect_right(_FACIAL_HAIR_CUMULATIVE, rng.random() * _FACIAL_HAIR_TOTAL, 0,
                                                  len(FACIAL_HAIR_KINDS) - 1)]]


_TRAITS = {(skin, glasses, hair): Traits(skin, glasses, hair)
           for skin in FITZPATRICK_TYPES for glasses in (False, True) for hair in FACIAL_HAIR_KINDS}


def catalogue() -> dict:
    """The trait tables as the browser reads them (identity.js checks the values it is sent against its own)."""
    return {"fitzpatrick": list(FITZPATRICK_TYPES), "glassesShare": GLASSES_SHARE,
            "facialHair": dict(FACIAL_HAIR_WEIGHTS)}

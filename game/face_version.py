"""Which version of the drawn faces a trial showed: a fingerprint of the renderer and the expression table.

Players' answers judge the faces they saw. Once a face is redrawn (the renderer in static/js/face or
an emotion's variants change), answers to the old drawing say nothing about the new one, so every
trial row stores the fingerprint and the item report reads only the drawing being served.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from game.emotions import catalogue

FACE_RENDERER = Path(__file__).resolve().parent.parent / "static" / "js" / "face"
LENGTH = 12  # hex digits: collisions between two drawings in a game's life are out of reach


def fingerprint(renderer: Path, emotions: dict) -> str:
    """A short hash of every renderer module (name and bytes) and every emotion's variants."""
    digest = hashlib.sha256()
    for path in sorted(renderer.glob("*.js")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    variants = {emotion["key"]: emotion["variants"] for emotion in emotions["emotions"]}
    digest.update(json.dumps(variants, sort_keys=True).encode())
    return digest.hexdigest()[:LENGTH]


@functools.cache
def current() -> str:
    """The drawing this process serves (files are read once: a redraw ships with a restart)."""
    return fingerprint(FACE_RENDERER, catalogue())

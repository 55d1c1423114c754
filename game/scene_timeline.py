"""One scene trial, frame by frame: a living face that speaks, leaks an emotion and masks it. Pure.

Everything is planned in display frames of the player's measured period. The face
is the sum of tracks (scenarios.md, "How a leak moves"):

* idle life: blinks (AU43) every 2-6 s (more often while talking), 100-150 ms each;
  breathing and a slow head sway; gaze shifts every 1-3 s;
* speech: jaw and lips (AU25/26, rounding AU23, closures AU24) syllable by syllable;
* the mask (a polite smile, a straight face...) ramping on before, during or right
  after the leak;
* the leak: an emotion's action units under an onset / apex / offset envelope lasting
  ``leak_frames`` frames in all (1/25 s to 1/2 s; onset at most ~260 ms). While it
  is on, it displaces the mask.

The browser receives only keyframes of the composed face (every action unit, gaze
and head, linearly interpolated between keyframes, exact at every whole frame to
within ``TOLERANCE``), never the emotion, the variant or which units belong to the
leak; unit levels are jittered per trial so no table lookup names the answer. It
also receives a window of frames to prepare and measure, which contains the leak
with a random margin on each side, so the window does not pinpoint the leak.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

import numpy as np

from game.emotions import ACTION_UNITS, EMOTIONS
from game.identities import Traits, draw_traits
from game.scenes import MASKS, SITUATIONS, pick_situation

# Every unit the face draws, plus AU43 (eyes closed, for blinks). Fixed for every scene so the
# list itself says nothing about the trial.
UNITS = tuple(sorted(ACTION_UNITS))
CHANNELS = (*tuple(f"{u}{side}" for u in UNITS for side in "LR"), "gazeX", "gazeY", "pitch", "roll")
TOLERANCE = 0.006  # largest interpolation error at a whole frame, in unit intensity
MIN_LEAK_MS, MAX_LEAK_MS = 40.0, 500.0  # 1/25 s .. 1/2 s
MAX_ONSET_MS = 260.0
MASK_RELATIONS = ("before", "during", "after")  # the mask starts before the leak, in its offset, right after it
WINDOW_MARGIN_MS = (17.0, 50.0)  # the measured window reaches this far past the leak on each side
SYLLABLE_MS = (150.0, 230.0)
# Partial leaks (many real ones are only brows or only mouth): regions that still name the emotion.
PARTIAL_REGIONS: dict[str, tuple[frozenset[int], ...]] = {
    "sadness": (frozenset({1, 4}), frozenset({15, 17})),
    "anger": (frozenset({4, 5, 7}),),
    "fear": (frozenset({1, 2, 4, 5, 7}),),
    "surprise": (frozenset({1, 2, 5}),),
}
PARTIAL_SHARE = 0.25

CUE_WORDS = {
    1: "inner brows raised", 2: "outer brows raised", 4: "brows pulled down and together", 5: "upper lids raised",
    6: "cheeks lifted", 7: "lower lids tightened", 9: "nose wrinkled", 10: "upper lip raised",
    12: "lip corners pulled up", 14: "a lip corner tightened", 15: "mouth corners pulled down",
    16: "lower lip pulled down", 17: "chin pushed up", 20: "lips stretched sideways", 23: "lips narrowed",
    24: "lips pressed together", 25: "lips parted", 26: "jaw dropped",
}


@dataclass(frozen=True)
class LeakTiming:
    start: int  # first frame the leak is on
    onset: int
    apex: int
    offset: int

    @property
    def frames(self) -> int:
        return self.onset + self.apex + self.offset

    @property
    def end(self) -> int:
        """First frame after the leak."""
        return self.start + self.frames

    def envelope(self, frame: int) -> float:
        """The leak's strength at a frame: 0 outside, rising, 1 at the apex, falling."""
        i = frame - self.start
        if i < 0 or i >= self.frames:
            return 0.0
        if i < self.onset:
            return _ease((i + 1) / (self.onset + 1))
        if i < self.onset + self.apex:
            return 1.0
        return _ease((self.frames - i) / (self.offset + 1))


@dataclass(frozen=True)
class ScenePlan:
    emotion: str
    identity_seed: int
    intensity: float
    period_ms: float
    situation: str
    context: str
    line: str
    mask: str
    mask_relation: str
    mask_start: int
    leak: LeakTiming
    leak_units: dict[int, tuple[float, float]]  # unit -> (L, R), jittered, at this intensity
    leak_gaze_down: float
    leak_head_down: float
    partial: bool
    speech: tuple[int, int]  # first and last+1 frame of speech
    blinks: tuple[int, ...]  # first frame of each blink
    total_frames: int
    window: tuple[int, int]  # (start, frames): prepared and measured by the browser; contains the leak
    keyframes: list[list[float]] = field(repr=False)  # [frame, *CHANNELS]
    traits: Traits  # the face's skin type, glasses and facial hair, as drills choose them (game.identities)

    @property
    def leak_ms(self) -> float:
        return self.leak.frames * self.period_ms

    def record(self) -> dict:
        """Everything the server keeps about the trial (the truth included), as JSON-ready data."""
        return {"situation": self.situation, "mask": self.mask, "maskRelation": self.mask_relation,
                "maskStart": self.mask_start, "leak": {"start": self.leak.start, "onset": self.leak.onset,
                                                       "apex": self.leak.apex, "offset": self.leak.offset},
                "leakUnits": {str(u): list(v) for u, v in self.leak_units.items()},
                "leakGazeDown": self.leak_gaze_down, "partial": self.partial, "speech": list(self.speech),
                "blinks": list(self.blinks), "totalFrames": self.total_frames, "window": list(self.window),
                "line": self.line, "context": self.context}


def _ease(t: float) -> float:
    """Smoothstep: expressions accelerate and settle rather than move at constant speed."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def frames_for(ms: float, period_ms: float) -> int:
    return max(1, round(ms / period_ms))


def leak_candidates(period_ms: float) -> list[float]:
    """Every whole-frame leak duration this display can show between 1/25 s and 1/2 s (at least 2 frames)."""
    low = max(2, math.ceil(MIN_LEAK_MS / period_ms - 1e-9))
    high = max(low, math.floor(MAX_LEAK_MS / period_ms + 1e-9))
    return [k * period_ms for k in range(low, high + 1)]


def leak_phases(frames: int, period_ms: float) -> tuple[int, int, int]:
    """Onset, apex and offset frames of a leak lasting ``frames``: about 30/40/30, onset <= 260 ms."""
    if frames < 2:
        raise ValueError("a leak lasts at least 2 frames")
    onset = min(max(1, round(frames * 0.3)), frames_for(MAX_ONSET_MS, period_ms))
    offset = max(0, round(frames * 0.3))
    while onset + offset > frames - 1:
        if offset >= onset and offset > 0:
            offset -= 1
        else:
            onset -= 1
    return onset, frames - onset - offset, offset


def _leak_units(rng: random.Random, emotion: str, intensity: float) -> tuple[dict[int, tuple[float, float]],
                                                                               float, float, bool]:
    variant = rng.choice(EMOTIONS[emotion].variants)
    units = dict(variant.units)
    partial = emotion in PARTIAL_REGIONS and rng.random() < PARTIAL_SHARE
    if partial:
        region = rng.choice(PARTIAL_REGIONS[emotion])
        units = {u: v for u, v in units.items() if u in region}
    side = rng.choice((0, 1))
    jittered = {}
    for unit, level in units.items():
        value = min(1.0, level * intensity * rng.uniform(0.85, 1.1))
        pair = [value * rng.uniform(0.94, 1.0), value * rng.uniform(0.94, 1.0)]
        if variant.one_sided:
            pair[1 - side] = 0.0
        jittered[unit] = (round(pair[0], 3), round(pair[1], 3))
    gaze = variant.gaze_down * intensity * rng.uniform(0.85, 1.1)
    head = variant.head_down * intensity * rng.uniform(0.85, 1.1)
    if partial and emotion == "sadness" and 15 in units:
        head = 0.0  # a mouth-only leak keeps the head up
    return jittered, round(gaze, 3), round(head, 3), partial


def _syllables(line: str) -> list[tuple[bool, bool]]:
    """Per syllable: (rounded vowel, starts with a lip closure), from the spelling. Good enough for lips."""
    out = []
    for word in line.lower().split():
        letters = "".join(c for c in word if c.isalpha())
        groups, previous, closure = [], "", False
        for c in letters:
            vowel = c in "aeiouy"
            if vowel and (not previous or previous not in "aeiouy"):
                groups.append((c in "ou", closure))
                closure = False
            elif not vowel and c in "mbpw":
                closure = True
            previous = c
        out.extend(groups or [(False, False)])
        out.append((False, True))  # a short pause between words: the lips come together
    return out[:-1]


@dataclass
class _Tracks:
    """Per-frame channel values, built track by track."""

    frames: int
    values: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.values = np.zeros((self.frames, len(CHANNELS)))

    def column(self, name: str) -> int:
        return CHANNELS.index(name)

    def raise_unit(self, frame: int, unit: int, levels: tuple[float, float]) -> None:
        """Combine by maximum: two tracks wanting the same unit do not add up past either."""
        for side, level in zip("LR", levels, strict=True):
            column = self.column(f"{unit}{side}")
            self.values[frame, column] = max(self.values[frame, column], level)


def plan_scene(rng: random.Random, emotion: str, period_ms: float, *, leak_ms: float,
               intensity: float = 1.0, chosen: tuple[str, str, str] | None = None) -> ScenePlan:
    """Plan one scene: situation, mask, leak timing and every frame of the face.

    :param leak_ms: the leak's total duration wanted (rounded to whole frames, 2 at least)
    :param intensity: 0-1, how strongly the leak moves the face
    :param chosen: (situation, mask, mask relation) to use instead of random ones (the Learn page's demo)
    """
    p = period_ms
    situation, line, mask = pick_situation(rng, emotion)
    if chosen is not None:
        situation, mask = SITUATIONS[chosen[0]], MASKS[chosen[1]]
        line = situation.lines[0]
    identity_seed = rng.getrandbits(32)
    leak_frames = max(2, round(leak_ms / p))
    onset, apex, offset = leak_phases(leak_frames, p)
    lead_in = frames_for(rng.uniform(1000, 1500), p)
    syllables = _syllables(line)
    syllable_frames = [frames_for(rng.uniform(*SYLLABLE_MS), p) for _ in syllables]
    speech = (lead_in, lead_in + sum(syllable_frames))
    # The leak comes just before the words or early inside them, as in the article's examples.
    leak_start = speech[0] + frames_for(rng.uniform(-450, 400), p) - leak_frames // 2
    leak = LeakTiming(leak_start, onset, apex, offset)
    relation = rng.choice(MASK_RELATIONS) if chosen is None else chosen[2]
    ramp = frames_for(rng.uniform(250, 400), p)
    if relation == "before":
        mask_start = max(0, leak.start - ramp - frames_for(rng.uniform(100, 500), p))
    elif relation == "during":
        mask_start = leak.start + onset + apex + rng.randrange(max(1, offset))
    else:
        mask_start = leak.end + rng.randrange(0, frames_for(80, p) + 1)
    margin = (frames_for(rng.uniform(*WINDOW_MARGIN_MS), p), frames_for(rng.uniform(*WINDOW_MARGIN_MS), p))
    total = max(speech[1], leak.end + margin[1]) + frames_for(rng.uniform(700, 1100), p)
    window_start = max(1, leak.start - margin[0])
    window = (window_start, leak.end + margin[1] - window_start)
    units, gaze_down, head_down, partial = _leak_units(rng, emotion, intensity)
    blinks = _blinks(rng, total, speech, leak, p)

    tracks = _Tracks(total)
    _idle(tracks, rng, p)
    _speech(tracks, rng, speech[0], syllables, syllable_frames)
    for start in blinks:
        _blink(tracks, start, rng, p)
    mask_levels = {u: v * rng.uniform(0.8, 1.15) for u, v in mask.units.items()}
    for frame in range(total):
        e = leak.envelope(frame)
        m = _ease((frame - mask_start) / ramp) * (1 - e)  # the leak displaces the mask while it is on
        for unit, level in mask_levels.items():
            tracks.raise_unit(frame, unit, (min(1.0, level * m),) * 2)
        tracks.values[frame, tracks.column("roll")] += mask.head_roll * m
        if e > 0:
            for unit, (left, right) in units.items():
                tracks.raise_unit(frame, unit, (left * e, right * e))
            tracks.values[frame, tracks.column("gazeY")] += gaze_down * e
            tracks.values[frame, tracks.column("pitch")] += head_down * e
    keyframes = compress(tracks.values, forced={leak.start - 1, leak.start, leak.end - 1, leak.end,
                                               window[0] - 1, window[0], sum(window) - 1, sum(window)})
    return ScenePlan(emotion, identity_seed, intensity, p, situation.key, situation.context, line, mask.key,
                     relation, mask_start, leak, units, gaze_down, head_down, partial, speech, tuple(blinks),
                     total, window, keyframes, draw_traits(rng))  # drawn last: seeds keep their scenes


def _idle(tracks: _Tracks, rng: random.Random, p: float) -> None:
    """Breathing, a slow head sway and gaze shifts (quick saccades, then fixation)."""
    t = np.arange(tracks.frames) * p / 1000
    breath_hz, sway_hz = rng.uniform(0.2, 0.3), rng.uniform(0.08, 0.15)
    tracks.values[:, tracks.column("pitch")] += 0.05 + 0.025 * np.sin(2 * math.pi * breath_hz * t + rng.random() * 6)
    tracks.values[:, tracks.column("roll")] += 0.08 * np.sin(2 * math.pi * sway_hz * t + rng.random() * 6)
    gaze = np.zeros((tracks.frames, 2))
    frame, current = 0, np.array([rng.uniform(-0.2, 0.2), rng.uniform(-0.05, 0.1)])
    while frame < tracks.frames:
        hold = frames_for(rng.uniform(1000, 3000), p)
        gaze[frame:frame + hold] = current
        target = np.array([rng.uniform(-0.35, 0.35), rng.uniform(-0.1, 0.2)])
        saccade = frames_for(40, p)
        for k in range(saccade):
            if frame + hold + k < tracks.frames:
                gaze[frame + hold + k] = current + (target - current) * (k + 1) / (saccade + 1)
        frame, current = frame + hold + saccade, target
    tracks.values[:, tracks.column("gazeX")] += gaze[:, 0]
    tracks.values[:, tracks.column("gazeY")] += gaze[:, 1]


def _speech(tracks: _Tracks, rng: random.Random, start: int, syllables: list[tuple[bool, bool]],
            durations: list[int]) -> None:
    """Each syllable opens the jaw and lips and closes them again; rounded vowels narrow the lips."""
    frame = start
    for (rounded, closure), length in zip(syllables, durations, strict=True):
        jaw, lips = rng.uniform(0.12, 0.35), rng.uniform(0.35, 0.65)
        for k in range(length):
            shape = math.sin(math.pi * (k + 0.5) / length)  # open mid-syllable
            if frame + k >= tracks.frames:
                return
            tracks.raise_unit(frame + k, 26, (jaw * shape,) * 2)
            tracks.raise_unit(frame + k, 25, (lips * shape,) * 2)
            if rounded:
                tracks.raise_unit(frame + k, 23, (0.3 * shape,) * 2)
            if closure and k < length // 3:
                tracks.raise_unit(frame + k, 24, (0.3 * (1 - shape),) * 2)
        frame += length


def _blinks(rng: random.Random, total: int, speech: tuple[int, int], leak: LeakTiming, p: float) -> list[int]:
    """Blink starts: every 2-6 s at rest, 1.5-4 s while talking; never closed through a whole leak apex."""
    starts, frame = [], frames_for(rng.uniform(200, 2000), p)
    while frame < total - frames_for(150, p):
        closed_from, closed_to = frame + frames_for(40, p), frame + frames_for(100, p)
        apex_from, apex_to = leak.start + leak.onset, leak.start + leak.onset + leak.apex
        if closed_from <= apex_from and closed_to >= apex_to:
            frame = apex_to  # a blink may overlap the leak, as in life, but not hide all of it
            continue
        starts.append(frame)
        talking = speech[0] <= frame < speech[1]
        frame += frames_for(rng.uniform(1500, 4000) if talking else rng.uniform(2000, 6000), p)
    return starts


def _blink(tracks: _Tracks, start: int, rng: random.Random, p: float) -> None:
    """Close (about 40 ms), stay closed (about 50 ms), open (about 50 ms): 100-150 ms in all."""
    closing = frames_for(rng.uniform(30, 50), p)
    closed = frames_for(rng.uniform(40, 60), p)
    opening = frames_for(rng.uniform(40, 60), p)
    levels = [(k + 1) / (closing + 1) for k in range(closing)] + [1.0] * closed + \
             [1 - (k + 1) / (opening + 1) for k in range(opening)]
    for k, level in enumerate(levels):
        if start + k < tracks.frames:
            tracks.raise_unit(start + k, 43, (_ease(level),) * 2)


def compress(values: np.ndarray, forced: set[int] = frozenset(), tolerance: float = TOLERANCE) -> list[list[float]]:
    """Keyframes [frame, *values] whose linear interpolation reproduces every frame within ``tolerance``.

    Greedy: extend each segment while every frame inside it is reproduced. ``forced`` frames
    (the leak's and the window's edges) are always keyframes, so no change bleeds across them.
    """
    values = np.round(np.clip(values, -1.0, 1.0), 3)
    frames = len(values)
    keep = [0]
    anchor = 0
    while anchor < frames - 1:
        end = anchor + 1
        while end + 1 < frames and end not in forced:
            candidate = end + 1
            span = np.arange(anchor + 1, candidate)[:, None]
            line = values[anchor] + (values[candidate] - values[anchor]) * (span - anchor) / (candidate - anchor)
            if np.abs(line - values[anchor + 1:candidate]).max() > tolerance:
                break
            end = candidate
        keep.append(end)
        anchor = end
    return [[frame, *(float(v) for v in values[frame])] for frame in keep]


def interpolate(keyframes: list[list[float]], frame: float) -> list[float]:
    """The channels at a (possibly fractional) frame: what the browser computes, for tests."""
    for left, right in itertools.pairwise(keyframes):
        if left[0] <= frame <= right[0]:
            t = (frame - left[0]) / (right[0] - left[0])
            return [a + (b - a) * t for a, b in zip(left[1:], right[1:], strict=True)]
    return list(keyframes[-1][1:]) if frame > keyframes[-1][0] else list(keyframes[0][1:])


def scene_message(trial_id: str, plan: ScenePlan, position: int, total: int) -> dict:
    """The `scene` message: what to draw, frame by frame. No emotion, variant, mask or situation key."""
    return {"type": "scene", "trialId": trial_id, "position": position, "total": total,
            "identitySeed": plan.identity_seed, "identity": plan.traits.message(), "context": plan.context,
            "line": plan.line,
            "speech": list(plan.speech), "frames": plan.total_frames,
            "channels": list(CHANNELS), "keyframes": plan.keyframes,
            "window": {"start": plan.window[0], "frames": plan.window[1]}}


def reveal(record: dict, period_ms: float, emotion: str) -> dict:
    """After the answer: where the leak was and the cues, named, for the feedback and the slow replay."""
    leak = record["leak"]
    frames = leak["onset"] + leak["apex"] + leak["offset"]
    units = {int(u): max(v) for u, v in record["leakUnits"].items()}
    named = sorted((u for u in units if u in CUE_WORDS and units[u] > 0), key=lambda u: -units[u])
    # Up to three cues of some size; a faint leak (every unit under 0.2: low intensity) still names its strongest.
    strongest = [u for u in named if units[u] >= 0.2][:3] or named[:1]
    words = [CUE_WORDS[u] for u in strongest] or [f"a trace of {emotion}"]
    if emotion == "contempt":
        words = ["one lip corner tightened and raised"]
    if record.get("leakGazeDown", 0) >= 0.3 and len(words) < 3:
        words.append("eyes flicked down")
    mask = MASKS[record["mask"]]
    when = {"before": f"inside {mask.name}", "during": f"as {mask.name} began",
            "after": f"just before {mask.name}"}[record["maskRelation"]]
    if mask.key == "neutral":
        when = {"before": "behind the straight face", "during": "as the face went blank",
                "after": "before the face went blank"}[record["maskRelation"]]
    ms = round(frames * period_ms)
    cue = f"{_join(words).capitalize()} for {ms} ms {when}."
    return {"start": leak["start"], "frames": frames, "onset": leak["onset"], "apex": leak["apex"],
            "offset": leak["offset"], "ms": ms, "mask": mask.name, "cue": cue}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

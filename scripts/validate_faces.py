"""Check that drawn faces move the way their action units say, and show the cues a player must see,
on every kind of face: an offline landmark detector plus image measures, and a second opinion.

Renders faces with the real renderer (static/js/face/draw.js) in headless Chromium, finds 478
landmarks on each with MediaPipe FaceMesh, and compares every emotion with the same identity's
neutral face, in units of the measured inter-ocular distance (IOD); image measures (crease contrast
relative to the local skin, the brows' inner ends, the lips' visibility) are located by those landmarks.

    .venv-faces/bin/python scripts/validate_faces.py [--identities 240] [--seed 1] [--json out.json]
        [--fer .venv-fer/bin/python] [--faceapi .faceapi/node_modules/@vladmandic/face-api]

Per identity it renders: neutral; neutral again (must be pixel-identical: the renderer is
deterministic); neutral at a smaller canvas size (the detector's own noise, since the face is the
same in IOD units); and every variant of every emotion at full intensity, built by game.emotions.pose
exactly as the server builds it (contempt on both sides). Identities get their skin type, glasses and
facial hair as the server gives them (game/identities.py traits over a seed), spread evenly over the
24 cells Fitzpatrick I-VI x glasses x facial hair, and within cells over hair styles.

Exit status 1 if any face is not detected, the neutral re-render differs, or a core check (an
emotion's defining action units and the cues a player must see, see face_measures.EXPECTED) passes on
fewer than --threshold of renders overall or within any group: each Fitzpatrick type, glasses or
not, facial hair or not (groups judged once they hold --min-group outcomes).

With --fer, an off-the-shelf expression classifier (the fer package, in its own virtualenv) reads
every render too and its verdicts are printed per emotion and group: a smoke alarm, never a gate.
With --faceapi, a third opinion: face-api's expression net (an npm package with its weights) in
headless Chromium, reported the same way (scripts/faceapi_classify.py).

Needs its own virtualenv (mediapipe 0.10.14 wants numpy<2 and protobuf<5), see docs/face-validation.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT / "tests")]  # measures and the shared harness

# Quiet MediaPipe's C++ logging (glog / TFLite) before it loads; errors still show.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2  # noqa: E402
import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from face_measures import (  # noqa: E402
    CHEEK_HAIR,
    EXPECTED,
    Check,
    changes,
    image_measures,
    max_abs_change,
    measure,
    median,
    percentile,
)
from harness import CHROMIUM, CHROMIUM_ARGS, serve_static  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

# protobuf 4 warns on every FaceMesh call about an API mediapipe 0.10.14 still uses.
warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated")

PAGE_PATH = "/validate-faces.html"  # answered by a route handler: a same-origin page to import modules from
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
# Detector noise is measured on the same neutral face drawn at this fraction of the canvas size:
# the pixels differ, the face in IOD units does not.
RESCALE_FOR_NOISE = 0.875
IDENTITIES_PER_EVALUATE = 3  # ~20 PNGs per round trip: few round trips, bounded memory
# The groups every gating check must pass in, and the columns of the tables.
GROUPS = (*ROMAN.values(), "no glasses", "glasses", "no facial hair", "facial hair")
# The 24 cells Fitzpatrick type x glasses x facial hair, e.g. "IV g b" (glasses, facial hair), "IV - -" (neither).
CELLS = tuple(f"{roman} {'g' if glasses else '-'} {'b' if bearded else '-'}" for roman in ROMAN.values()
              for glasses in (False, True) for bearded in (False, True))


def cell_of(fitzpatrick: int, glasses: bool, facial_hair: str) -> str:
    return f"{ROMAN[fitzpatrick]} {'g' if glasses else '-'} {'b' if facial_hair != 'none' else '-'}"
BASE_MARGIN = {"contrast": 0.03, "share": 0.0}  # "iod" comes from --margin
# The fer package's classes, by our emotion keys (it has no contempt).
FER_CLASS = {"neutral": "neutral", "happiness": "happy", "sadness": "sad", "surprise": "surprise", "fear": "fear",
             "anger": "angry", "disgust": "disgust"}
# face-api's expression net's classes, likewise (no contempt either).
FACEAPI_CLASS = {"neutral": "neutral", "happiness": "happy", "sadness": "sad", "surprise": "surprised",
                 "fear": "fearful", "anger": "angry", "disgust": "disgusted"}


def _load(name: str) -> ModuleType:
    """A stdlib-only module of the game package by path, without importing the package (it needs Flask)."""
    spec = importlib.util.spec_from_file_location(f"glimpse_{name}", ROOT / "game" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load game/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def load_emotions() -> ModuleType:
    return _load("emotions")


@dataclass(frozen=True)
class RenderJob:
    """One face to draw for every identity."""

    label: str  # e.g. "fear v2", "contempt L", "neutral"
    emotion: str  # an emotion key, or "neutral"
    variant: int  # 1-based variant number in game.emotions; 0 for neutral
    active_side: str | None  # for one-sided expressions, the face's side that moves
    pose: dict
    scale: float = 1.0  # canvas size relative to --size


def full_intensity_jobs(emotions: ModuleType) -> list[RenderJob]:
    """Every (variant, side) of every emotion at intensity 1, as game.emotions.pose makes it.

    pose() picks the variant and side with its rng; trying rng seeds until every combination has
    appeared uses the server's own code path instead of a copy of the table.
    """
    jobs: list[RenderJob] = []
    for key, emotion in emotions.EMOTIONS.items():
        wanted = sum(2 if variant.one_sided else 1 for variant in emotion.variants)
        found: dict[tuple[int, str | None], dict] = {}
        for rng_seed in range(500):  # 2^-k chance of missing one combination after k draws; 500 is ample
            built = emotions.pose(key, 1.0, random.Random(rng_seed))
            variant = _variant_number(emotion, built)
            side = _active_side(built) if emotion.variants[variant - 1].one_sided else None
            found.setdefault((variant, side), built)
            if len(found) == wanted:
                break
        if len(found) != wanted:
            raise SystemExit(f"{key}: pose() gave {len(found)} of {wanted} variant/side combinations")
        for (variant, side), built in sorted(found.items(), key=lambda item: (item[0][0], item[0][1] or "")):
            label = f"{key} {side}" if side else f"{key} v{variant}"
            jobs.append(RenderJob(label, key, variant, side, built))
    return jobs


def _variant_number(emotion: object, built: dict) -> int:
    """Which of the emotion's variants a pose was built from (by its action units and levels)."""
    levels = {au: max(per_side) for au, per_side in built["au"].items()}
    for number, variant in enumerate(emotion.variants, start=1):  # type: ignore[attr-defined]
        if levels == {str(au): round(level, 3) for au, level in variant.units.items()}:
            return number
    raise SystemExit(f"pose {built} matches no variant of {emotion.key}")  # type: ignore[attr-defined]


def _active_side(built: dict) -> str:
    left = sum(per_side[0] for per_side in built["au"].values())
    right = sum(per_side[1] for per_side in built["au"].values())
    if (left > 0) == (right > 0):
        raise SystemExit(f"one-sided pose moves both or neither side: {built}")
    return "L" if left > 0 else "R"


def all_jobs(emotions: ModuleType) -> list[RenderJob]:
    neutral = emotions.NEUTRAL_POSE
    return [
        RenderJob("neutral", "neutral", 0, None, neutral),
        RenderJob("neutral again", "neutral", 0, None, neutral),
        RenderJob("neutral rescaled", "neutral", 0, None, neutral, RESCALE_FOR_NOISE),
        *full_intensity_jobs(emotions),
    ]


IDENTITIES_JS = """
async (items) => {
  const {identityFromSeed} = await import('/js/face/identity.js');
  return items.map(([seed, traits]) => {
    const id = identityFromSeed(seed, traits);
    // Rec. 601 luma of skin minus brow: how much darker the brows are drawn than the skin around them.
    const luma = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;
    return {seed: id.seed, fitzpatrick: id.skin.fitzpatrick, glasses: id.glasses, hairStyle: id.hair.style,
            hairColour: id.hair.colour, facialHair: id.facialHair, presentation: id.presentation, age: id.age,
            browContrast: Math.round(luma(id.skin.rgb) - luma(id.hair.browRgb)), traits};
  });
}
"""

# renderFace at device pixel ratio 1, for an identity with the server's traits (as static/js/presenter.js draws).
RENDER_JS = """
async ({items, jobs, size}) => {
  const {drawFace} = await import('/js/face/draw.js');
  const {identityFromSeed} = await import('/js/face/identity.js');
  const canvas = document.createElement('canvas');
  const out = [];
  for (const [seed, traits] of items) {
    const identity = identityFromSeed(seed, traits);
    out.push(jobs.map(({pose, scale}) => {
      const pixels = Math.round(size * scale);
      canvas.width = pixels;
      canvas.height = pixels;
      const ctx = canvas.getContext('2d');
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      drawFace(ctx, identity, pose, pixels);
      return canvas.toDataURL('image/png');
    }));
  }
  return out;
}
"""


@dataclass
class Identity:
    seed: int
    fitzpatrick: int
    glasses: str
    hairStyle: str  # camelCase: the renderer's field names, passed straight through as JSON
    hairColour: str
    facialHair: str
    presentation: str
    age: str
    browContrast: int  # skin luma minus brow luma (0-255): negative = brows lighter than the skin
    traits: dict | None = None  # as the server sends them: {fitzpatrick, glasses, facialHair}; None = seed only

    def groups(self) -> tuple[str, ...]:
        return (ROMAN[self.fitzpatrick], "glasses" if self.glasses != "none" else "no glasses",
                "facial hair" if self.facialHair != "none" else "no facial hair")


def sample_identities(page: Page, count: int, seed: int) -> list[Identity]:
    """``count`` identities spread evenly over Fitzpatrick I-VI x glasses x facial hair, with the traits
    set as the server sets them (game/identities.py), facial hair kinds taken in turn, hair styles varied.

    Seeds come from a seeded stream; each slot takes, of a few candidate seeds, the one whose hair style
    (then presentation) is least represented so far.
    """
    identities = _load("identities")
    kinds = [kind for kind in identities.FACIAL_HAIR_KINDS if kind != "none"]
    # Ordered so that the first 12 already hold every skin type with and without glasses, half of them
    # bearded (each skin type once each way): a small sample is as balanced as it can be.
    cells = [(skin, wears, bearded) for half in (0, 1) for skin in identities.FITZPATRICK_TYPES
             for wears in (False, True) for bearded in (False, True) if (skin + wears + bearded) % 2 == half]
    stream = random.Random(seed)
    slots = []
    beard_turn = 0
    for index in range(count):
        skin, wears, bearded = cells[index % len(cells)]
        kind = kinds[beard_turn % len(kinds)] if bearded else "none"
        beard_turn += bearded
        traits = {"fitzpatrick": skin, "glasses": wears, "facialHair": kind}
        slots.append([[stream.getrandbits(32), traits] for _ in range(6)])
    described = page.evaluate(IDENTITIES_JS, [candidate for slot in slots for candidate in slot])
    hair_used: Counter[str] = Counter()
    presentation_used: Counter[str] = Counter()
    chosen: list[Identity] = []
    for number in range(count):
        candidates = [Identity(**fields) for fields in described[number * 6:(number + 1) * 6]]
        best = min(candidates, key=lambda i: (hair_used[i.hairStyle], presentation_used[i.presentation]))
        hair_used[best.hairStyle] += 1
        presentation_used[best.presentation] += 1
        chosen.append(best)
    return chosen


class LandmarkDetector:
    """MediaPipe's legacy FaceMesh on RGB images; returns (478, 2) pixel landmarks or None."""

    def __init__(self) -> None:
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5
        )

    def landmarks(self, rgb: np.ndarray) -> np.ndarray | None:
        result = self._mesh.process(rgb)
        if not result.multi_face_landmarks:
            return None
        height, width = rgb.shape[:2]
        return np.array([[point.x * width, point.y * height] for point in result.multi_face_landmarks[0].landmark])

    def close(self) -> None:
        self._mesh.close()


@dataclass
class CheckOutcome:
    seed: int
    fitzpatrick: int
    glasses: bool
    facial_hair: str
    label: str
    change: float  # expression minus neutral (or minus the look-alike; for a floor check, the value itself)
    passed: bool = False  # decided once the detector noise of the whole run is known

    def groups(self) -> tuple[str, ...]:
        return (ROMAN[self.fitzpatrick], "glasses" if self.glasses else "no glasses",
                "facial hair" if self.facial_hair != "none" else "no facial hair")

    def cell(self) -> str:
        return cell_of(self.fitzpatrick, self.glasses, self.facial_hair)


@dataclass
class Sweep:
    identities: list[Identity]
    renders: int = 0
    undetected: list[dict] = field(default_factory=list)
    not_repeatable: list[dict] = field(default_factory=list)
    detector_noise: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[tuple[str, Check], list[CheckOutcome]] = field(default_factory=lambda: defaultdict(list))
    pngs: dict[tuple[int, str], bytes] = field(default_factory=dict)  # (seed, render label) -> PNG
    classifier_inputs: list[dict] = field(default_factory=list)  # PNGs written for the classifiers' opinions


def margins(sweep: Sweep, base_margin: float) -> dict[str, float]:
    """How far each measurement must move to count: the larger of its unit's base margin and the 95th
    percentile of the detector's own |change| on the identical neutral face drawn at another size."""
    units = {check.measurement: check.unit for checks in EXPECTED.values() for check in checks}
    return {name: max(BASE_MARGIN.get(units.get(name, "iod"), base_margin),
                      percentile([abs(value) for value in values if not math.isnan(value)], 95))
            for name, values in sweep.detector_noise.items()}


def margin_of(check: Check, margin_for: dict[str, float], base_margin: float) -> float:
    if check.margin is not None:
        return check.margin
    return margin_for.get(check.measurement, BASE_MARGIN.get(check.unit, base_margin))


def decide(sweep: Sweep, margin_for: dict[str, float], base_margin: float) -> None:
    for (_, check), outcomes in sweep.outcomes.items():
        for outcome in outcomes:
            outcome.passed = check.passes(outcome.change, margin_of(check, margin_for, base_margin))


def save_failing_samples(sweep: Sweep, directory: Path) -> int:
    """Write the PNG of every undetected render and every render failing a core check."""
    failing = {(miss["seed"], miss["render"]) for miss in sweep.undetected}
    failing |= {(outcome.seed, outcome.label) for (_, check), outcomes in sweep.outcomes.items() if check.core
                for outcome in outcomes if not outcome.passed}
    directory.mkdir(parents=True, exist_ok=True)
    for seed, label in sorted(failing):
        (directory / f"{seed}-{label.replace(' ', '-')}.png").write_bytes(sweep.pngs[(seed, label)])
    return len(failing)


def run_sweep(identities: list[Identity], jobs: list[RenderJob], page: Page, size: int,
              classifier_dir: Path | None) -> Sweep:
    sweep = Sweep(identities)
    detector = LandmarkDetector()
    payload_jobs = [{"pose": job.pose, "scale": job.scale} for job in jobs]
    try:
        for start in range(0, len(identities), IDENTITIES_PER_EVALUATE):
            batch = identities[start:start + IDENTITIES_PER_EVALUATE]
            rendered = page.evaluate(RENDER_JS, {"items": [[i.seed, i.traits] for i in batch], "jobs": payload_jobs,
                                                 "size": size})
            for identity, urls in zip(batch, rendered, strict=True):
                pngs = [base64.b64decode(url.split(",", 1)[1]) for url in urls]
                _evaluate_identity(sweep, identity, jobs, pngs, detector, classifier_dir)
            print(f"  {min(start + len(batch), len(identities))}/{len(identities)} identities", file=sys.stderr)
    finally:
        detector.close()
    return sweep


def _evaluate_identity(sweep: Sweep, identity: Identity, jobs: list[RenderJob], pngs: list[bytes],
                       detector: LandmarkDetector, classifier_dir: Path | None) -> None:
    landmarks: dict[str, np.ndarray] = {}
    images: dict[str, np.ndarray] = {}
    for job, png in zip(jobs, pngs, strict=True):
        sweep.renders += 1
        image = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        found = detector.landmarks(image)
        if found is None:
            sweep.undetected.append({"seed": identity.seed, "render": job.label, "fitzpatrick": identity.fitzpatrick,
                                     "glasses": identity.glasses, "facial_hair": identity.facialHair,
                                     "hair": identity.hairStyle})
            sweep.pngs[(identity.seed, job.label)] = png
            continue
        landmarks[job.label] = found
        images[job.label] = image
        if classifier_dir is not None and job.label not in ("neutral again", "neutral rescaled"):
            name = f"{identity.seed}_{job.label.replace(' ', '_')}.png"
            cv2.imwrite(str(classifier_dir / "gray" / name), cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))  # fer's input
            (classifier_dir / "colour" / name).write_bytes(png)
            low, high = found.min(axis=0), found.max(axis=0)
            sweep.classifier_inputs.append({
                "file": name, "seed": identity.seed, "emotion": job.emotion, "label": job.label,
                "box": [int(low[0]), int(low[1]), int(high[0] - low[0]), int(high[1] - low[1])],
                "groups": list(identity.groups())})
    if pngs[0] != pngs[1]:
        sweep.not_repeatable.append({"seed": identity.seed, "reason": "neutral re-render is not pixel-identical"})
    if "neutral" not in landmarks:
        return  # nothing to compare with; already counted as undetected

    def values(label: str, side: str | None) -> dict[str, float]:
        return {**measure(landmarks[label], side), **image_measures(images[label], landmarks[label], side)}

    neutral = values("neutral", None)
    if "neutral again" in landmarks:
        name, difference = max_abs_change(values("neutral again", None), neutral)
        if difference > 1e-9:
            sweep.not_repeatable.append({"seed": identity.seed, "reason": f"{name} differs by {difference:.2e}"})
    if "neutral rescaled" in landmarks:
        for side in ("L", "R"):  # both side mappings, so one-sided measurements get a noise estimate too
            noise = changes(values("neutral rescaled", side), values("neutral", side))
            for name, change in noise.items():
                sweep.detector_noise[name].append(change)
    measured = {job.label: values(job.label, job.active_side) for job in jobs
                if job.emotion != "neutral" and job.label in landmarks}
    for job in jobs:
        if job.label not in measured:
            continue
        expression_change = changes(measured[job.label], values("neutral", job.active_side))
        for check in EXPECTED[job.emotion]:
            if check.variant is not None and job.variant != check.variant:
                continue  # another variant's cue
            if check.floor is not None:
                change = measured[job.label][check.measurement]
            elif check.versus is not None:
                partners = [measured[other.label][check.measurement] for other in jobs
                            if other.emotion == check.versus and other.label in measured]
                if not partners:
                    continue  # the look-alike was not detected: already counted
                change = measured[job.label][check.measurement] - float(np.mean(partners))
            else:
                change = expression_change[check.measurement]
            sweep.outcomes[(job.emotion, check)].append(CheckOutcome(
                identity.seed, identity.fitzpatrick, identity.glasses != "none", identity.facialHair, job.label,
                change))
        # Kept until the margins are known, so failing renders can be saved as evidence.
        sweep.pngs[(identity.seed, job.label)] = png_of(jobs, pngs, job.label)


def png_of(jobs: list[RenderJob], pngs: list[bytes], label: str) -> bytes:
    return next(png for job, png in zip(jobs, pngs, strict=True) if job.label == label)


def _rate(outcomes: list[CheckOutcome]) -> float:
    return sum(outcome.passed for outcome in outcomes) / len(outcomes) if outcomes else float("nan")


def gated(check: Check, outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """The renders a check is judged on: checks of FaceMesh's brow points skip faces with glasses (FaceMesh snaps
    them to the rims; the image measures of the brows, which find the brows' own pixels, are judged on every face:
    the frame's top rim and bridge are hairlines, thinner than any brow); the dimple skips faces whose
    facial hair textures the cheek beside the mouth (face_measures.CHEEK_HAIR), a check with ``hidden_by`` the
    faces whose facial hair covers its cue (the nasolabial fold under a full beard, anger's pressed red among
    hairs round the mouth). All reported separately."""
    return [outcome for outcome in outcomes if not (check.brow and outcome.glasses)
            and not (check.bare_cheeks and outcome.facial_hair in CHEEK_HAIR)
            and outcome.facial_hair not in check.hidden_by]


def by_group(outcomes: list[CheckOutcome]) -> dict[str, list[CheckOutcome]]:
    grouped: dict[str, list[CheckOutcome]] = {group: [] for group in GROUPS}
    for outcome in outcomes:
        for group in outcome.groups():
            grouped[group].append(outcome)
    return grouped


def _scale(check: Check) -> float:
    return 100.0  # % IOD, contrast in percentage points, shares in %


def summarise(sweep: Sweep, margin_for: dict[str, float], base_margin: float, threshold: float,
              brow_threshold: float, min_group: int) -> dict:
    """Tables and verdict as JSON-ready data."""
    emotions_table = []
    problems: list[str] = []
    for (emotion, check), outcomes in sweep.outcomes.items():
        judged = gated(check, outcomes)
        rate = _rate(judged)
        changes_seen = [outcome.change for outcome in outcomes if not math.isnan(outcome.change)]
        groups = by_group(judged)
        gate = brow_threshold if check.brow else threshold
        failing_groups = [group for group, members in groups.items()
                          if len(members) >= min_group and _rate(members) < gate]
        scale = _scale(check)
        emotions_table.append({
            "emotion": emotion, "check": check.name, "measurement": check.measurement, "core": check.core,
            "brow": check.brow, "unit": check.unit, "versus": check.versus, "floor": check.floor,
            "direction": ("not " if check.ceiling else "") + {1: "up", -1: "down", 0: "steady"}[check.direction],
            "why": check.why,
            "margin_pct_iod": scale * margin_of(check, margin_for, base_margin),
            "renders": len(outcomes), "judged_renders": len(judged), "pass_rate": rate, "gate": gate,
            "pass_rate_all": _rate(outcomes),
            "pass_rate_no_glasses": _rate([o for o in outcomes if not o.glasses]),
            "pass_rate_glasses": _rate([o for o in outcomes if o.glasses]),
            "pass_rate_by_group": {group: _rate(members) for group, members in groups.items()},
            "judged_by_group": {group: len(members) for group, members in groups.items()},
            "failing_groups": failing_groups,
            "pass_rate_by_variant": {label: _rate([o for o in outcomes if o.label == label])
                                     for label in sorted({o.label for o in outcomes})},
            "pass_rate_by_facial_hair": {kind: _rate([o for o in judged if o.facial_hair == kind])
                                         for kind in sorted({o.facial_hair for o in judged})},
            "pass_rate_by_cell": {cell: _rate([o for o in judged if o.cell() == cell]) for cell in CELLS},
            "judged_by_cell": {cell: sum(o.cell() == cell for o in judged) for cell in CELLS},
            "median_change_by_group_pct_iod": {
                group: scale * median([o.change for o in members if not math.isnan(o.change)])
                for group, members in groups.items()},
            "median_change_pct_iod": scale * median(changes_seen),
            "p5_change_pct_iod": scale * percentile(changes_seen, 5),
            "p95_change_pct_iod": scale * percentile(changes_seen, 95),
            "failures": [asdict(outcome) for outcome in judged if not outcome.passed],
        })
        if not check.core:
            continue
        if rate < gate:
            problems.append(f"{emotion}: core check '{check.name}' passed {rate:.1%} of {len(judged)} renders "
                            f"< {gate:.0%}")
        for group in failing_groups:
            members = groups[group]
            problems.append(f"{emotion}: core check '{check.name}' passed {_rate(members):.1%} of {len(members)} "
                            f"renders in group '{group}' < {gate:.0%}")

    per_emotion_group = {
        emotion: {group: _rate(members) for group, members in by_group(
            [o for (e, check), outcomes in sweep.outcomes.items() if e == emotion and check.core
             for o in gated(check, outcomes)]).items()}
        for emotion in EXPECTED}
    renders_per_identity = sweep.renders // max(1, len(sweep.identities))
    group_table = []
    for group in GROUPS:
        members = [identity for identity in sweep.identities if group in identity.groups()]
        renders_here = renders_per_identity * len(members)
        undetected_here = sum(1 for miss in sweep.undetected if group in _miss_groups(miss))
        core_here = [o for (_, check), outcomes in sweep.outcomes.items() if check.core
                     for o in gated(check, outcomes) if group in o.groups()]
        group_table.append({
            "group": group, "identities": len(members), "renders": renders_here,
            "detected": renders_here - undetected_here, "core_checks": len(core_here),
            "core_pass_rate": _rate(core_here),
            "core_pass_rate_by_emotion": {emotion: per_emotion_group[emotion][group] for emotion in EXPECTED},
        })

    detection_rate = 1 - len(sweep.undetected) / sweep.renders if sweep.renders else 0.0
    if sweep.undetected:
        problems.append(f"{len(sweep.undetected)} of {sweep.renders} renders had no face detected")
    if sweep.not_repeatable:
        problems.append(f"{len(sweep.not_repeatable)} identities: the neutral re-render was not identical")
    noise = {name: {"p95_abs": 100 * percentile([abs(v) for v in values if not math.isnan(v)], 95),
                    "max_abs": 100 * max((abs(v) for v in values if not math.isnan(v)), default=float("nan"))}
             for name, values in sorted(sweep.detector_noise.items())}
    return {
        "identities": len(sweep.identities), "renders": sweep.renders, "detection_rate": detection_rate,
        "neutral_repeat_identical": len(sweep.identities) - len(sweep.not_repeatable),
        "base_margin_pct_iod": 100 * base_margin, "threshold": threshold, "brow_threshold": brow_threshold,
        "min_group": min_group, "undetected": sweep.undetected, "not_repeatable": sweep.not_repeatable,
        "detector_noise": noise, "emotions": emotions_table, "groups": group_table,
        "glasses": dict(Counter(identity.glasses for identity in sweep.identities)),
        "hair_styles": dict(Counter(identity.hairStyle for identity in sweep.identities).most_common()),
        "facial_hair": dict(Counter(identity.facialHair for identity in sweep.identities).most_common()),
        "identity_details": [asdict(identity) for identity in sweep.identities],
        "problems": problems, "ok": not problems,
    }


def _miss_groups(miss: dict) -> tuple[str, ...]:
    return (ROMAN[miss["fitzpatrick"]], "glasses" if miss["glasses"] != "none" else "no glasses",
            "facial hair" if miss["facial_hair"] != "none" else "no facial hair")


def run_classifier(command: list[str], directory: Path, inputs: list[dict], classes: dict[str, str]) -> dict:
    """An off-the-shelf classifier's verdict on every saved render in `directory`: `command` + [directory]
    prints {file: {"top", "scores", "detector"}} (scripts/fer_classify.py, scripts/faceapi_classify.py)."""
    (directory / "inputs.json").write_text(json.dumps(inputs))
    result = subprocess.run([*command, str(directory)], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return summarise_classifier(inputs, json.loads(result.stdout), classes)


def summarise_classifier(inputs: list[dict], verdicts: dict[str, dict], classes: dict[str, str]) -> dict:
    """Top-1 agreement per intended emotion and per group (contempt has no class: only what it reads as).
    `classes` names the classifier's class for each of our emotions."""
    rows = [{**item, **verdicts[item["file"]]} for item in inputs if item["file"] in verdicts]
    per_emotion = {}
    for emotion in ("neutral", *EXPECTED):
        mine = [row for row in rows if row["emotion"] == emotion]
        wanted = classes.get(emotion)
        per_emotion[emotion] = {  # own_detector_found: the classifier's face finder, not the FaceMesh box
            "renders": len(mine), "own_detector_found": sum(row["detector"] != "landmarks" for row in mine),
            "agree": sum(row["top"] == wanted for row in mine) if wanted else None,
            "read_as": dict(Counter(row["top"] for row in mine).most_common()),
            "by_group": {group: _share([row["top"] == wanted for row in mine if group in row["groups"]])
                         for group in GROUPS} if wanted else {},
        }
    # Per variant too: one variant misread (closed-mouth anger read as neutral) hides in its emotion's mean.
    by_variant = {label: {"renders": len(mine), "agree": _share([row["top"] == classes.get(row["emotion"])
                                                                 for row in mine]),
                          "read_as": dict(Counter(row["top"] for row in mine).most_common(3))}
                  for label in sorted({row["label"] for row in rows})
                  for mine in [[row for row in rows if row["label"] == label]]}
    scored = [row for row in rows if classes.get(row["emotion"])]
    overall_by_group = {group: _share([row["top"] == classes[row["emotion"]] for row in scored
                                       if group in row["groups"]]) for group in GROUPS}
    return {"renders": len(rows), "overall": _share([row["top"] == classes[row["emotion"]] for row in scored]),
            "overall_by_group": overall_by_group, "per_emotion": per_emotion, "by_variant": by_variant}


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def _pct(rate: float) -> str:
    return "–" if rate is None or math.isnan(rate) else f"{rate:.0%}"


def _cell(rate: float, judged: int, gate: float, min_group: int, core: bool) -> str:
    text = _pct(rate)
    return f"**{text}**" if core and judged >= min_group and not math.isnan(rate) and rate < gate else text


def print_report(summary: dict, show_failures: int) -> None:
    print(f"\n{summary['identities']} identities, {summary['renders']} renders, detection "
          f"{summary['detection_rate']:.2%}; neutral re-render identical for {summary['neutral_repeat_identical']}/"
          f"{summary['identities']}.\nPass = change in the expected direction beyond the margin (the larger of a "
          f"base margin, {summary['base_margin_pct_iod']:.1f}% IOD, and the detector's p95 noise on that measurement; "
          f"image measures have fixed margins, see face_measures); 'vs' checks compare with the same face's "
          f"look-alike emotion; floor checks need the level itself.\nCore checks gate at {summary['threshold']:.0%} "
          f"overall and in every group with >= {summary['min_group']} judged renders (bold = failing); checks "
          f"of FaceMesh's brow points are judged on faces without glasses (the brows' image measures on every face), "
          f"the dimple on faces without beard, goatee or stubble, the nasolabial fold on faces without a full "
          f"beard, anger's pressed red on faces without facial hair; a variant's own cue on that variant.\n")
    columns = " | ".join(GROUPS)
    for core in (True, False):
        print("Core checks and cues (gate):" if core else "\nReported checks (no gate):")
        print(f"| emotion | check | unit | judged pass | all renders | {columns} | median Δ | p5 … p95 | margin |")
        print("|---|---|---|---|---|" + "---|" * len(GROUPS) + "---|---|---|")
        for row in summary["emotions"]:
            if row["core"] != core:
                continue
            cells = " | ".join(_cell(row["pass_rate_by_group"][group], row["judged_by_group"][group], row["gate"],
                                     summary["min_group"], core) for group in GROUPS)
            overall = _cell(row["pass_rate"], summary["min_group"], row["gate"], summary["min_group"], core)
            name = row["check"] + (f" (vs {row['versus']})" if row["versus"] else "")
            margin = f"≥ {_pct(row['floor'])}" if row["floor"] else f"{row['margin_pct_iod']:.1f}"
            print(f"| {row['emotion']} | {name} | {row['unit']} | {overall} | {_pct(row['pass_rate_all'])} | {cells} | "
                  f"{row['median_change_pct_iod']:+.1f} | {row['p5_change_pct_iod']:+.1f} … "
                  f"{row['p95_change_pct_iod']:+.1f} | {margin} |")
    print("\nPer emotion, all core checks pooled (judged renders):\n| group | identities | detected | core pass | "
          + " | ".join(EXPECTED) + " |")
    print("|---|---|---|---|" + "---|" * len(EXPECTED))
    for row in summary["groups"]:
        by_emotion = " | ".join(_pct(rate) for rate in row["core_pass_rate_by_emotion"].values())
        print(f"| {row['group']} | {row['identities']} | {row['detected']}/{row['renders']} | "
              f"{_pct(row['core_pass_rate'])} | {by_emotion} |")
    kinds = sorted({kind for row in summary["emotions"] for kind in row["pass_rate_by_facial_hair"]})
    print("\nCore checks by facial hair kind:\n| emotion | check | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for row in summary["emotions"]:
        if row["core"]:
            print(f"| {row['emotion']} | {row['check']} | "
                  + " | ".join(_pct(row["pass_rate_by_facial_hair"].get(kind, float("nan"))) for kind in kinds) + " |")
    print("\nEvery check by cell, Fitzpatrick type x glasses (g) x facial hair (b), judged renders (not gated per "
          "cell: a cell holds 1/24 of the faces):\n| emotion | check | core | " + " | ".join(CELLS) + " |")
    print("|---|---|---|" + "---|" * len(CELLS))
    for row in summary["emotions"]:
        print(f"| {row['emotion']} | {row['check']} | {'yes' if row['core'] else ''} | "
              + " | ".join(_pct(row["pass_rate_by_cell"][cell]) for cell in CELLS) + " |")
    print("\nDetector noise (same neutral face, canvas rescaled), |Δ| ×100, p95 / max:")
    print("  " + "; ".join(f"{name} {stats['p95_abs']:.2f}/{stats['max_abs']:.2f}"
                           for name, stats in summary["detector_noise"].items()))
    print(f"\nGlasses: {summary['glasses']}\nHair styles: {summary['hair_styles']}\n"
          f"Facial hair: {summary['facial_hair']}")
    if "fer" in summary:
        print_classifier(summary["fer"], "Second opinion (fer", "haar found")
    if "faceapi" in summary:
        print_classifier(summary["faceapi"], "Third opinion (face-api's expression net on the FaceMesh box",
                         "own finder")
    details = {identity["seed"]: identity for identity in summary["identity_details"]}
    failing_core = [(row, failure) for row in summary["emotions"] if row["core"] for failure in row["failures"]]
    if failing_core:
        print(f"\nCore check failures ({len(failing_core)}, first {show_failures}):")
        for row, failure in failing_core[:show_failures]:
            who = details[failure["seed"]]
            print(f"  seed {failure['seed']} (Fitzpatrick {ROMAN[who['fitzpatrick']]}, glasses {who['glasses']}, "
                  f"facial hair {who['facialHair']}, hair {who['hairColour']}) {failure['label']}: "
                  f"{row['check']} {100 * failure['change']:+.2f}")
    for miss in summary["undetected"]:
        print(f"  NOT DETECTED: seed {miss['seed']} {miss['render']} (Fitzpatrick {ROMAN[miss['fitzpatrick']]}, "
              f"glasses {miss['glasses']}, facial hair {miss['facial_hair']}, hair {miss['hair']})")
    for item in summary["not_repeatable"]:
        print(f"  NOT REPEATABLE: seed {item['seed']}: {item['reason']}")
    print("\nRESULT: " + ("PASS" if summary["ok"] else "FAIL\n  " + "\n  ".join(summary["problems"])))


def print_classifier(fer: dict, title: str, found: str) -> None:
    print(f"\n{title}, top-1 of its 7 classes; not a gate): "
          f"{_pct(fer['overall'])} of {fer['renders']} renders read as intended (contempt excluded).")
    print(f"| intended | renders | {found} | read as intended | {' | '.join(GROUPS)} | read as |")
    print("|---|---|---|---|" + "---|" * len(GROUPS) + "---|")
    for emotion, row in fer["per_emotion"].items():
        agree = "–" if row["agree"] is None else _pct(row["agree"] / row["renders"] if row["renders"] else math.nan)
        groups = " | ".join(_pct(row["by_group"].get(group, math.nan)) for group in GROUPS)
        read = ", ".join(f"{label} {count}" for label, count in row["read_as"].items())
        print(f"| {emotion} | {row['renders']} | {row['own_detector_found']} | {agree} | {groups} | {read} |")
    print("| all but contempt | | | " + _pct(fer["overall"]) + " | "
          + " | ".join(_pct(fer["overall_by_group"][group]) for group in GROUPS) + " | |")
    print("By variant: " + "; ".join(
        f"{label} {_pct(row['agree'])} ({', '.join(f'{k} {v}' for k, v in row['read_as'].items())})"
        for label, row in fer.get("by_variant", {}).items() if not label.startswith("contempt")))


def renderer_fingerprint() -> dict:
    """Which renderer was measured: HEAD and a hash of static/js/face as it was on disk (it may be uncommitted)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static" / "js" / "face").glob("*.js")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "static/js/face", "game/emotions.py"], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "unknown", ""
    return {"git_head": head, "face_js_sha256": digest.hexdigest()[:16], "uncommitted_changes": bool(dirty)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=240,
                        help="faces to sample (10 per Fitzpatrick x glasses x facial hair cell at 240)")
    parser.add_argument("--seed", type=int, default=1, help="seeds the identity sample")
    parser.add_argument("--seeds", type=str, default="", help="comma-separated identity seeds (seed only, no traits)")
    parser.add_argument("--size", type=int, default=384, help="canvas size in pixels (device pixel ratio 1)")
    parser.add_argument("--margin", type=float, default=1.0,
                        help="%% IOD a landmark change must at least exceed to count (raised to the detector noise)")
    parser.add_argument("--threshold", type=float, default=0.95,
                        help="minimum pass rate of a core check, overall and in every group")
    parser.add_argument("--brow-threshold", type=float, default=0.95,
                        help="the same for core brow-landmark checks (judged on faces without glasses)")
    parser.add_argument("--min-group", type=int, default=20,
                        help="judged renders a group needs before its pass rate gates")
    parser.add_argument("--fer", type=Path, help="python of a virtualenv with the fer package: adds its verdicts")
    parser.add_argument("--faceapi", type=Path, help="directory of the @vladmandic/face-api npm package (make "
                        ".faceapi/installed): adds its expression net's verdicts")
    parser.add_argument("--json", type=Path, help="write the summary as JSON here")
    parser.add_argument("--samples", type=Path, help="save PNGs of failing renders in this directory")
    parser.add_argument("--show-failures", type=int, default=40)
    args = parser.parse_args()
    if not 1 <= args.identities <= 2000:
        parser.error("--identities must be 1..2000")
    if args.fer is not None and not args.fer.exists():
        parser.error(f"--fer {args.fer}: no such python (make .venv-fer/.installed creates it)")
    if args.faceapi is not None and not (args.faceapi / "model").is_dir():
        parser.error(f"--faceapi {args.faceapi}: no face-api package with its models (make .faceapi/installed)")
    base_margin = args.margin / 100
    emotions = load_emotions()
    jobs = all_jobs(emotions)
    renderer = renderer_fingerprint()  # now: the page loads the renderer once, at the start
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="glimpse-classifiers-") as scratch, serve_static() as base, \
            sync_playwright() as playwright:
        classifier_dir = Path(scratch) if args.fer or args.faceapi else None
        if classifier_dir is not None:
            (classifier_dir / "gray").mkdir()
            (classifier_dir / "colour").mkdir()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(device_scale_factor=1)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.route("**" + PAGE_PATH, lambda route: route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>validate faces</title>"))
            page.goto(base + PAGE_PATH)
            if args.seeds:
                items = [[int(seed), None] for seed in args.seeds.split(",") if seed.strip()]
                identities = [Identity(**fields) for fields in page.evaluate(IDENTITIES_JS, items)]
            else:
                identities = sample_identities(page, args.identities, args.seed)
            print(f"rendering {len(jobs)} faces for each of {len(identities)} identities: "
                  + ", ".join(job.label for job in jobs), file=sys.stderr)
            sweep = run_sweep(identities, jobs, page, args.size, classifier_dir)
            if errors:
                raise SystemExit("browser errors: " + json.dumps(errors))
        finally:
            browser.close()
        opinions = {}
        if args.fer:
            print(f"classifying {len(sweep.classifier_inputs)} renders with fer", file=sys.stderr)
            opinions["fer"] = run_classifier([str(args.fer), str(ROOT / "scripts" / "fer_classify.py")],
                                             classifier_dir / "gray", sweep.classifier_inputs, FER_CLASS)
        if args.faceapi:
            print(f"classifying {len(sweep.classifier_inputs)} renders with face-api", file=sys.stderr)
            opinions["faceapi"] = run_classifier(
                [sys.executable, str(ROOT / "scripts" / "faceapi_classify.py"), str(args.faceapi.resolve())],
                classifier_dir / "colour", sweep.classifier_inputs, FACEAPI_CLASS)
    margin_for = margins(sweep, base_margin)
    decide(sweep, margin_for, base_margin)
    summary = summarise(sweep, margin_for, base_margin, args.threshold, args.brow_threshold, args.min_group)
    summary.update(opinions)
    if args.samples:
        summary["samples_saved"] = save_failing_samples(sweep, args.samples)
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["command"] = " ".join(sys.argv)
    summary["jobs"] = [job.label for job in jobs]
    summary["renderer"] = renderer
    print_report(summary, args.show_failures)
    print(f"({summary['seconds']} s; renderer at {renderer['git_head']}, static/js/face sha256 "
          f"{renderer['face_js_sha256']}{' with uncommitted changes' if renderer['uncommitted_changes'] else ''})")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, default=str))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

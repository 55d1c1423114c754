"""Check that drawn faces move the way their action units say, with an offline landmark detector.

Renders faces with the real renderer (static/js/face/draw.js) in headless Chromium, finds 478
landmarks on each with MediaPipe FaceMesh, and compares every emotion with the same identity's
neutral face, in units of the measured inter-ocular distance (IOD).

    .venv-faces/bin/python scripts/validate_faces.py [--identities 210] [--seed 1] [--json out.json]

Per identity it renders: neutral; neutral again (must be pixel-identical: the renderer is
deterministic); neutral at a smaller canvas size (the detector's own noise, since the face is the
same in IOD units); and every variant of every emotion at full intensity, built by game.emotions.pose
exactly as the server builds it (contempt on both sides). Identities are stratified over Fitzpatrick
type I-VI x glasses on/off, and within each cell spread over hair styles.

Exit status 1 if any face is not detected, the neutral re-render differs, or a core check (the
emotion's defining action units, see face_measures.EXPECTED) passes on fewer than --threshold of
renders overall or within one skin tone.

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
from face_measures import EXPECTED, Check, changes, max_abs_change, measure, median, percentile  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, serve_static  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

# protobuf 4 warns on every FaceMesh call about an API mediapipe 0.10.14 still uses.
warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated")

PAGE_PATH = "/validate-faces.html"  # answered by a route handler: a same-origin page to import modules from
FITZPATRICK_TYPES = (1, 2, 3, 4, 5, 6)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
# Detector noise is measured on the same neutral face drawn at this fraction of the canvas size:
# the pixels differ, the face in IOD units does not.
RESCALE_FOR_NOISE = 0.875
MIN_RENDERS_PER_STRATUM = 40  # per (skin tone, emotion) check outcomes before its pass rate gates
IDENTITIES_PER_EVALUATE = 3  # ~20 PNGs per round trip: few round trips, bounded memory


def load_emotions() -> ModuleType:
    """game/emotions.py itself (stdlib only), without importing the game package, which needs Flask."""
    spec = importlib.util.spec_from_file_location("glimpse_emotions", ROOT / "game" / "emotions.py")
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load game/emotions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


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
async (seeds) => {
  const {identityFromSeed} = await import('/js/face/identity.js');
  return seeds.map((seed) => {
    const id = identityFromSeed(seed);
    // Rec. 601 luma of skin minus brow: how much darker the brows are drawn than the skin around them.
    const luma = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;
    return {seed: id.seed, fitzpatrick: id.skin.fitzpatrick, glasses: id.glasses, hairStyle: id.hair.style,
            hairColour: id.hair.colour, facialHair: id.facialHair, presentation: id.presentation, age: id.age,
            browContrast: Math.round(luma(id.skin.rgb) - luma(id.hair.browRgb))};
  });
}
"""

RENDER_JS = """
async ({seeds, jobs, size}) => {
  const {renderFace} = await import('/js/face/draw.js');
  const canvas = document.createElement('canvas');
  const out = [];
  for (const seed of seeds) {
    out.push(jobs.map(({pose, scale}) => {
      renderFace(canvas, seed, pose, Math.round(size * scale));
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


def sample_identities(page: Page, count: int, seed: int) -> list[Identity]:
    """``count`` identities spread evenly over Fitzpatrick I-VI x glasses on/off, varied in hair.

    Candidates come from a seeded stream of uint32 seeds; each cell of the 6 x 2 grid takes its
    quota, preferring the hair style (then facial hair) least represented so far.
    """
    cells = [(skin, wears) for skin in FITZPATRICK_TYPES for wears in (False, True)]
    quota = {cell: count // len(cells) + (1 if index < count % len(cells) else 0) for index, cell in enumerate(cells)}
    stream = random.Random(seed)
    candidates: dict[tuple[int, bool], list[Identity]] = defaultdict(list)
    for _ in range(50):  # glasses are ~35% of faces, so a pool of 30 x count is more than enough
        seeds = [stream.getrandbits(32) for _ in range(max(60, count * 6))]
        for fields in page.evaluate(IDENTITIES_JS, seeds):
            identity = Identity(**fields)
            candidates[(identity.fitzpatrick, identity.glasses != "none")].append(identity)
        if all(len(candidates[cell]) >= 3 * quota[cell] for cell in cells):
            break
    hair_used: Counter[str] = Counter()
    beard_used: Counter[str] = Counter()
    chosen: list[Identity] = []
    for _ in range(max(quota.values())):  # round robin over cells so the hair balance is shared
        for cell in cells:
            taken = sum(1 for identity in chosen if (identity.fitzpatrick, identity.glasses != "none") == cell)
            if taken >= quota[cell] or not candidates[cell]:
                continue
            best = min(candidates[cell], key=lambda i: (hair_used[i.hairStyle], beard_used[i.facialHair]))
            candidates[cell].remove(best)
            hair_used[best.hairStyle] += 1
            beard_used[best.facialHair] += 1
            chosen.append(best)
    if len(chosen) != count:
        raise SystemExit(f"could only sample {len(chosen)} of {count} identities")
    return chosen


class LandmarkDetector:
    """MediaPipe's legacy FaceMesh on PNG bytes; returns (478, 2) pixel landmarks or None."""

    def __init__(self) -> None:
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5
        )

    def landmarks(self, png: bytes) -> np.ndarray | None:
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        result = self._mesh.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        if not result.multi_face_landmarks:
            return None
        height, width = image.shape[:2]
        return np.array([[point.x * width, point.y * height] for point in result.multi_face_landmarks[0].landmark])

    def close(self) -> None:
        self._mesh.close()


@dataclass
class CheckOutcome:
    seed: int
    fitzpatrick: int
    glasses: bool
    label: str
    change: float  # IOD units, expression minus neutral
    passed: bool = False  # decided once the detector noise of the whole run is known


@dataclass
class Sweep:
    identities: list[Identity]
    renders: int = 0
    undetected: list[dict] = field(default_factory=list)
    not_repeatable: list[dict] = field(default_factory=list)
    detector_noise: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[tuple[str, Check], list[CheckOutcome]] = field(default_factory=lambda: defaultdict(list))
    pngs: dict[tuple[int, str], bytes] = field(default_factory=dict)  # (seed, render label) -> PNG


def margins(sweep: Sweep, base_margin: float) -> dict[str, float]:
    """How far each measurement must move to count: the larger of the base margin and the 95th
    percentile of the detector's own |change| on the identical neutral face drawn at another size."""
    return {name: max(base_margin, percentile([abs(value) for value in values], 95))
            for name, values in sweep.detector_noise.items()}


def decide(sweep: Sweep, margin_for: dict[str, float], base_margin: float) -> None:
    for (_, check), outcomes in sweep.outcomes.items():
        for outcome in outcomes:
            outcome.passed = check.passes(outcome.change, margin_for.get(check.measurement, base_margin))


def save_failing_samples(sweep: Sweep, directory: Path) -> int:
    """Write the PNG of every undetected render and every render failing a core check."""
    failing = {(miss["seed"], miss["render"]) for miss in sweep.undetected}
    failing |= {(outcome.seed, outcome.label) for (_, check), outcomes in sweep.outcomes.items() if check.core
                for outcome in outcomes if not outcome.passed}
    directory.mkdir(parents=True, exist_ok=True)
    for seed, label in sorted(failing):
        (directory / f"{seed}-{label.replace(' ', '-')}.png").write_bytes(sweep.pngs[(seed, label)])
    return len(failing)


def run_sweep(identities: list[Identity], jobs: list[RenderJob], page: Page, size: int) -> Sweep:
    sweep = Sweep(identities)
    detector = LandmarkDetector()
    payload_jobs = [{"pose": job.pose, "scale": job.scale} for job in jobs]
    try:
        for start in range(0, len(identities), IDENTITIES_PER_EVALUATE):
            batch = identities[start:start + IDENTITIES_PER_EVALUATE]
            rendered = page.evaluate(RENDER_JS, {"seeds": [i.seed for i in batch], "jobs": payload_jobs, "size": size})
            for identity, urls in zip(batch, rendered, strict=True):
                pngs = [base64.b64decode(url.split(",", 1)[1]) for url in urls]
                _evaluate_identity(sweep, identity, jobs, pngs, detector)
            print(f"  {min(start + len(batch), len(identities))}/{len(identities)} identities", file=sys.stderr)
    finally:
        detector.close()
    return sweep


def _evaluate_identity(sweep: Sweep, identity: Identity, jobs: list[RenderJob], pngs: list[bytes],
                       detector: LandmarkDetector) -> None:
    landmarks: dict[str, np.ndarray] = {}
    for job, png in zip(jobs, pngs, strict=True):
        sweep.renders += 1
        found = detector.landmarks(png)
        if found is None:
            sweep.undetected.append({"seed": identity.seed, "render": job.label, "fitzpatrick": identity.fitzpatrick,
                                     "glasses": identity.glasses, "hair": identity.hairStyle})
            sweep.pngs[(identity.seed, job.label)] = png
            continue
        landmarks[job.label] = found
    if pngs[0] != pngs[1]:
        sweep.not_repeatable.append({"seed": identity.seed, "reason": "neutral re-render is not pixel-identical"})
    if "neutral" not in landmarks:
        return  # nothing to compare with; already counted as undetected
    neutral = measure(landmarks["neutral"])
    if "neutral again" in landmarks:
        name, difference = max_abs_change(measure(landmarks["neutral again"]), neutral)
        if difference > 1e-9:
            sweep.not_repeatable.append({"seed": identity.seed, "reason": f"{name} differs by {difference:.2e} IOD"})
    if "neutral rescaled" in landmarks:
        for side in ("L", "R"):  # both side mappings, so one-sided measurements get a noise estimate too
            noise = changes(measure(landmarks["neutral rescaled"], side), measure(landmarks["neutral"], side))
            for name, change in noise.items():
                sweep.detector_noise[name].append(change)
    for job, png in zip(jobs, pngs, strict=True):
        if job.emotion == "neutral" or job.label not in landmarks:
            continue
        expression_change = changes(measure(landmarks[job.label], job.active_side),
                                    measure(landmarks["neutral"], job.active_side))
        for check in EXPECTED[job.emotion]:
            sweep.outcomes[(job.emotion, check)].append(CheckOutcome(
                identity.seed, identity.fitzpatrick, identity.glasses != "none", job.label,
                expression_change[check.measurement]))
        # Kept until the margins are known, so failing renders can be saved as evidence.
        sweep.pngs[(identity.seed, job.label)] = png


def _rate(outcomes: list[CheckOutcome]) -> float:
    return sum(outcome.passed for outcome in outcomes) / len(outcomes) if outcomes else float("nan")


def gated(check: Check, outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """The renders a check is judged on: brow checks skip faces with glasses (a detector blind spot)."""
    return [outcome for outcome in outcomes if not (check.brow and outcome.glasses)]


def contrast_band(brow_contrast: float) -> str:
    """Brow vs skin luma difference, in bands that matter to the detector (and to a glancing eye)."""
    if brow_contrast < 0:
        return "brows lighter than skin"
    return "darker by < 40" if brow_contrast < 40 else "darker by >= 40"


CONTRAST_BANDS = ("brows lighter than skin", "darker by < 40", "darker by >= 40")


def summarise(sweep: Sweep, margin_for: dict[str, float], base_margin: float, threshold: float,
              brow_threshold: float) -> dict:
    """Tables and verdict as JSON-ready data."""
    contrast = {identity.seed: identity.browContrast for identity in sweep.identities}
    emotions_table = []
    problems: list[str] = []
    for (emotion, check), outcomes in sweep.outcomes.items():
        judged = gated(check, outcomes)
        rate = _rate(judged)
        changes_seen = [outcome.change for outcome in outcomes]
        emotions_table.append({
            "emotion": emotion, "check": check.name, "measurement": check.measurement, "core": check.core,
            "brow": check.brow, "direction": {1: "up", -1: "down", 0: "steady"}[check.direction], "why": check.why,
            "margin_pct_iod": 100 * margin_for.get(check.measurement, base_margin),
            "renders": len(outcomes), "judged_renders": len(judged), "pass_rate": rate,
            "pass_rate_all": _rate(outcomes),
            "pass_rate_no_glasses": _rate([o for o in outcomes if not o.glasses]),
            "pass_rate_glasses": _rate([o for o in outcomes if o.glasses]),
            "pass_rate_by_variant": {label: _rate([o for o in outcomes if o.label == label])
                                     for label in sorted({o.label for o in outcomes})},
            "median_change_by_variant_pct_iod": {
                label: 100 * median([o.change for o in outcomes if o.label == label])
                for label in sorted({o.label for o in outcomes})},
            "pass_rate_by_brow_contrast": {band: _rate([o for o in judged if contrast_band(contrast[o.seed]) == band])
                                           for band in CONTRAST_BANDS},
            "median_change_pct_iod": 100 * median(changes_seen),
            "p5_change_pct_iod": 100 * percentile(changes_seen, 5),
            "p95_change_pct_iod": 100 * percentile(changes_seen, 95),
            "failures": [asdict(outcome) for outcome in judged if not outcome.passed],
        })
        gate = brow_threshold if check.brow else threshold
        if check.core and rate < gate:
            problems.append(f"{emotion}: core check '{check.name}' passed {rate:.1%} of {len(judged)} renders "
                            f"< {gate:.0%}")

    renders_per_identity = sweep.renders // max(1, len(sweep.identities))
    skin_table = []
    for skin in FITZPATRICK_TYPES:
        members = [identity for identity in sweep.identities if identity.fitzpatrick == skin]
        renders_here = renders_per_identity * len(members)
        undetected_here = sum(1 for miss in sweep.undetected if miss["fitzpatrick"] == skin)
        per_emotion = {}
        for emotion in EXPECTED:
            mine = [o for (e, check), outcomes in sweep.outcomes.items() if e == emotion and check.core
                    for o in gated(check, outcomes) if o.fitzpatrick == skin]
            per_emotion[emotion] = _rate(mine)
            # One skin tone failing an emotion is a fairness problem even when the overall rate hides it;
            # judged only with enough renders for a rate to mean something (the full sweep, not the test's 12).
            if len(mine) >= MIN_RENDERS_PER_STRATUM and _rate(mine) < brow_threshold:
                problems.append(f"Fitzpatrick {ROMAN[skin]}: {emotion} core checks pass {_rate(mine):.1%} "
                                f"< {brow_threshold:.0%}")
        core_here = [o for (_, check), outcomes in sweep.outcomes.items() if check.core
                     for o in gated(check, outcomes) if o.fitzpatrick == skin]
        skin_table.append({
            "fitzpatrick": skin, "identities": len(members),
            "with_glasses": sum(1 for identity in members if identity.glasses != "none"),
            "brows_lighter_than_skin": sum(1 for identity in members if identity.browContrast < 0),
            "renders": renders_here, "detected": renders_here - undetected_here,
            "detection_rate": (renders_here - undetected_here) / renders_here if renders_here else float("nan"),
            "core_checks": len(core_here), "core_pass_rate": _rate(core_here), "core_pass_rate_by_emotion": per_emotion,
        })

    detection_rate = 1 - len(sweep.undetected) / sweep.renders if sweep.renders else 0.0
    if sweep.undetected:
        problems.append(f"{len(sweep.undetected)} of {sweep.renders} renders had no face detected")
    if sweep.not_repeatable:
        problems.append(f"{len(sweep.not_repeatable)} identities: the neutral re-render was not identical")
    noise = {name: {"p95_abs_pct_iod": 100 * percentile([abs(v) for v in values], 95),
                    "max_abs_pct_iod": 100 * max(abs(v) for v in values)}
             for name, values in sorted(sweep.detector_noise.items())}
    return {
        "identities": len(sweep.identities), "renders": sweep.renders, "detection_rate": detection_rate,
        "neutral_repeat_identical": len(sweep.identities) - len(sweep.not_repeatable),
        "base_margin_pct_iod": 100 * base_margin, "threshold": threshold, "brow_threshold": brow_threshold,
        "undetected": sweep.undetected, "not_repeatable": sweep.not_repeatable,
        "detector_noise": noise, "emotions": emotions_table, "skin_tones": skin_table,
        "glasses": dict(Counter(identity.glasses for identity in sweep.identities)),
        "brow_contrast": dict(Counter(contrast_band(identity.browContrast) for identity in sweep.identities)),
        "hair_styles": dict(Counter(identity.hairStyle for identity in sweep.identities).most_common()),
        "facial_hair": dict(Counter(identity.facialHair for identity in sweep.identities).most_common()),
        "identity_details": [asdict(identity) for identity in sweep.identities],
        "problems": problems, "ok": not problems,
    }


def _pct(rate: float) -> str:
    return "–" if math.isnan(rate) else f"{rate:.0%}"


def print_report(summary: dict, show_failures: int) -> None:
    print(f"\n{summary['identities']} identities, {summary['renders']} renders, detection "
          f"{summary['detection_rate']:.2%}; neutral re-render identical for {summary['neutral_repeat_identical']}/"
          f"{summary['identities']}.\nPass = change in the expected direction beyond the margin (the larger of "
          f"{summary['base_margin_pct_iod']:.1f}% IOD and the detector's p95 noise on that measurement).\nCore checks "
          f"gate at {summary['threshold']:.0%}; core brow checks at {summary['brow_threshold']:.0%} on faces without "
          f"glasses; each skin tone's core checks per emotion at {summary['brow_threshold']:.0%} (given "
          f"{MIN_RENDERS_PER_STRATUM}+ outcomes).\n")
    print("| emotion | check | core | dir | judged pass | no glasses | glasses | per variant (all renders) "
          "| median Δ % IOD | p5 … p95 | margin |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in summary["emotions"]:
        by_variant = row["pass_rate_by_variant"].items()
        variants = " / ".join(f"{label.split()[-1]} {_pct(rate)}" for label, rate in by_variant)
        print(f"| {row['emotion']} | {row['check']} | {'yes' if row['core'] else ''} | {row['direction']} | "
              f"{row['pass_rate']:.1%} | {_pct(row['pass_rate_no_glasses'])} | {_pct(row['pass_rate_glasses'])} | "
              f"{variants} | {row['median_change_pct_iod']:+.1f} | {row['p5_change_pct_iod']:+.1f} … "
              f"{row['p95_change_pct_iod']:+.1f} | {row['margin_pct_iod']:.1f} |")
    print("\n| Fitzpatrick | identities | glasses | brows lighter than skin | detected | core pass | "
          + " | ".join(EXPECTED) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(EXPECTED))
    for row in summary["skin_tones"]:
        by_emotion = " | ".join(_pct(rate) for rate in row["core_pass_rate_by_emotion"].values())
        print(f"| {ROMAN[row['fitzpatrick']]} | {row['identities']} | {row['with_glasses']} | "
              f"{row['brows_lighter_than_skin']} | {row['detected']}/{row['renders']} | {row['core_pass_rate']:.1%} | "
              f"{by_emotion} |")
    print(f"\nCore brow checks (faces without glasses) by brow-vs-skin luma contrast {summary['brow_contrast']}:")
    print("| emotion | check | " + " | ".join(CONTRAST_BANDS) + " |")
    print("|---|---|" + "---|" * len(CONTRAST_BANDS))
    for row in summary["emotions"]:
        if row["core"] and row["brow"]:
            print(f"| {row['emotion']} | {row['check']} | "
                  + " | ".join(_pct(rate) for rate in row["pass_rate_by_brow_contrast"].values()) + " |")
    print("\nDetector noise (same neutral face, canvas rescaled), |Δ| in % IOD, p95 / max:")
    print("  " + "; ".join(f"{name} {stats['p95_abs_pct_iod']:.2f}/{stats['max_abs_pct_iod']:.2f}"
                           for name, stats in summary["detector_noise"].items()))
    print(f"\nGlasses: {summary['glasses']}\nHair styles: {summary['hair_styles']}\n"
          f"Facial hair: {summary['facial_hair']}")
    details = {identity["seed"]: identity for identity in summary["identity_details"]}
    failing_core = [(row, failure) for row in summary["emotions"] if row["core"] for failure in row["failures"]]
    if failing_core:
        print(f"\nCore check failures ({len(failing_core)}, first {show_failures}):")
        for row, failure in failing_core[:show_failures]:
            who = details[failure["seed"]]
            print(f"  seed {failure['seed']} (Fitzpatrick {ROMAN[who['fitzpatrick']]}, glasses {who['glasses']}, "
                  f"hair {who['hairColour']}, brow contrast {who['browContrast']:+d}) {failure['label']}: "
                  f"{row['check']} changed {100 * failure['change']:+.2f}% IOD")
    for miss in summary["undetected"]:
        print(f"  NOT DETECTED: seed {miss['seed']} {miss['render']} (Fitzpatrick {ROMAN[miss['fitzpatrick']]}, "
              f"glasses {miss['glasses']}, hair {miss['hair']})")
    for item in summary["not_repeatable"]:
        print(f"  NOT REPEATABLE: seed {item['seed']}: {item['reason']}")
    print("\nRESULT: " + ("PASS" if summary["ok"] else "FAIL\n  " + "\n  ".join(summary["problems"])))


def renderer_fingerprint() -> dict:
    """Which renderer was measured: HEAD and a hash of static/js/face as it was on disk (it may be uncommitted)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static" / "js" / "face").glob("*.js")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "static/js/face"], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "unknown", ""
    return {"git_head": head, "face_js_sha256": digest.hexdigest()[:16], "uncommitted_changes": bool(dirty)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=210, help="faces to sample (stratified; default 210)")
    parser.add_argument("--seed", type=int, default=1, help="seeds the identity sample")
    parser.add_argument("--seeds", type=str, default="", help="comma-separated identity seeds instead of sampling")
    parser.add_argument("--size", type=int, default=384, help="canvas size in pixels (device pixel ratio 1)")
    parser.add_argument("--margin", type=float, default=1.0,
                        help="%% IOD a change must at least exceed to count (raised to the detector noise)")
    parser.add_argument("--threshold", type=float, default=0.95, help="minimum pass rate of a core check")
    parser.add_argument("--brow-threshold", type=float, default=0.85,
                        help="minimum pass rate of a core brow check (faces without glasses) and of each skin tone")
    parser.add_argument("--json", type=Path, help="write the summary as JSON here")
    parser.add_argument("--samples", type=Path, help="save PNGs of failing renders in this directory")
    parser.add_argument("--show-failures", type=int, default=40)
    args = parser.parse_args()
    if not 1 <= args.identities <= 2000:
        parser.error("--identities must be 1..2000")
    base_margin = args.margin / 100
    emotions = load_emotions()
    jobs = all_jobs(emotions)
    started = time.monotonic()
    with serve_static() as base, sync_playwright() as playwright:
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
                seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
                identities = [Identity(**fields) for fields in page.evaluate(IDENTITIES_JS, seeds)]
            else:
                identities = sample_identities(page, args.identities, args.seed)
            print(f"rendering {len(jobs)} faces for each of {len(identities)} identities: "
                  + ", ".join(job.label for job in jobs), file=sys.stderr)
            sweep = run_sweep(identities, jobs, page, args.size)
            if errors:
                raise SystemExit("browser errors: " + json.dumps(errors))
        finally:
            browser.close()
    margin_for = margins(sweep, base_margin)
    decide(sweep, margin_for, base_margin)
    summary = summarise(sweep, margin_for, base_margin, args.threshold, args.brow_threshold)
    if args.samples:
        summary["samples_saved"] = save_failing_samples(sweep, args.samples)
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["command"] = " ".join(sys.argv)
    summary["jobs"] = [job.label for job in jobs]
    summary["renderer"] = renderer_fingerprint()
    print_report(summary, args.show_failures)
    renderer = summary["renderer"]
    print(f"({summary['seconds']} s; renderer at {renderer['git_head']}, static/js/face sha256 "
          f"{renderer['face_js_sha256']}{' with uncommitted changes' if renderer['uncommitted_changes'] else ''})")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, default=str))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

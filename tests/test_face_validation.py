"""Drawn faces move the way their action units say and show the cues a player must see, as an offline
landmark detector and image measures find them.

Runs scripts/validate_faces.py on a small balanced sample (12 identities: Fitzpatrick I-VI, each with and
without glasses, half of them with facial hair) in its own virtualenv, .venv-faces (mediapipe 0.10.14
needs numpy<2 and protobuf<5, so it cannot live in .venv). `make test` creates that virtualenv first; the
full sweep with its per-group gates and the fer second opinion is `make validate-faces` (240 identities,
docs/face-validation.md). The image measures are also tested here on synthetic images.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
FACES_PYTHON = ROOT / ".venv-faces" / "bin" / "python"
SCRIPT = ROOT / "scripts" / "validate_faces.py"
SAMPLE_IDENTITIES = 12
# The full sweep holds core checks to 95% overall and per group; on 12 identities a single face failing
# both variants of one check is already 8%, so the small sample's bar is one step lower (and its groups,
# 2-6 identities each, are too small to gate: the full sweep gates them).
SMALL_SAMPLE_THRESHOLD = 0.90

sys.path.insert(0, str(ROOT / "scripts"))
import face_measures  # noqa: E402
from face_measures import EXPECTED, face_frame, image_measures, measure  # noqa: E402

# Cues the renderer does not yet draw strongly enough on every face (issue 9; the face renderer's work).
# Each names its check; remove an entry once the sample passes it.
NOT_YET: dict[tuple[str, str], str] = {}


def _core_checks() -> list:
    return [pytest.param(emotion, check.name, id=f"{emotion}: {check.name}",
                         marks=[pytest.mark.xfail(reason=NOT_YET[(emotion, check.name)], strict=False)]
                         if (emotion, check.name) in NOT_YET else [])
            for emotion, checks in EXPECTED.items() for check in checks if check.core]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    if not FACES_PYTHON.exists():
        pytest.fail(f"{FACES_PYTHON.relative_to(ROOT)} is missing: `make .venv-faces/.installed` creates it "
                    "(mediapipe==0.10.14, numpy<2, protobuf<5, playwright)")
    out = tmp_path_factory.mktemp("faces")
    result = subprocess.run(
        [str(FACES_PYTHON), str(SCRIPT), "--identities", str(SAMPLE_IDENTITIES), "--seed", "1",
         "--threshold", str(SMALL_SAMPLE_THRESHOLD), "--brow-threshold", str(SMALL_SAMPLE_THRESHOLD),
         "--json", str(out / "summary.json"), "--samples", str(out / "failing")],
        cwd=ROOT, capture_output=True, text=True, timeout=400,
    )
    summary_path = out / "summary.json"
    assert summary_path.exists(), f"validate_faces.py wrote no summary:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.returncode, json.loads(summary_path.read_text()), result.stdout


def test_sample_covers_every_skin_tone_with_and_without_glasses_and_facial_hair(sweep: tuple[int, dict, str]
                                                                                ) -> None:
    _, summary, _ = sweep
    details = summary["identity_details"]
    assert {(who["fitzpatrick"], who["glasses"] != "none") for who in details} == {
        (skin, wears) for skin in range(1, 7) for wears in (False, True)}
    bearded = [who for who in details if who["facialHair"] != "none"]
    assert len(bearded) == SAMPLE_IDENTITIES // 2 and {who["fitzpatrick"] for who in bearded} == set(range(1, 7))
    # The traits were applied as the server sends them.
    assert all(who["traits"]["fitzpatrick"] == who["fitzpatrick"] for who in details)


def test_every_face_is_detected(sweep: tuple[int, dict, str]) -> None:
    _, summary, _ = sweep
    assert summary["undetected"] == []
    assert summary["detection_rate"] == 1.0
    assert summary["renders"] == SAMPLE_IDENTITIES * len(summary["jobs"])


def test_the_same_neutral_face_renders_identically(sweep: tuple[int, dict, str]) -> None:
    _, summary, _ = sweep
    assert summary["not_repeatable"] == []


def test_every_core_check_is_reported_for_every_group(sweep: tuple[int, dict, str]) -> None:
    _, summary, _ = sweep
    rows = {(row["emotion"], row["check"]): row for row in summary["emotions"] if row["core"]}
    assert set(rows) == {(emotion, check.name) for emotion, checks in EXPECTED.items() for check in checks
                         if check.core}
    for row in rows.values():
        assert set(row["pass_rate_by_group"]) == {"I", "II", "III", "IV", "V", "VI", "no glasses", "glasses",
                                                  "no facial hair", "facial hair"}


@pytest.mark.parametrize(("emotion", "check"), _core_checks())
def test_core_check_passes_on_the_sample(sweep: tuple[int, dict, str], emotion: str, check: str) -> None:
    _, summary, stdout = sweep
    row = next(row for row in summary["emotions"] if row["emotion"] == emotion and row["check"] == check)
    assert row["pass_rate"] >= SMALL_SAMPLE_THRESHOLD, (
        f"{emotion} '{check}': {row['pass_rate']:.0%} (median {row['median_change_pct_iod']:+.1f}, by group "
        f"{ {group: round(rate, 2) for group, rate in row['pass_rate_by_group'].items()} }, failing "
        f"{[(f['seed'], f['label']) for f in row['failures']]})\n{stdout[-3000:]}")


def test_exit_status_matches_the_verdict(sweep: tuple[int, dict, str]) -> None:
    returncode, summary, _ = sweep
    assert returncode == (0 if summary["ok"] else 1)


def _synthetic_face() -> np.ndarray:
    """478 landmarks with eye corners 100 px apart and every other point somewhere below them."""
    rng = np.random.default_rng(7)
    points = rng.uniform([100, 120], [220, 260], size=(478, 2))
    points[33] = [110, 100]
    points[263] = [210, 100]
    return points


def test_measurements_ignore_image_scale_rotation_and_position() -> None:
    face = _synthetic_face()
    angle = np.deg2rad(11)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (face @ rotation.T) * 1.7 + [40, -25]
    original, transformed = measure(face, "L"), measure(moved, "L")
    assert original.keys() == transformed.keys()
    for name in original:
        assert transformed[name] == pytest.approx(original[name], abs=1e-9), name


def test_face_frame_puts_eye_corners_one_unit_apart_on_the_x_axis() -> None:
    frame = face_frame(_synthetic_face())
    assert frame[33] == pytest.approx([-0.5, 0.0])
    assert frame[263] == pytest.approx([0.5, 0.0])
    # y grows downward, as in the image: a point below the eyes has positive y.
    assert frame[13][1] > 0


# ---- Image measures on drawn-by-hand images: a 300 px canvas, IOD 100 px, eye line at y = 100 ----

def _frame(x: float, y: float) -> list[float]:
    return [150 + 100 * x, 100 + 100 * y]


def _plain_face() -> np.ndarray:
    """Landmarks where the image measures look: eyes, lids, nose, mouth."""
    points = np.tile(np.array(_frame(0, 0.3)), (478, 1))
    points[33], points[263] = _frame(-0.5, 0), _frame(0.5, 0)
    points[133], points[362] = _frame(-0.17, 0), _frame(0.17, 0)
    for side, sign in (("R", -1), ("L", 1)):
        contour = face_measures.UPPER_LID_CONTOUR[side]
        for index, t in zip(contour, np.linspace(0, 1, len(contour)), strict=True):
            x = sign * (0.5 - 0.33 * t)
            points[index] = _frame(x, -0.06 * np.sin(np.pi * t))
    points[168], points[4] = _frame(0, 0.02), _frame(0, 0.42)
    points[98], points[327] = _frame(-0.12, 0.48), _frame(0.12, 0.48)
    points[61], points[291] = _frame(-0.25, 0.8), _frame(0.25, 0.8)
    for index, t in zip(face_measures.OUTER_LIPS, np.linspace(0, 2 * np.pi, len(face_measures.OUTER_LIPS),
                                                              endpoint=False), strict=True):
        points[index] = _frame(-0.25 * np.cos(t), 0.8 - 0.05 * np.sin(t))
    return points


def _canvas(skin: tuple[int, int, int]) -> np.ndarray:
    return np.full((300, 300, 3), skin, dtype=np.uint8)


def _box(image: np.ndarray, x: tuple[float, float], y: tuple[float, float], colour) -> None:
    (left, top), (right, bottom) = _frame(x[0], y[0]), _frame(x[1], y[1])
    image[round(top):round(bottom), round(left):round(right)] = colour


LIGHT, DARK = (236, 200, 174), (92, 60, 44)


def _with_brows(skin, inner: float) -> np.ndarray:
    image = _canvas(skin)
    for sign in (-1, 1):
        _box(image, sorted((sign * inner, sign * 0.45)), (-0.34, -0.27), (30, 24, 20))
    return image


@pytest.mark.parametrize("skin", [LIGHT, DARK])
def test_brow_gap_finds_the_inner_ends_of_the_brows(skin) -> None:
    face = _plain_face()
    wide = image_measures(_with_brows(skin, 0.16), face)["brow_gap_image"]
    knit = image_measures(_with_brows(skin, 0.08), face)["brow_gap_image"]
    assert wide == pytest.approx(0.32, abs=0.02) and knit == pytest.approx(0.16, abs=0.02)
    joined = _with_brows(skin, 0.08)
    _box(joined, (-0.1, 0.1), (-0.34, -0.27), (30, 24, 20))
    assert image_measures(joined, face)["brow_gap_image"] == 0.0


def test_brow_gap_ignores_thin_lines_and_narrow_uprights_and_misses_invisible_brows() -> None:
    face = _plain_face()
    image = _with_brows(LIGHT, 0.16)
    _box(image, (-0.4, 0.4), (-0.2, -0.19), (20, 20, 20))  # a glasses rim's top: thin
    _box(image, (-0.1, -0.09), (-0.5, -0.05), (20, 20, 20))  # a rim's side or a crease: narrow
    assert image_measures(image, face)["brow_gap_image"] == pytest.approx(0.32, abs=0.02)
    faint = _with_brows(LIGHT, 0.16)
    _box(faint, (0.16, 0.45), (-0.34, -0.27), (225, 190, 165))  # the face's left brow barely darker than skin
    assert np.isnan(image_measures(faint, face)["brow_gap_image"])


def _brows_at(skin, height: float, arch: float = 0.0, shift: float = 0.0) -> np.ndarray:
    """Brows from x 0.16 to 0.56 each side, 0.07 IOD thick, their middle ``height`` above the eye line, the middle
    of each brow (x 0.3-0.4) ``arch`` higher still; both moved ``shift`` along the eye line (the face's midline off
    the landmarks' origin)."""
    image = _canvas(skin)
    for sign in (-1, 1):
        for start, stop, lift in ((0.16, 0.3, 0.0), (0.3, 0.4, arch), (0.4, 0.56, 0.0)):
            _box(image, sorted((sign * start + shift, sign * stop + shift)),
                 (-height - lift - 0.035, -height - lift + 0.035), (30, 24, 20))
    return image


@pytest.mark.parametrize("skin", [LIGHT, DARK])
def test_brow_heights_follow_the_brows_pixels(skin) -> None:
    face = _plain_face()
    resting = image_measures(_brows_at(skin, 0.3), face)
    raised = image_measures(_brows_at(skin, 0.4), face)
    for side in ("L", "R"):
        assert resting[f"inner_brow_height_image_{side}"] == pytest.approx(0.3, abs=0.01)
        for part in ("inner", "outer"):
            rise = raised[f"{part}_brow_height_image_{side}"] - resting[f"{part}_brow_height_image_{side}"]
            assert rise == pytest.approx(0.1, abs=0.01), (part, side)
    arched = image_measures(_brows_at(skin, 0.3, arch=0.04), face)
    assert arched["brow_arch_image_L"] - resting["brow_arch_image_L"] == pytest.approx(0.04, abs=0.01)


@pytest.mark.parametrize("shift", [-0.03, 0.03])
def test_brow_arch_is_read_along_the_brows_not_from_the_eye_corners_midpoint(shift) -> None:
    """FaceMesh's outer eye corners sit up to 0.02 IOD off the midline of a wide-eyed drawn face: the arch, a shape,
    is read along each brow from the brows' own midline, so both sides keep their arch (read from the eye corners'
    midpoint, one side's outer columns fell on its arch and it lost a third of it)."""
    face = _plain_face()
    flat = image_measures(_brows_at(LIGHT, 0.3, shift=shift), face)
    arched = image_measures(_brows_at(LIGHT, 0.3, arch=0.04, shift=shift), face)
    for side in ("L", "R"):
        assert arched[f"brow_arch_image_{side}"] - flat[f"brow_arch_image_{side}"] == pytest.approx(0.04, abs=0.005)
        assert flat[f"brow_arch_image_{side}"] == pytest.approx(0.0, abs=0.005)


def test_brow_heights_ignore_a_thin_rim_and_lashes_under_the_brows_and_miss_invisible_brows() -> None:
    face = _plain_face()
    image = _brows_at(LIGHT, 0.3)
    _box(image, (-0.5, 0.5), (-0.2, -0.19), (20, 20, 20))  # a glasses top rim: a hairline under the brows
    _box(image, (-0.5, 0.5), (-0.095, -0.08), (20, 20, 20))  # lashes along the lids
    assert image_measures(image, face)["inner_brow_height_image_L"] == pytest.approx(0.3, abs=0.01)
    # A lowered brow's shadow on the lid, as dark as a pale brow and thicker, does not pull the brow down.
    shaded = _brows_at(LIGHT, 0.3)
    _box(shaded, (-0.5, 0.5), (-0.2, -0.1), (150, 125, 110))
    assert image_measures(shaded, face)["inner_brow_height_image_L"] == pytest.approx(0.3, abs=0.01)
    faint = _canvas(LIGHT)
    _box(faint, (0.16, 0.56), (-0.335, -0.265), (225, 190, 165))  # barely darker than the skin: no brow to measure
    assert np.isnan(image_measures(faint, face)["inner_brow_height_image_L"])


def _with_nose_folds(skin, colour_of) -> np.ndarray:
    image = _canvas(skin)
    for y in (0.08, 0.14, 0.2):
        _box(image, (-0.08, 0.08), (y, y + 0.012), colour_of(np.array(skin)))
    return image


def test_nose_wrinkles_count_relative_to_the_local_skin_on_light_and_dark_skin() -> None:
    face = _plain_face()
    darker = lambda skin: (skin * 0.7).astype(np.uint8)  # noqa: E731 - a crease as a shade of the skin
    fixed = lambda _skin: np.array([88, 58, 42])  # noqa: E731 - one dark brown for everyone, near type VI skin
    plain = {skin: image_measures(_canvas(skin), face)["nose_wrinkle_contrast"] for skin in (LIGHT, DARK)}
    assert plain == {LIGHT: 0.0, DARK: 0.0}
    for skin in (LIGHT, DARK):
        assert image_measures(_with_nose_folds(skin, darker), face)["nose_wrinkle_contrast"] > 0.03
    # A fixed brown reads on light skin and vanishes on dark skin: the measure sees that.
    assert image_measures(_with_nose_folds(LIGHT, fixed), face)["nose_wrinkle_contrast"] > 0.03
    assert image_measures(_with_nose_folds(DARK, fixed), face)["nose_wrinkle_contrast"] < 0.01


def test_furrows_between_the_brows_count_relative_to_the_local_skin_on_light_and_dark_skin() -> None:
    face = _plain_face()
    darker = lambda skin: (skin * 0.7).astype(np.uint8)  # noqa: E731
    fixed = lambda _skin: np.array([88, 58, 42])  # noqa: E731
    assert image_measures(_canvas(DARK), face)["glabella_contrast"] == 0.0

    def furrows(skin, colour_of) -> np.ndarray:
        image = _canvas(skin)
        for x in (-0.03, 0.02):  # two vertical furrows between the brow heads, above the nose root
            _box(image, (x, x + 0.012), (-0.16, -0.01), colour_of(np.array(skin)))
        return image

    for skin in (LIGHT, DARK):
        assert image_measures(furrows(skin, darker), face)["glabella_contrast"] > 0.03
    assert image_measures(furrows(DARK, fixed), face)["glabella_contrast"] < 0.01
    # Brows pulled together whose heads stay outside the strip are not furrows.
    brows = _with_brows(LIGHT, 0.07)
    assert image_measures(brows, face)["glabella_contrast"] == 0.0


def test_nasolabial_fold_is_measured_beside_each_nose_wing() -> None:
    face = _plain_face()
    image = _canvas(DARK)
    _box(image, (0.15, 0.162), (0.48, 0.56), (np.array(DARK) * 0.7).astype(np.uint8))  # beside the face's left wing
    values = image_measures(image, face)
    assert values["nasolabial_contrast_L"] > 0.03 and values["nasolabial_contrast_R"] == 0.0


def test_dimple_contrast_is_measured_beside_each_corner() -> None:
    face = _plain_face()
    image = _canvas(LIGHT)
    _box(image, (0.31, 0.32), (0.76, 0.84), (170, 140, 120))  # a short crease beside the face's left corner
    values = image_measures(image, face, "L")
    assert values["dimple_contrast_L"] > 0.03 and values["dimple_contrast_R"] == 0.0
    assert values["dimple_contrast_asymmetry_active"] == pytest.approx(values["dimple_contrast_L"])


def test_lips_are_visible_unless_they_take_the_skin_colour() -> None:
    face = _plain_face()
    lips = _canvas(LIGHT)
    _box(lips, (-0.25, 0.25), (0.785, 0.815), (176, 104, 104))
    assert image_measures(lips, face)["lip_visible_share"] == 1.0
    pale = _canvas(LIGHT)
    _box(pale, (-0.25, 0.25), (0.785, 0.815), (230, 196, 172))  # a pale line, ΔE ~3 from the skin
    assert image_measures(pale, face)["lip_visible_share"] == 0.0


def _eyes(skin, lid_above_iris: float, white=(236, 234, 228), lower_lid: float = 0.06) -> tuple[np.ndarray, np.ndarray]:
    """Two eyes on the eye line: an opening of ``white`` from the upper lid (``lid_above_iris`` IOD above the iris
    top) down to the lower lid (``lower_lid`` IOD below the eye line), a dark iris of radius 0.08 IOD, and the
    landmarks FaceMesh would put on them."""
    face = _plain_face()
    image = _canvas(skin)
    radius = 0.08
    for side, sign in (("R", -1), ("L", 1)):
        centre = (sign * 0.33, 0.0)
        _box(image, (centre[0] - 0.15, centre[0] + 0.15), (-radius - lid_above_iris, lower_lid), white)
        _box(image, (centre[0] - radius, centre[0] + radius), (-radius, min(radius, lower_lid)), (60, 40, 30))
        _box(image, (centre[0] - 0.03, centre[0] + 0.03), (-0.03, 0.03), (11, 10, 12))  # the pupil
        face[face_measures.IRIS_CENTRE[side]] = _frame(*centre)
        for index, (dx, dy) in zip(face_measures.IRIS_EDGE[side], ((1, 0), (0, -1), (-1, 0), (0, 1)), strict=True):
            face[index] = _frame(centre[0] + radius * dx, centre[1] + radius * dy)
    return image, face


@pytest.mark.parametrize("skin", [LIGHT, DARK])
def test_white_above_the_iris_is_measured_from_the_pixels(skin) -> None:
    covered = image_measures(*_eyes(skin, 0.0))
    staring = image_measures(*_eyes(skin, 0.06))
    for side in ("L", "R"):
        assert covered[f"sclera_above_iris_{side}"] < 0.01
        assert staring[f"sclera_above_iris_{side}"] == pytest.approx(0.06, abs=0.012)
    # Lid skin raised off the iris is not white: an opening the colour of the skin shows no sclera.
    lid = image_measures(*_eyes(skin, 0.06, white=skin))
    assert lid["sclera_above_iris_L"] == 0.0
    fear = next(check for check in EXPECTED["fear"] if check.name == "white above the iris L")
    assert fear.passes(staring["sclera_above_iris_L"] - covered["sclera_above_iris_L"], fear.margin)
    assert not fear.passes(lid["sclera_above_iris_L"] - covered["sclera_above_iris_L"], fear.margin)


@pytest.mark.parametrize("skin", [LIGHT, DARK, (247, 224, 210)])
def test_lower_lid_height_follows_the_lowest_white_beside_the_iris(skin) -> None:
    relaxed = image_measures(*_eyes(skin, 0.04, lower_lid=0.07))
    tense_image, tense_face = _eyes(skin, 0.04, lower_lid=0.04)
    tense = image_measures(tense_image, tense_face)
    for side in ("L", "R"):
        assert relaxed[f"lower_lid_height_image_{side}"] == pytest.approx(-0.07, abs=0.008)
        assert tense[f"lower_lid_height_image_{side}"] - relaxed[f"lower_lid_height_image_{side}"] == pytest.approx(
            0.03, abs=0.008)
    higher = next(check for check in EXPECTED["fear"] if check.name == "lower lid higher than in surprise L")
    change = tense["lower_lid_height_image_L"] - relaxed["lower_lid_height_image_L"]
    assert higher.passes(change, higher.margin) and not higher.passes(-change, higher.margin)
    # The drawn pupil anchors the lid, not FaceMesh's iris point, which wanders between renders of one eye.
    tense_face[face_measures.IRIS_CENTRE["L"]] += [1, 2]  # 2 px: 0.02 IOD here
    assert image_measures(tense_image, tense_face)["lower_lid_height_image_L"] == pytest.approx(
        tense["lower_lid_height_image_L"], abs=0.002)
    # No white to find (the opening the colour of the skin): no lid height, and the check cannot pass.
    hidden = image_measures(*_eyes(skin, 0.04, white=skin))["lower_lid_height_image_L"]
    assert np.isnan(hidden) and not higher.passes(hidden - relaxed["lower_lid_height_image_L"], higher.margin)


BEARD = (38, 30, 26)


@pytest.mark.parametrize(("skin", "around"), [(LIGHT, LIGHT), (DARK, DARK), (DARK, BEARD), (LIGHT, BEARD)])
def test_mouth_width_follows_the_lips_pixels_in_skin_or_beard(skin, around) -> None:
    face = _plain_face()  # FaceMesh's corners at x = +-0.25, whatever the pixels show

    def mouth(half_width: float, lips=(150, 70, 76)) -> np.ndarray:
        image = _canvas(skin)
        _box(image, (-0.6, 0.6), (0.6, 1.0), around)  # the skin or beard round the mouth
        for x in np.arange(-0.55, 0.55, 0.05):  # a beard's strands: thin lines, not a mouth
            _box(image, (x, x + 0.006), (0.62, 0.98), tuple(min(255, c + 40) for c in around))
        _box(image, (0.27, 0.6), (0.6, 1.0), LIGHT if around == BEARD else BEARD)  # a goatee's edge beside the mouth
        _box(image, (-half_width, half_width), (0.77, 0.83), lips)  # the lips are drawn over the hair
        return image

    rest = image_measures(mouth(0.25), face)["mouth_width_image"]
    stretched = image_measures(mouth(0.38), face)["mouth_width_image"]
    assert rest == pytest.approx(0.5, abs=0.02) and stretched == pytest.approx(0.76, abs=0.02)
    wider = next(check for check in EXPECTED["fear"] if check.name == "mouth wider")
    assert wider.passes(stretched - rest, wider.margin) and not wider.passes(0.0, wider.margin)
    # Lips the colour of what surrounds them show no mouth to measure (a strand of beard is no mouth either).
    hidden = image_measures(mouth(0.38, lips=around), face)["mouth_width_image"]
    assert not hidden > 0.05 and not wider.passes(hidden - rest, wider.margin)
@pytest.mark.parametrize(("skin", "beard"), [(LIGHT, BEARD), (DARK, (214, 208, 200))])
def test_mouth_width_ignores_a_beard_that_thickens_downward_across_the_lips(skin, beard) -> None:
    face = _plain_face()

    def mouth(half_width: float) -> np.ndarray:
        image = _canvas(skin)
        for y in np.arange(0.55, 1.1, 0.01):  # a fifth of full density under the nose, full below the lips
            density = min(1.0, 0.2 + 0.8 * (y - 0.55) / 0.4)
            _box(image, (-0.6, 0.6), (y, y + 0.01), tuple(round((1 - density) * s + density * b)
                                                          for s, b in zip(skin, beard, strict=True)))
        _box(image, (-half_width, half_width), (0.77, 0.83), (150, 70, 76))
        return image

    rest = image_measures(mouth(0.25), face)["mouth_width_image"]
    stretched = image_measures(mouth(0.38), face)["mouth_width_image"]
    assert rest == pytest.approx(0.5, abs=0.02) and stretched == pytest.approx(0.76, abs=0.02)
    wider = next(check for check in EXPECTED["fear"] if check.name == "mouth wider")
    assert wider.passes(stretched - rest, wider.margin)


def _with_nose_base(face: np.ndarray) -> np.ndarray:
    face = face.copy()
    face[face_measures.SUBNASALE] = _frame(0, 0.53)
    return face


def _nostrils(skin, half_width: float, colour_of) -> np.ndarray:
    """Two nostril openings either side of the midline, ``half_width`` IOD wide each way from their centres."""
    image = _canvas(skin)
    for centre in (-0.06, 0.06):
        _box(image, (centre - half_width, centre + half_width), (0.49, 0.515), colour_of(np.array(skin)))
    return image


def test_flared_nostrils_darken_more_of_the_nose_base_relative_to_the_skin_on_light_and_dark_skin() -> None:
    face = _with_nose_base(_plain_face())
    shade = lambda skin: (skin * 0.35).astype(np.uint8)  # noqa: E731 - an opening as a deep shade of the skin
    fixed = lambda _skin: np.array([80, 52, 38])  # noqa: E731 - one dark brown for everyone, near type VI skin
    assert image_measures(_canvas(DARK), face)["nostril_dark_share"] == 0.0
    for skin in (LIGHT, DARK):
        narrow = image_measures(_nostrils(skin, 0.02, shade), face)["nostril_dark_share"]
        flared = image_measures(_nostrils(skin, 0.035, shade), face)["nostril_dark_share"]
        assert narrow > 0.01 and flared - narrow > face_measures.NOSTRIL_MARGIN, (skin, narrow, flared)
    # A fixed dark colour shows on light skin and is no opening at all on dark skin: the measure sees that.
    assert image_measures(_nostrils(DARK, 0.035, fixed), face)["nostril_dark_share"] < 0.01
    flared = next(check for check in EXPECTED["anger"] if check.name == "nostrils flared")
    assert not flared.passes(0.0, face_measures.NOSTRIL_MARGIN)


def test_chin_boss_texture_counts_relative_to_the_local_skin_below_the_lower_lip() -> None:
    face = _plain_face()
    face[face_measures.CHIN] = _frame(0, 1.2)
    darker = lambda skin: (skin * 0.7).astype(np.uint8)  # noqa: E731
    for skin in (LIGHT, DARK):
        assert image_measures(_canvas(skin), face)["chin_contrast"] == 0.0
        dimpled = _canvas(skin)
        for x, y in ((-0.07, 0.92), (0.03, 0.94), (-0.02, 0.99), (0.05, 1.02), (-0.07, 1.05), (0.0, 1.09)):
            _box(dimpled, (x, x + 0.04), (y, y + 0.012), darker(np.array(skin)))
        assert image_measures(dimpled, face)["chin_contrast"] > 0.03
    # Lines under the chin's tip or beside it are not the chin boss.
    outside = _canvas(LIGHT)
    _box(outside, (0.15, 0.2), (0.95, 1.1), darker(np.array(LIGHT)))
    _box(outside, (-0.1, 0.1), (1.18, 1.19), darker(np.array(LIGHT)))
    assert image_measures(outside, face)["chin_contrast"] == 0.0


def test_pressed_lips_narrow_their_visible_red_and_vanishing_lips_have_none() -> None:
    face = _plain_face()
    heights = {}
    for name, (top, bottom), colour in (("full", (0.77, 0.83), (176, 104, 104)), ("pressed", (0.79, 0.81),
                                        (150, 80, 84)), ("vanished", (0.79, 0.81), (230, 196, 172))):
        image = _canvas(LIGHT)
        _box(image, (-0.25, 0.25), (top, bottom), colour)
        heights[name] = image_measures(image, face)["lip_red_height"]
    assert heights["full"] == pytest.approx(0.06, abs=0.01) and heights["pressed"] == pytest.approx(0.02, abs=0.01)
    assert heights["vanished"] == 0.0
    narrower = next(check for check in EXPECTED["anger"] if check.name == "pressed lips: red narrower")
    assert narrower.variant == 2 and narrower.passes(heights["pressed"] - heights["full"], narrower.margin)
    assert not narrower.passes(0.0, narrower.margin)


def test_checks_pass_on_the_expected_side_of_their_margin() -> None:
    knit = next(check for check in EXPECTED["anger"] if check.name == "brows knit")
    assert knit.passes(-0.05, 0.02) and not knit.passes(-0.01, 0.02) and not knit.passes(float("nan"), 0.02)
    visible = next(check for check in EXPECTED["anger"] if check.name == "lips stay visible")
    assert visible.passes(0.95, 0.0) and not visible.passes(0.5, 0.0)


def _lids(lower_lid: float, upper_lid: float) -> np.ndarray:
    """A face whose eye corners lie on y = 100 (IOD 100 px) with its lids' centres at the given heights (px)."""
    face = _synthetic_face()
    face[133], face[362] = [140, 100], [180, 100]
    for side in ("L", "R"):
        face[face_measures.LOWER_LID[side], 1] = lower_lid
        face[face_measures.UPPER_LID[side], 1] = upper_lid
    return face


def test_disgust_squint_raises_the_lower_lid_and_not_the_upper_one() -> None:
    checks = {check.name: check for check in EXPECTED["disgust"]}
    lower_up, upper_still = checks["lower lid up L"], checks["upper lid not raised L"]
    neutral, squint, glare = measure(_lids(108, 90)), measure(_lids(103, 91.5)), measure(_lids(103, 86))
    # Both narrow the eye from below ...
    for face in (squint, glare):
        assert lower_up.passes(face["lower_lid_raise_L"] - neutral["lower_lid_raise_L"], 0.01)
    assert not lower_up.passes(neutral["lower_lid_raise_L"] - neutral["lower_lid_raise_L"], 0.01)
    # ... but only the squint keeps the upper lid from rising: a disgust face drawn with a glare (AU5) fails.
    assert upper_still.passes(squint["upper_lid_raise_L"] - neutral["upper_lid_raise_L"], 0.01)
    assert upper_still.passes(0.0, 0.01)
    assert not upper_still.passes(glare["upper_lid_raise_L"] - neutral["upper_lid_raise_L"], 0.01)

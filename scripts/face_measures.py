"""Pure measurement helpers for validating drawn faces against their action units.

Input: MediaPipe FaceMesh landmarks (478 points with refine_landmarks=True) in image pixels.
Everything here is numpy only, so it can be unit-tested without a browser or a model.

Conventions, matching static/js/face/geometry.js:
- "L"/"R" are the face's OWN left/right. The face's left appears on the viewer's right. MediaPipe's
  "left eye" landmarks (263, 386, 374, ...) are also the subject's left, so L uses MediaPipe's left points.
- Measurements are in a face frame: origin midway between the outer eye corners (33, 263), x along the
  eye line toward the face's left, y perpendicular to it, downward, in units of the inter-ocular distance
  (IOD). So in-plane rotation and image scale cancel, and "up" means "toward the brows".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# FaceMesh landmark indices (canonical face mesh topology; R = subject's right = image left).
OUTER_EYE_CORNER = {"R": 33, "L": 263}
MOUTH_CORNER = {"R": 61, "L": 291}
UPPER_LIP_INNER_CENTRE = 13
LOWER_LIP_INNER_CENTRE = 14
UPPER_LIP_OUTER_CENTRE = 0
LOWER_LIP_OUTER_CENTRE = 17
SUBNASALE = 2  # where the nose meets the upper lip
NOSE_BASE = (2, 98, 327)  # subnasale and the two alar bases: the nostril wings that AU9 lifts
UPPER_LID = {"R": 159, "L": 386}
LOWER_LID = {"R": 145, "L": 374}
IRIS_CENTRE = {"R": 468, "L": 473}  # only with refine_landmarks=True
# Several points per brow region, averaged: single brow points slide along a drawn brow, so a
# mean of the upper and lower contour points near each end is steadier.
INNER_BROW = {"R": (107, 66, 55, 65), "L": (336, 296, 285, 295)}
OUTER_BROW = {"R": (70, 63, 46, 53), "L": (300, 293, 276, 283)}

SIDES = ("L", "R")
OTHER_SIDE = {"L": "R", "R": "L"}


def face_frame(landmarks_px: np.ndarray) -> np.ndarray:
    """Landmarks expressed in the eye-line frame described in the module docstring, in IOD units."""
    right_corner = landmarks_px[OUTER_EYE_CORNER["R"]]
    left_corner = landmarks_px[OUTER_EYE_CORNER["L"]]
    inter_ocular = float(np.linalg.norm(left_corner - right_corner))
    if inter_ocular <= 0:
        raise ValueError("outer eye corners coincide")
    x_axis = (left_corner - right_corner) / inter_ocular
    y_axis = np.array([-x_axis[1], x_axis[0]])  # x rotated +90 degrees: points down when the eyes are level
    origin = (left_corner + right_corner) / 2
    return (landmarks_px - origin) @ np.stack([x_axis, y_axis]).T / inter_ocular


def _height(points: np.ndarray, indices: int | tuple[int, ...]) -> float:
    """Height above the eye line (positive = above), mean over the given points."""
    return float(-np.mean(points[list(np.atleast_1d(indices)), 1]))


def measure(landmarks_px: np.ndarray, active_side: str | None = None) -> dict[str, float]:
    """Named distances of one face, in IOD units (multiply by 100 for % IOD).

    :param landmarks_px: (N, 2) FaceMesh landmarks in pixels, N >= 478
    :param active_side: for one-sided expressions, "L" or "R": adds side-relative measurements
        (the same side mapping must be used for the neutral face it is compared with)
    """
    points = face_frame(landmarks_px)
    mouth_centre_y = (points[UPPER_LIP_INNER_CENTRE, 1] + points[LOWER_LIP_INNER_CENTRE, 1]) / 2
    values: dict[str, float] = {
        "mouth_width": float(points[MOUTH_CORNER["L"], 0] - points[MOUTH_CORNER["R"], 0]),
        "mouth_opening": float(points[LOWER_LIP_INNER_CENTRE, 1] - points[UPPER_LIP_INNER_CENTRE, 1]),
        "upper_lip_to_nose": float(points[UPPER_LIP_OUTER_CENTRE, 1] - points[SUBNASALE, 1]),
        "upper_lip_inner_to_nose": float(points[UPPER_LIP_INNER_CENTRE, 1] - points[SUBNASALE, 1]),
        "upper_lip_height": _height(points, UPPER_LIP_OUTER_CENTRE),
        "nose_base_height": _height(points, NOSE_BASE),
        "lip_thickness": float(
            (points[UPPER_LIP_INNER_CENTRE, 1] - points[UPPER_LIP_OUTER_CENTRE, 1])
            + (points[LOWER_LIP_OUTER_CENTRE, 1] - points[LOWER_LIP_INNER_CENTRE, 1])
        ),
        "brow_distance": float(
            np.mean(points[list(INNER_BROW["L"]), 0]) - np.mean(points[list(INNER_BROW["R"]), 0])
        ),
    }
    for side in SIDES:
        corner = MOUTH_CORNER[side]
        values[f"corner_height_{side}"] = _height(points, corner)
        # Relative to the lip centre: independent of head pitch, but moves with a dropping jaw.
        values[f"corner_above_mouth_centre_{side}"] = float(mouth_centre_y - points[corner, 1])
        values[f"inner_brow_height_{side}"] = _height(points, INNER_BROW[side])
        values[f"outer_brow_height_{side}"] = _height(points, OUTER_BROW[side])
        values[f"eye_opening_{side}"] = float(points[LOWER_LID[side], 1] - points[UPPER_LID[side], 1])
        values[f"iris_drop_{side}"] = float(points[IRIS_CENTRE[side], 1])
    if active_side is not None:
        other = OTHER_SIDE[active_side]
        values["corner_height_active"] = values[f"corner_height_{active_side}"]
        values["corner_height_other"] = values[f"corner_height_{other}"]
        values["corner_asymmetry_active"] = values["corner_height_active"] - values["corner_height_other"]
    return values


@dataclass(frozen=True)
class Check:
    """One expected movement: a measurement's change from neutral, in a direction.

    ``direction`` +1 expects an increase, -1 a decrease, 0 expects no change beyond ``margin``.
    ``core`` checks carry the emotion's defining action units and gate the exit code; the others
    are reported for information (secondary AUs whose size on a drawn face is small or ambiguous).
    ``brow`` marks measurements of brow landmarks, which FaceMesh snaps to the top rim of drawn
    glasses once the brows move away from it (see docs/face-validation.md): they gate on faces
    without glasses and are reported separately for faces with glasses.
    """

    name: str
    measurement: str
    direction: int
    core: bool
    why: str
    brow: bool = False

    def signed_effect(self, change: float) -> float:
        """The change in the expected direction (positive = as intended); for direction 0, minus its size."""
        return change * self.direction if self.direction else -abs(change)

    def passes(self, change: float, margin: float) -> bool:
        if self.direction == 0:
            return abs(change) < margin
        return self.signed_effect(change) > margin


def _both_sides(name: str, measurement: str, direction: int, core: bool, why: str) -> list[Check]:
    brow = "brow" in measurement
    return [Check(f"{name} {side}", f"{measurement}_{side}", direction, core, why, brow) for side in SIDES]


UP, DOWN, STEADY = 1, -1, 0

# What each emotion must do to the measured face, from facs.md's EMFACS prototypes.
EXPECTED: dict[str, list[Check]] = {
    "happiness": [
        Check("mouth wider", "mouth_width", UP, True, "AU12 pulls the corners out"),
        *_both_sides("corner up", "corner_height", UP, True, "AU12 pulls the corners up"),
        *_both_sides("eye narrower", "eye_opening", DOWN, False, "AU6 pushes the lower lid up"),
    ],
    "sadness": [
        *_both_sides("corner down", "corner_height", DOWN, True, "AU15 pulls the corners down"),
        *_both_sides("inner brow up", "inner_brow_height", UP, True, "AU1 raises the inner brow"),
        *_both_sides("corner below lip centre", "corner_above_mouth_centre", DOWN, False, "AU15, pitch-free"),
        *_both_sides("iris down", "iris_drop", UP, False, "AU64 gaze down (0.5-0.7)"),
    ],
    "surprise": [
        Check("mouth opens", "mouth_opening", UP, True, "AU26 drops the jaw"),
        *_both_sides("inner brow up", "inner_brow_height", UP, True, "AU1"),
        *_both_sides("outer brow up", "outer_brow_height", UP, True, "AU2"),
        *_both_sides("eye wider", "eye_opening", UP, False, "AU5B raises the upper lid"),
    ],
    "fear": [
        Check("mouth opens", "mouth_opening", UP, True, "AU26 / AU25"),
        Check("mouth wider", "mouth_width", UP, True, "AU20 stretches the lips sideways"),
        *_both_sides("inner brow up", "inner_brow_height", UP, True, "AU1 (with AU4 the brow stays flat)"),
        *_both_sides("outer brow up", "outer_brow_height", UP, False, "AU2 0.7"),
        *_both_sides("eye wider", "eye_opening", UP, False, "AU5 0.9 against AU7 0.5"),
    ],
    "anger": [
        *_both_sides("inner brow down", "inner_brow_height", DOWN, True, "AU4 lowers the brows"),
        Check("brows together", "brow_distance", DOWN, False, "AU4 pulls the brows together", brow=True),
        Check("lips thinner", "lip_thickness", DOWN, False, "AU23 thins the lips"),
    ],
    "disgust": [
        Check("upper lip up", "upper_lip_height", UP, True, "AU9/AU10 lift the upper lip (cue 'Upper lip raised')"),
        Check("upper lip nearer nose", "upper_lip_to_nose", DOWN, True, "AU9/AU10 lift the lip toward the nose"),
        Check("upper lip (inner) nearer nose", "upper_lip_inner_to_nose", DOWN, False, "AU9/AU10"),
        Check("nostrils up", "nose_base_height", UP, False, "AU9 lifts the nostril wings"),
        *_both_sides("corner down", "corner_height", DOWN, False, "AU15 0.5-0.6"),
        *_both_sides("inner brow down", "inner_brow_height", DOWN, False, "AU4 0.3 and AU9 pull the brows down"),
    ],
    "contempt": [
        Check("active corner above the other", "corner_asymmetry_active", UP, True,
              "R12A+R14A on one side only: asymmetry beyond the neutral face's"),
        Check("active corner up", "corner_height_active", UP, False, "AU12 0.55 on the active side"),
        Check("other corner steady", "corner_height_other", STEADY, False, "the other side stays neutral"),
        Check("mouth opening steady", "mouth_opening", STEADY, False, "no AU25/26"),
    ],
}


def changes(expression: dict[str, float], neutral: dict[str, float]) -> dict[str, float]:
    """Expression minus neutral for every measurement both have."""
    return {name: expression[name] - neutral[name] for name in expression if name in neutral}


def max_abs_change(first: dict[str, float], second: dict[str, float]) -> tuple[str, float]:
    """The measurement that differs most between two faces, and by how much (IOD units)."""
    diffs = changes(first, second)
    name = max(diffs, key=lambda key: abs(diffs[key]))
    return name, abs(diffs[name])


def median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


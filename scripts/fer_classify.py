"""A second opinion on drawn faces: the off-the-shelf `fer` expression classifier reads each render.

    .venv-fer/bin/python scripts/fer_classify.py DIRECTORY

DIRECTORY holds grayscale PNGs and inputs.json (a list of {"file", "box": [x, y, w, h], ...}, the
FaceMesh box of the face) written by scripts/validate_faces.py. Prints JSON {file: {"top": class,
"scores": {class: p}, "detector": "haar" | "landmarks"}}: fer's own face detector (OpenCV's Haar
cascade, as fer ships it) finds the face when it can; otherwise the FaceMesh box is used, so every
render gets a verdict. Runs offline: fer bundles its model (data/emotion_model_quantized.tflite).

Its own virtualenv (`make .venv-fer/.installed`): fer needs TensorFlow, which the other virtualenvs
must not carry (mediapipe 0.10.14 pins numpy<2 and protobuf<5).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import cv2  # noqa: E402
from fer.fer import FER  # noqa: E402  (fer/__init__.py exports nothing)

logging.getLogger("fer").setLevel(logging.ERROR)


def main() -> int:
    directory = Path(sys.argv[1])
    inputs = json.loads((directory / "inputs.json").read_text())
    detector = FER()  # Haar cascade face finder, quantized TFLite model: fer's defaults
    verdicts = {}
    for item in inputs:
        gray = cv2.imread(str(directory / item["file"]), cv2.IMREAD_GRAYSCALE)
        image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        found = detector.detect_emotions(image)
        source = "haar"
        if not found:
            found = detector.detect_emotions(image, face_rectangles=[tuple(item["box"])])
            source = "landmarks"
        if not found:
            continue
        biggest = max(found, key=lambda face: face["box"][2] * face["box"][3])
        scores = {name: round(float(score), 4) for name, score in biggest["emotions"].items()}
        verdicts[item["file"]] = {"top": max(scores, key=scores.__getitem__), "scores": scores, "detector": source}
    json.dump(verdicts, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

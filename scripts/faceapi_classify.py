"""A third opinion on drawn faces: face-api's expression net (@vladmandic/face-api) in headless Chromium.

    .venv-faces/bin/python scripts/faceapi_classify.py PACKAGE DIRECTORY

PACKAGE is the npm package's directory (`make .faceapi/installed` puts it in
.faceapi/node_modules/@vladmandic/face-api); DIRECTORY holds colour PNGs and inputs.json (a list of
{"file", "box": [x, y, w, h], ...}, the FaceMesh box of the face) written by scripts/validate_faces.py.
Prints JSON {file: {"top": class, "scores": {class: p}, "detector": "landmarks"}}: the expression net
reads the FaceMesh box cut out of each render. Not face-api's own face finder: its SSD MobileNet v1 took
25 s a render on the shared CPU backend (found the drawn face in 11 of 20), the crop and the
expression net a small fraction of that.

Independent of fer: another network (a small depthwise-separable CNN on 112 px colour crops, not
fer's 48 px grayscale mini-Xception) trained on other photos, in another runtime (TensorFlow.js, CPU
backend). Runs offline: the npm package ships the weights (model/*.bin), the page loads them from disk.
"""

from __future__ import annotations

import json
import mimetypes
import sys
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://faceapi.invalid"  # never reaches the network: every request is answered from disk below
BATCH = 40  # renders per page.evaluate, so progress shows and no call runs for long

SETUP_JS = """async () => {
  const faceapi = await import('/package/dist/face-api.esm.js');
  await faceapi.tf.setBackend('cpu');  // deterministic, and needs no GPU in headless Chromium
  await faceapi.tf.ready();
  await faceapi.nets.faceExpressionNet.loadFromUri('/package/model');
  window.faceapi = faceapi;
}"""

CLASSIFY_JS = """async (items) => {
  const faceapi = window.faceapi;
  const verdicts = {};
  for (const item of items) {
    const image = new Image();
    image.src = '/renders/' + item.file;
    await image.decode();
    const [x, y, w, h] = item.box;
    const [face] = await faceapi.extractFaces(image, [new faceapi.Rect(x, y, w, h)]);
    const scores = await faceapi.nets.faceExpressionNet.predictExpressions(face);
    const rounded = Object.fromEntries(Object.entries(scores).map(([name, p]) => [name, Math.round(p * 1e4) / 1e4]));
    const top = Object.entries(rounded).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    verdicts[item.file] = { top, scores: rounded, detector: 'landmarks' };
  }
  return verdicts;
}"""


def main() -> int:
    package, directory = Path(sys.argv[1]), Path(sys.argv[2])
    if not (package / "model" / "face_expression_model.bin").exists():
        raise SystemExit(f"{package}: no face-api package with its models (make .faceapi/installed)")
    inputs = json.loads((directory / "inputs.json").read_text())
    roots = {"/package/": package, "/renders/": directory}

    def from_disk(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        for prefix, root in roots.items():
            if path.startswith(prefix) and (root / path.removeprefix(prefix)).is_file():
                file = root / path.removeprefix(prefix)
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
                return
        if path == "/":
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>face-api</title>")
            return
        route.fulfill(status=404, body="not here")

    verdicts: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route(ORIGIN + "/**", from_disk)
            page.goto(ORIGIN + "/")
            page.evaluate(SETUP_JS)
            for start in range(0, len(inputs), BATCH):
                verdicts.update(page.evaluate(CLASSIFY_JS, inputs[start:start + BATCH]))
                print(f"  face-api {min(start + BATCH, len(inputs))}/{len(inputs)}", file=sys.stderr)
            if errors:
                raise SystemExit("browser errors: " + json.dumps(errors))
        finally:
            browser.close()
    json.dump(verdicts, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long one trial's faces take to draw: a neutral + expression pair at DPR 3, 320 CSS px.

Runs the real modules in headless Chromium over many faces and prints the median and p90 per
pair, next to a baseline measured in the same run (a plain filled ellipse of the same size,
drawn twice), and the ratio. Each draw is followed by a one-pixel getImageData so the
rasterisation is counted, not just the recording of commands. A second pass repeats it with
Chromium's CPU throttled 4x as a rough stand-in for a mid-range phone.

With --against REV the face modules as they were at git revision REV are drawn in the same page, trial by
trial in alternating order, so a shared, loaded machine slows both alike; the ratio of the medians says
whether a change made drawing slower.

    .venv/bin/python bench/face_draw.py [--faces 240] [--against 379a435]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from contact_sheet import CHROMIUM, CHROMIUM_ARGS, serve_static  # noqa: E402

from game.emotions import EMOTION_KEYS, pose  # noqa: E402

CSS_SIZE = 320
DPR = 3

BENCH_JS = """
async ({trials, size, against}) => {
  const {drawFace} = await import('/js/face/draw.js');
  const {identityFromSeed} = await import('/js/face/identity.js');
  const old = against ? {
    drawFace: (await import('/against/js/face/draw.js')).drawFace,
    identityFromSeed: (await import('/against/js/face/identity.js')).identityFromSeed,
  } : null;
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio;
  canvas.width = canvas.height = Math.round(size * ratio);
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  const neutral = {au: {}, gaze: [0, 0], head: {pitch: 0, roll: 0}};
  const flush = () => ctx.getImageData(0, 0, 1, 1);
  const face = (identity, p, draw = drawFace) => {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw(ctx, identity, p, size);
    flush();
  };
  const oldPair = ({seed, pose}) => {
    const identity = old.identityFromSeed(seed);
    const t = performance.now();
    face(identity, neutral, old.drawFace);
    face(identity, pose, old.drawFace);
    return performance.now() - t;
  };
  const ellipse = () => {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#1a1d29';
    ctx.fillRect(0, 0, size, size);
    ctx.beginPath();
    ctx.ellipse(size / 2, size / 2, size * 0.3, size * 0.4, 0, 0, Math.PI * 2);
    ctx.fillStyle = '#c08a64';
    ctx.fill();
    flush();
  };
  for (let i = 0; i < 10; i++) { face(identityFromSeed(i), trials[i].pose); ellipse(); if (old) oldPair(trials[i]); }
  const faceMs = [];
  const baseMs = [];
  const againstMs = [];
  for (const [index, {seed, pose}] of trials.entries()) {
    if (old && index % 2 === 0) againstMs.push(oldPair(trials[index]));
    const identity = identityFromSeed(seed);
    let t = performance.now();
    face(identity, neutral);
    face(identity, pose);
    faceMs.push(performance.now() - t);
    t = performance.now();
    ellipse();
    ellipse();
    baseMs.push(performance.now() - t);
    if (old && index % 2 === 1) againstMs.push(oldPair(trials[index]));
  }
  return {faceMs, baseMs, againstMs, ratio};
}
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(page: Page, trials: list[dict], throttle: float, against: str | None) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    result = page.evaluate(BENCH_JS, {"trials": trials, "size": CSS_SIZE, "against": bool(against)})
    session.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    face_median = percentile(result["faceMs"], 0.5)
    base_median = percentile(result["baseMs"], 0.5)
    print(f"CPU throttle {throttle:g}x, DPR {result['ratio']:g}, {CSS_SIZE} CSS px, {len(trials)} faces:")
    print(f"  face pair (neutral + expression): median {face_median:.2f} ms, "
          f"p90 {percentile(result['faceMs'], 0.9):.2f} ms")
    print(f"  baseline (two plain ellipses):    median {base_median:.2f} ms, "
          f"p90 {percentile(result['baseMs'], 0.9):.2f} ms")
    print(f"  ratio face/baseline (medians):    {face_median / base_median:.1f}x; "
          f"budget used of one 16.7 ms frame: {face_median / 16.7:.0%}")
    if against:
        against_median = percentile(result["againstMs"], 0.5)
        print(f"  face pair at {against}:{' ' * max(1, 20 - len(against))}median {against_median:.2f} ms, "
              f"p90 {percentile(result['againstMs'], 0.9):.2f} ms")
        print(f"  ratio now/{against} (medians):{' ' * max(1, 12 - len(against))}{face_median / against_median:.2f}")


def serve_revision(page: Page, revision: str) -> None:
    """Answer /against/js/face/*.js with the files as they were at a git revision."""
    def fulfil(route) -> None:
        name = route.request.url.split("/against/", 1)[1].split("?")[0]
        try:
            body = subprocess.run(["git", "show", f"{revision}:static/{name}"], cwd=ROOT, check=True,
                                  capture_output=True).stdout
        except subprocess.CalledProcessError:
            route.fulfill(status=404)
            return
        route.fulfill(status=200, body=body, content_type="text/javascript")
    page.route("**/against/**", fulfil)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=240)
    parser.add_argument("--against", help="git revision whose face modules to draw alongside, for a ratio")
    args = parser.parse_args()
    rng = random.Random(2024)
    trials = [{"seed": rng.getrandbits(32), "pose": pose(rng.choice(EMOTION_KEYS), 1.0, rng)}
              for _ in range(max(args.faces, 200))]
    with serve_static() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 400, "height": 400}, device_scale_factor=DPR)
        page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        if args.against:
            serve_revision(page, args.against)
        page.goto(base + "/css/app.css")
        measure(page, trials, throttle=1, against=args.against)
        measure(page, trials, throttle=4, against=args.against)
        browser.close()


if __name__ == "__main__":
    main()

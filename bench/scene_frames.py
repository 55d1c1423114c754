"""Scenes' frames on time: per-frame draw time at DPR 3 and the share of leaks exact in a Chrome trace.

Serves the app with its own gunicorn, opens a phone-sized page (390x844, DPR 3) per condition, and
plays real scene plans (game.scene_timeline: blinks, speech, mask; leaks of 2, 3, 6, 12 and 30
frames) with two players, alternating scene by scene on one FrameLoop:

* ``prepared`` (the game's ScenePlayer): canvas at 2 device pixels per CSS pixel, the measured
  window (the leak and 1-3 frames around it) drawn ahead into ImageBitmaps, the rest live;
* ``live-3x`` (the baseline): every frame drawn live with drawFace at the full 3x.

For each it prints the per-frame draw time (work done in the rAF callback, p50/p99; Canvas 2D
defers rasterization, so also each window frame redrawn and forced to rasterize), the share
of scenes the page flagged, and from the trace the share whose leak frames (and the frame after)
were drawn in consecutive BeginFrames, each presented: all scenes, and unflagged ones. Ratios
compare the baseline to the game's player measured in the same run. Conditions as in
bench/flash_frames.py: ``idle``, ``cpu-load`` (two busy processes), ``page-jank`` (5-40 ms tasks
every 70 ms in the page).

Usage: ``.venv/bin/python bench/scene_frames.py [--scenes 10] [--conditions idle,cpu-load,page-jank]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from flash_frames import CONDITIONS, LOAD_PROCESSES, cpu_load, serve  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from test_flash_timing import TRACE_CATEGORIES  # noqa: E402
from test_scene_timing import frame_sequences, leak_exact_in_trace  # noqa: E402

from game.emotions import EMOTION_KEYS  # noqa: E402
from game.scene_timeline import plan_scene, scene_message  # noqa: E402

LEAKS = (2, 3, 6, 12, 30)
METHODS = ("prepared", "live-3x")
BATCH = 4  # scenes per method per trace (a trace of ~40 s)

SETUP = """
async () => {
  const { FrameLoop, measureRefresh } = await import("/static/js/frames.js");
  const { ScenePlayer } = await import("/static/js/scene/player.js");
  const canvas = document.createElement("canvas");
  document.body.replaceChildren(canvas);
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 60);
  const players = {
    prepared: new ScenePlayer({ canvas, loop }),
    "live-3x": new ScenePlayer({ canvas, loop, maxRatio: 3, prepareWindow: false }),
  };
  let jank = null;
  window.glimpseBench = {
    periodMs,
    startJank(seed) {
      let state = seed >>> 0;
      const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
      jank = setInterval(() => {
        const end = performance.now() + 5 + 35 * random();
        while (performance.now() < end) { /* a long task */ }
      }, 70);
    },
    stopJank() { clearInterval(jank); },
    async run(items) {
      const out = [];
      for (const { method, scene } of items) {
        const player = players[method];
        await player.prepare(scene, 330);
        const drawn = [];
        const draw = player.drawFrame.bind(player);
        player.drawFrame = (frame) => { draw(frame); drawn.push(frame); };
        const report = await player.play(periodMs);
        player.drawFrame = draw;
        // Canvas 2D records commands in the callback and rasterizes them later, so the callback's
        // time understates a frame's cost: redraw the window's frames, each forced to rasterize
        // by a one-pixel read, outside the loop.
        const raster = [];
        const context = canvas.getContext("2d");
        for (let f = scene.window.start; f < scene.window.start + scene.window.frames; f += 1) {
          const began = performance.now();
          player.drawFrame(f);
          context.getImageData(0, 0, 1, 1);
          raster.push(performance.now() - began);
        }
        const outside = []; // frames the game draws live, before the window
        for (let f = Math.max(0, scene.window.start - 20); f < scene.window.start; f += 1) {
          const began = performance.now();
          player.drawFrame(f);
          context.getImageData(0, 0, 1, 1);
          outside.push(performance.now() - began);
        }
        player.release();
        out.push({ method, ...report, drawn, raster, outside });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      return out;
    },
  };
  return periodMs;
}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_condition(browser: Browser, page: Page, url: str, condition: str, scenes: int, seed: int) -> list[dict]:
    load_before = os.getloadavg()[0]
    page.goto(url + "/")
    period_ms = page.evaluate(SETUP)
    if condition == "page-jank":
        page.evaluate("seed => window.glimpseBench.startJank(seed)", seed)
    rng = random.Random(seed)
    rows: list[dict] = []
    for start in range(0, scenes, BATCH):
        items, plans = [], []
        for k in range(start, min(scenes, start + BATCH)):
            plan = plan_scene(random.Random(rng.getrandbits(32)), EMOTION_KEYS[k % 7], period_ms,
                              leak_ms=LEAKS[k % len(LEAKS)] * period_ms)
            for method in METHODS:  # alternate: same scene, same moment, both players
                items.append({"method": method, "scene": scene_message("b", plan, 1, 1)})
                plans.append(plan)
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        try:
            reports = page.evaluate("items => window.glimpseBench.run(items)", items)
        finally:
            trace = json.loads(browser.stop_tracing())
        sequences = frame_sequences(trace)
        at = 0
        for report, plan in zip(reports, plans, strict=True):
            mine = sequences[at:at + len(report["drawn"])]
            at += len(report["drawn"])
            exact = len(mine) == len(report["drawn"]) and leak_exact_in_trace(report, mine, plan)
            rows.append({**report, "traceExact": exact, "leakFrames": plan.leak.frames})
        print(f"  {condition}: {len(rows) // 2}/{scenes} scenes", file=sys.stderr, end="\r", flush=True)
    print(file=sys.stderr, flush=True)
    if condition == "page-jank":
        page.evaluate("() => window.glimpseBench.stopJank()")
    print(f"  {condition}: period {period_ms:.2f} ms; 1-min load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)")
    return rows


def summary(rows: list[dict]) -> dict[str, Any]:
    draws = [ms for r in rows for ms in r["drawMs"]]
    raster = [ms for r in rows for ms in r["raster"]]
    outside = [ms for r in rows for ms in r["outside"]]
    unflagged = [r for r in rows if not r["flagged"]]
    return {"scenes": len(rows), "p50": statistics.median(draws), "p99": percentile(draws, 0.99),
            "raster p50": statistics.median(raster), "raster p99": percentile(raster, 0.99),
            "outside p50": statistics.median(outside), "outside p99": percentile(outside, 0.99),
            "over budget": sum(ms > r["periodMs"] for r in rows for ms in r["drawMs"]) / max(len(draws), 1),
            "flagged": 1 - len(unflagged) / max(len(rows), 1),
            "exact": sum(r["traceExact"] for r in rows) / max(len(rows), 1),
            "exact|unflagged": sum(r["traceExact"] for r in unflagged) / max(len(unflagged), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=10, help="scenes per method per condition")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    conditions = [c for c in args.conditions.split(",") if c]
    if set(conditions) - set(CONDITIONS):
        parser.error(f"conditions: {', '.join(CONDITIONS)}")
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "bench.db") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for condition in conditions:
                page = browser.new_context(**PHONE).new_page()
                if condition == "cpu-load":
                    with cpu_load(LOAD_PROCESSES):
                        results[condition] = run_condition(browser, page, url, condition, args.scenes, args.seed)
                else:
                    results[condition] = run_condition(browser, page, url, condition, args.scenes, args.seed)
                page.context.close()
        finally:
            browser.close()

    print(f"Scene frames at DPR 3 (390x844), headless Chromium, {args.scenes} scenes per method and condition, "
          f"leaks of {LEAKS} frames; draw = work in the rAF callback; exact = leak frames in consecutive "
          "presented BeginFrames (Chrome trace)")
    header = ["condition", "method", "scenes", "draw p50 ms", "draw p99 ms", "window draw+raster p50/p99 ms",
              "live frames draw+raster p50/p99 ms",
              "frames over budget", "flagged", "exact", "exact|unflagged", "raster p99 ratio (live-3x / prepared)"]
    lines = [header]
    for condition, rows in results.items():
        stats = {m: summary([r for r in rows if r["method"] == m]) for m in METHODS}
        for method in METHODS:
            s = stats[method]
            ratio = stats["live-3x"]["raster p99"] / max(stats["prepared"]["raster p99"], 1e-9)
            lines.append([condition, method, str(s["scenes"]), f"{s['p50']:.2f}", f"{s['p99']:.2f}",
                          f"{s['raster p50']:.2f} / {s['raster p99']:.2f}",
                          f"{s['outside p50']:.2f} / {s['outside p99']:.2f}",
                          f"{100 * s['over budget']:.2f}%", f"{100 * s['flagged']:.0f}%", f"{100 * s['exact']:.0f}%",
                          f"{100 * s['exact|unflagged']:.0f}%", f"{ratio:.2f}" if method == "live-3x" else "1.00"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print("\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
                    for line in lines))


if __name__ == "__main__":
    main()

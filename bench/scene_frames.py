"""Scenes' frames on time: per-frame cost at DPR 3, dropped frames, and the share of leaks exact in a Chrome trace.

Serves the app with its own gunicorn, opens a phone-sized page (390x844, DPR 3) per condition, and
plays real scene plans (game.scene_timeline: blinks, speech, mask; leaks of 2, 3, 6, 12 and 30
frames) with two players, alternating scene by scene on one FrameLoop:

* ``ahead`` (the game's ScenePlayer): every frame drawn ahead in a worker into a bounded set of
  ImageBitmaps; the frame callback blits one;
* ``window-only`` (the baseline, last session's player): the measured window drawn ahead on the
  main thread, every other frame drawn live with drawFace in its callback.

Both at 2 device pixels per CSS pixel. Per frame it measures the work in the rAF callback with
the canvas forced to rasterize (a one-pixel read: Canvas 2D otherwise defers rasterizing to
after the callback), split into leak-window frames and live frames (the rest of the scene); the
share of scene frames never drawn (skipped because a callback came late: a visible stutter), kept
on screen a frame longer (held: the worker was behind), and drawn on the main thread; the
share of scenes the page flagged; and from the trace the share whose leak frames (and the frame
after) were drawn in consecutive BeginFrames, each presented. Ratios: baseline / game, same run.
Conditions: bench/load_conditions.py.

Usage: ``.venv/bin/python bench/scene_frames.py [--scenes 10] [--conditions idle,cpu-load,page-jank]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

from load_conditions import add_conditions_argument, app_and_browser, parse_conditions, phone_page, under
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trace_frames import TRACE_CATEGORIES, frame_sequences, leak_exact_in_trace  # noqa: E402

from game.emotions import EMOTION_KEYS  # noqa: E402
from game.scene_timeline import plan_scene, scene_message  # noqa: E402

LEAKS = (2, 3, 6, 12, 30)
METHODS = ("ahead", "window-only")
BATCH = 4  # scenes per method per trace (a trace of ~40 s)

SETUP = """
async () => {
  const { FrameLoop, measureRefresh } = await import("/static/js/frames.js");
  const { ScenePlayer } = await import("/static/js/scene/player.js");
  const canvas = document.createElement("canvas");
  document.body.replaceChildren(canvas);
  const context = canvas.getContext("2d");
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 60);
  const players = {
    ahead: new ScenePlayer({ canvas, loop }),
    "window-only": new ScenePlayer({ canvas, loop, renderAhead: false }),
  };
  window.glimpseBench = {
    periodMs,
    async run(items) {
      const out = [];
      for (const { method, scene } of items) {
        const player = players[method];
        await player.prepare(scene, 330);
        const drawn = [];
        const cost = [];
        const draw = player.drawFrame.bind(player);
        player.drawFrame = (frame, index) => {
          const began = performance.now();
          draw(frame, index);
          context.getImageData(0, 0, 1, 1); // rasterize now, in the callback
          cost.push(performance.now() - began);
          drawn.push(frame);
        };
        const report = await player.play(periodMs);
        player.drawFrame = draw;
        player.release();
        out.push({ method, ...report, drawn, cost });
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
    page.goto(url + "/")
    period_ms = page.evaluate(SETUP)
    rng = random.Random(seed)
    rows: list[dict] = []
    with under(condition, page, seed):
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
                start_, length = plan.window
                in_window = [start_ <= f < start_ + length for f in report["drawn"]]
                rows.append({**report, "traceExact": exact, "frames": plan.total_frames,
                             "windowCost": [c for c, w in zip(report["cost"], in_window, strict=True) if w],
                             "liveCost": [c for c, w in zip(report["cost"], in_window, strict=True) if not w]})
            print(f"  {condition}: {len(rows) // 2}/{scenes} scenes", file=sys.stderr, end="\r", flush=True)
        print(file=sys.stderr, flush=True)
    print(f"  {condition}: period {period_ms:.2f} ms")
    return rows


def summary(rows: list[dict]) -> dict[str, Any]:
    window = [ms for r in rows for ms in r["windowCost"]]
    live = [ms for r in rows for ms in r["liveCost"]]
    every = window + live
    unflagged = [r for r in rows if not r["flagged"]]
    frames = sum(r["frames"] for r in rows)
    return {"scenes": len(rows), "window p50": statistics.median(window), "window p99": percentile(window, 0.99),
            "live p50": statistics.median(live), "live p99": percentile(live, 0.99),
            "over budget": sum(ms > r["periodMs"] for r in rows for ms in r["cost"]) / max(len(every), 1),
            "dropped": sum(r["frames"] - len(set(r["drawn"])) for r in rows) / max(frames, 1),
            "drawn live": sum(r["liveFrames"] for r in rows) / max(frames, 1),
            "held": sum(r["heldFrames"] for r in rows) / max(frames, 1),
            "flagged": 1 - len(unflagged) / max(len(rows), 1),
            "exact": sum(r["traceExact"] for r in rows) / max(len(rows), 1),
            "exact|unflagged": sum(r["traceExact"] for r in unflagged) / max(len(unflagged), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=10, help="scenes per method per condition")
    add_conditions_argument(parser)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    conditions = parse_conditions(parser, args.conditions)
    results: dict[str, list[dict]] = {}
    with app_and_browser() as (url, browser):
        for condition in conditions:
            with phone_page(browser) as page:
                results[condition] = run_condition(browser, page, url, condition, args.scenes, args.seed)

    print(f"Scene frames at DPR 3 (390x844, canvas 330 CSS px at 2x), headless Chromium, {args.scenes} scenes per "
          f"method and condition, leaks of {LEAKS} frames; cost = callback work incl. forced raster; dropped = "
          "scene frames never drawn; held = previous frame kept (worker behind); exact = leak frames in "
          "consecutive presented BeginFrames (Chrome trace)")
    header = ["condition", "method", "scenes", "live frames p50/p99 ms", "window frames p50/p99 ms",
              "over budget", "dropped", "held", "drawn live", "flagged", "exact", "exact|unflagged"]
    lines = [header]
    ratios = []
    for condition, rows in results.items():
        stats = {m: summary([r for r in rows if r["method"] == m]) for m in METHODS}
        for method in METHODS:
            s = stats[method]
            lines.append([condition, method, str(s["scenes"]), f"{s['live p50']:.2f} / {s['live p99']:.2f}",
                          f"{s['window p50']:.2f} / {s['window p99']:.2f}", f"{100 * s['over budget']:.2f}%",
                          f"{100 * s['dropped']:.2f}%", f"{100 * s['held']:.2f}%", f"{100 * s['drawn live']:.2f}%",
                          f"{100 * s['flagged']:.0f}%", f"{100 * s['exact']:.0f}%",
                          f"{100 * s['exact|unflagged']:.0f}%"])
        before, after = stats["window-only"], stats["ahead"]
        ratios.append(f"  {condition}: live frames p50 {before['live p50'] / after['live p50']:.1f}x, "
                      f"p99 {before['live p99'] / after['live p99']:.1f}x; window frames p99 "
                      f"{before['window p99'] / after['window p99']:.1f}x; exact {100 * before['exact']:.0f}% -> "
                      f"{100 * after['exact']:.0f}%; frames not shown on time (dropped + held) "
                      f"{100 * (before['dropped'] + before['held']):.2f}% -> "
                      f"{100 * (after['dropped'] + after['held']):.2f}%")
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print("\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
                    for line in lines))
    print("Baseline (window-only) / game (ahead), same run:")
    print("\n".join(ratios))


if __name__ == "__main__":
    main()

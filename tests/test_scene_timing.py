"""Scenes in headless Chromium: the leak's frames exact, proven by rAF count and by the compositor's trace.

Real scene plans (game.scene_timeline, blinks, speech and mask included) are played by the
browser's ScenePlayer on one FrameLoop, under a Chrome trace. Every drawing callback marks
``glimpse-scene-frame``; the page records which scene frame each callback drew. In the trace each
mark lies in one ``ProxyMain::BeginMainFrame`` whose ``begin_frame_id`` is the frame's BeginFrame
sequence (see tests/test_flash_timing.py). For every scene the page did not flag, the test checks
that the leak's frames (start .. end, and the frame after it) were drawn in consecutive BeginFrames,
each presented with the page's update: no leak frame dropped, doubled or skipped. Flagged scenes
are replaced by a new plan, as the game does. Induced 50 ms stalls inside the window are flagged.
"""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from trace_frames import TRACE_CATEGORIES, frame_sequences, leak_exact_in_trace

from game.emotions import EMOTION_KEYS
from game.scene_timeline import plan_scene, scene_message

LEAKS = (2, 3, 6, 12, 30)
CLEAN_PER_LEAK = 2
MAX_PER_LEAK = 16  # a 30-frame leak needs ~35 clean frames in a row: on a loaded 2-core box many are flagged
PERIOD_MS = 1000 / 60  # headless Chromium's rAF period (timing.md)

DRIVER = """
async ({ scenes, stall }) => {
  const { FrameLoop, measureRefresh } = await import("/static/js/frames.js");
  const { ScenePlayer } = await import("/static/js/scene/player.js");
  const canvas = document.createElement("canvas");
  document.body.replaceChildren(canvas);
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 60);
  const player = new ScenePlayer({ canvas, loop });
  const results = [];
  for (const scene of scenes) {
    await player.prepare(scene, 300);
    const drawn = [];
    let stalled = false;
    const windowStart = scene.window.start;
    // Record which scene frame each callback drew (and stall in one of them, if asked).
    const draw = player.drawFrame.bind(player);
    player.drawFrame = (frame) => {
      draw(frame);
      drawn.push(frame);
      if (stall && !stalled && frame >= windowStart + stall.offset) {
        stalled = true;
        const end = performance.now() + 50;
        while (performance.now() < end) { /* an induced main-thread stall */ }
      }
    };
    const report = await player.play(periodMs);
    player.drawFrame = draw;
    player.release();
    const { drawMs, ...rest } = report;
    results.push({ ...rest, drawn: [...drawn], stalled });
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the last frames reach the trace
  loop.stop();
  return { periodMs, results };
}
"""


def scene_for(leak_frames: int, seed: int) -> tuple[dict[str, Any], Any]:
    plan = plan_scene(random.Random(seed), EMOTION_KEYS[seed % 7], PERIOD_MS, leak_ms=leak_frames * PERIOD_MS)
    return scene_message("t", plan, 1, 1), plan


def play_traced(browser: Browser, page: Page, base_url: str, scenes: list[dict], stall: dict | None = None):
    page.goto(base_url + "/")
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    try:
        result = page.evaluate(DRIVER, {"scenes": scenes, "stall": stall})
    finally:
        trace = json.loads(browser.stop_tracing())
    assert abs(result["periodMs"] - PERIOD_MS) < 0.5
    sequences = frame_sequences(trace)
    drawn_total = sum(len(r["drawn"]) for r in result["results"])
    assert len(sequences) == drawn_total, "one mark per drawn frame"
    per_scene, at = [], 0
    for r in result["results"]:
        per_scene.append(sequences[at:at + len(r["drawn"])])
        at += len(r["drawn"])
    return result["results"], per_scene


def test_leak_frames_are_exact_with_blinks_speech_and_mask(browser: Browser, page: Page, base_url: str) -> None:
    """CLEAN_PER_LEAK unflagged scenes per leak length; flagged ones replaced by a new scene (bounded)."""
    clean: dict[int, int] = dict.fromkeys(LEAKS, 0)
    attempts: dict[int, int] = dict.fromkeys(LEAKS, 0)
    seed, misses, checked = 1000, [], 0
    while any(clean[n] < CLEAN_PER_LEAK and attempts[n] < MAX_PER_LEAK for n in LEAKS):
        batch = []
        for n in LEAKS:
            if clean[n] < CLEAN_PER_LEAK and attempts[n] < MAX_PER_LEAK:
                for _ in range(CLEAN_PER_LEAK - clean[n]):
                    seed += 1
                    batch.append((n, *scene_for(n, seed)))
                    attempts[n] += 1
        reports, sequences = play_traced(browser, page, base_url, [message for _, message, _ in batch])
        for (n, _message, plan), report, seqs in zip(batch, reports, sequences, strict=True):
            drawn = report["drawn"]
            # The scene keeps the display's clock: frames never go back (an irregular callback may
            # redraw one, which inside the window flags the scene).
            assert drawn[0] == 0 and all(b >= a for a, b in itertools.pairwise(drawn))
            assert drawn[-1] < plan.total_frames
            assert plan.window[0] < plan.leak.start and plan.leak.end < sum(plan.window)
            if report["flagged"]:
                continue  # replaced, as in the game
            clean[n] += 1
            checked += 1
            assert report["framesShown"] == report["requestedFrames"] == plan.window[1]
            # Every frame of the window, leak included, was drawn, once, in order.
            window = [f for f in report["drawn"] if plan.window[0] <= f < sum(plan.window)]
            assert window == list(range(*_range(plan.window)))
            if not leak_exact_in_trace(report, seqs, plan):
                misses.append((n, plan.leak))
    for n in LEAKS:
        assert clean[n] >= CLEAN_PER_LEAK, f"leak of {n} frames: only {clean[n]} clean scenes in {attempts[n]}"
    # A starved software compositor can still drop a presented frame the page cannot see (see
    # test_flash_timing); allow one such scene in the whole run, never more.
    assert len(misses) <= max(1, checked // 10), f"leak frames not consecutive in the trace: {misses}"


def _range(window: tuple[int, int]) -> tuple[int, int]:
    return window[0], window[0] + window[1]


@pytest.mark.parametrize("offset", [0, 3])
def test_a_stall_inside_the_window_is_flagged(browser: Browser, page: Page, base_url: str, offset: int) -> None:
    scenes = [scene_for(6, 2000 + k)[0] for k in range(3)]
    reports, _ = play_traced(browser, page, base_url, scenes, stall={"offset": offset})
    assert all(r["stalled"] for r in reports)
    for report in reports:
        assert report["flagged"], report
        assert report["flagReason"] in ("frames", "stall")


def test_a_stall_before_the_window_is_not_flagged(browser: Browser, page: Page, base_url: str) -> None:
    """Every run has the induced stall; ambient load on a shared machine can flag a run on its own (five of five
    once, beside another process's tests on the other core), so the test asks for one clean run in up to three
    batches of five: were the stall itself to flag, all fifteen would be."""
    played = []
    for batch in range(3):
        scenes = [scene_for(6, 3000 + 5 * batch + k)[0] for k in range(5)]
        reports, _ = play_traced(browser, page, base_url, scenes, stall={"offset": -25})
        assert all(r["stalled"] for r in reports)
        played += reports
        if any(not r["flagged"] for r in reports):
            return
    pytest.fail(f"every run with a stall before the window was flagged: {played}")

"""Frame-exact flashes in headless Chromium, checked by rAF count and by the compositor's trace.

What the trace adds to the rAF count, and what it does not:

* Each flip callback calls ``performance.mark("glimpse-show" | "glimpse-hide")``. In the trace, the
  mark lies inside one ``ProxyMain::BeginMainFrame`` slice on the renderer's main thread, whose
  ``begin_frame_id`` is the BeginFrame sequence number of the frame that callback produced.
* The ``PipelineReporter`` event with that ``frame_sequence`` and state ``STATE_PRESENTED_ALL`` shows
  the frame was presented with the main thread's update (not dropped), and its end is the
  presentation time.
* The difference of ``frame_sequence`` counts BeginFrames, i.e. vsyncs between the two callbacks:
  the same clock as the rAF timestamps, so it agrees with ``framesShown`` even when a stall makes
  both wrong. It proves the page placed the flips N frames apart and that neither flip frame was
  dropped, not how long the expression was visible.
* The independent check is presentation time: ``round(Δpresented / period)``. Three things change
  it while the BeginFrame count stays N: a long show or hide callback (its frame is presented
  late; caught by the gap into the next callback, hence the flash window runs to the frame after
  the hide), a flip callback starting late in its frame (caught by ``maxFlipLateMs``), and CPU
  starvation of the compositor after the page's work is done, which the page cannot observe at
  all. The last is why presentation exactness is asserted for most, not all, clean flashes.
* Headless Chromium presents to no physical display: "presented" is the end of the compositor
  pipeline, not photons. Counts are asserted in frames, never in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from trace_frames import TRACE_CATEGORIES, events_of, marks_with_frames, presented_times

EXPOSURES = (1, 2, 3, 6, 12, 30)
CLEAN_FLASHES_PER_EXPOSURE = 20
# Flagged flashes are replayed, as in the game, up to this bound. The clean quota is the test; how many are voided
# is the box's load: CI of stop 27 got 15 clean of 40 for one N, and this box at load 12 got 18 of 40 30-frame ones.
MAX_FLASHES_PER_EXPOSURE = 80
MAX_PRESENTATION_MISSES = 0.1  # share of clean flashes a starved compositor may present late
SHOW, HIDE = "glimpse-show", "glimpse-hide"

# Runs in the page: two stacked pre-drawn canvases, one FrameLoop, flashes in order.
# A trial may busy-wait 50 ms in one callback, from a subscriber added after runFlash's (so it runs
# after any flip in the same frame). `stall = {anchor, offset}` places it `offset` callbacks after
# the trial's first callback ("start"), the show or the hide callback as the page saw them, or
# ("beforeShow") in the first callback at least foreperiodFrames - 1 frames in. Anchoring on the
# flips, not on callback indices, keeps the stall in place when ambient load shifts the show.
# It replays flagged trials until `cleanPerExposure` clean ones exist for each exposure.
DRIVER = """
async ({ trials, cleanPerExposure, maxPerExposure }) => {
  const { FrameLoop, measureRefresh } = await import("/static/js/frames.js");
  const { runFlash } = await import("/static/js/flash.js");
  const canvas = (colour) => {
    const element = document.createElement("canvas");
    element.width = element.height = 300;
    Object.assign(element.style, { position: "absolute", left: "0", top: "0", width: "300px" });
    const context = element.getContext("2d");
    context.fillStyle = colour;
    context.fillRect(0, 0, 300, 300);
    context.fillStyle = "#222";
    context.fillRect(90, 200, 120, colour === "#c33" ? 40 : 8); // a mouth, open or closed
    document.body.append(element);
    return element;
  };
  const neutral = canvas("#999");
  const expression = canvas("#c33");
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 60);

  const flash = async ({ exposureFrames, foreperiodFrames, maskFrames, stall }) => {
    const done = runFlash(loop, { neutral, expression, exposureFrames, foreperiodFrames, maskFrames, periodMs });
    let index = 0, anchorIndex = null, wasVisible = false, shown = false, firstTs = null, stalled = false;
    const unsubscribe = loop.subscribe((timestamp) => {
      firstTs ??= timestamp;
      const visible = expression.style.opacity === "1";
      const anchor = stall?.anchor;
      if (anchor === "start" && index === 0) anchorIndex = 0;
      if (anchor === "show" && visible && !wasVisible) anchorIndex = index;
      if (anchor === "hide" && !visible && wasVisible) anchorIndex = index;
      shown ||= visible;
      const beforeShow = anchor === "beforeShow" && !shown
        && Math.round((timestamp - firstTs) / periodMs) >= foreperiodFrames - 1;
      const now = beforeShow || (anchorIndex !== null && index - anchorIndex === stall.offset);
      wasVisible = visible;
      index += 1;
      if (!now || stalled) return;
      stalled = true;
      const end = performance.now() + 50;
      while (performance.now() < end) { /* an induced main-thread stall */ }
    });
    const report = await done;
    unsubscribe();
    return { ...report, stalled };
  };

  const reports = [];
  const clean = new Map();
  const attempts = new Map();
  let queue = [...trials];
  while (queue.length > 0) {
    const replays = [];
    for (const trial of queue) {
      const report = await flash(trial);
      reports.push(report);
      if (cleanPerExposure === 0) continue;
      const n = trial.exposureFrames;
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      if (!report.flagged) clean.set(n, (clean.get(n) ?? 0) + 1);
      else if (attempts.get(n) < maxPerExposure) replays.push(trial);
    }
    queue = replays;
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the last frames reach the trace
  loop.stop();
  return { periodMs, reports };
}
"""


@dataclass(frozen=True)
class FlipFrame:
    """The frame produced by one flip callback, as the compositor saw it."""

    mark: str
    frame_sequence: int
    begin_us: float  # its BeginFrame: the rAF timestamp, in trace time
    presented_us: float | None  # end of its presented PipelineReporter; None if not presented

    @property
    def latency_ms(self) -> float | None:
        """From BeginFrame (the rAF timestamp) to presentation."""
        return None if self.presented_us is None else (self.presented_us - self.begin_us) / 1000


@dataclass(frozen=True)
class CompositorCount:
    sequence_frames: int  # BeginFrames between the show and hide frames
    presented_frames: int | None  # round(Δ presentation time / period), None if a flip was not presented
    latencies_ms: tuple[float | None, float | None]  # show and hide frame, BeginFrame to presentation


def flip_frames(trace: dict[str, Any] | list[dict[str, Any]]) -> list[FlipFrame]:
    """Every glimpse-show/hide mark in time order, with the frame its callback produced."""
    events = events_of(trace)
    presented = presented_times(events)
    # (renderer pid, sequence) -> the BeginFrame's time; built in reverse so the first one wins.
    begin_frames = {(e["pid"], e["args"]["frameSeqId"]): e["ts"] for e in reversed(events)
                    if e.get("name") == "BeginFrame" and "frameSeqId" in e.get("args", {})}
    flips = []
    for mark, sequence in marks_with_frames(events, (SHOW, HIDE)):
        times = presented.get(sequence, [])
        begin_us = begin_frames[(mark["pid"], sequence)]
        flips.append(FlipFrame(mark["name"], sequence, begin_us, times[0] if len(times) == 1 else None))
    return flips


def compositor_counts(flips: list[FlipFrame], period_ms: float) -> Iterator[CompositorCount]:
    """One count per flash, from consecutive show/hide flip frames."""
    assert [f.mark for f in flips] == [SHOW, HIDE] * (len(flips) // 2), "marks must alternate show/hide"
    for show, hide in zip(flips[0::2], flips[1::2], strict=True):
        presented = None
        if show.presented_us is not None and hide.presented_us is not None:
            presented = round((hide.presented_us - show.presented_us) / 1000 / period_ms)
        yield CompositorCount(hide.frame_sequence - show.frame_sequence, presented,
                              (show.latency_ms, hide.latency_ms))


def run_traced(browser: Browser, page: Page, base_url: str, trials: list[dict[str, Any]],
               clean_per_exposure: int = 0) -> tuple[float, list[dict[str, Any]], list[CompositorCount]]:
    """Run the trials in the page under a Chrome trace; return the period, reports and counts."""
    page.goto(base_url + "/")
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    try:
        result = page.evaluate(DRIVER, {"trials": trials, "cleanPerExposure": clean_per_exposure,
                                        "maxPerExposure": MAX_FLASHES_PER_EXPOSURE})
    finally:
        trace = json.loads(browser.stop_tracing())
    period_ms, reports = result["periodMs"], result["reports"]
    counts = list(compositor_counts(flip_frames(trace), period_ms))
    assert len(counts) == len(reports), "one show and one hide mark per flash"
    return period_ms, reports, counts


def trial(exposure: int, foreperiod: int = 3, mask: int = 3, stall: tuple[str, int] | None = None) -> dict[str, Any]:
    """One flash; `stall` = (anchor, offset) places a 50 ms busy-wait (see DRIVER)."""
    return {"exposureFrames": exposure, "foreperiodFrames": foreperiod, "maskFrames": mask,
            "stall": {"anchor": stall[0], "offset": stall[1]} if stall else None}


def test_flashes_show_exactly_the_requested_frames(browser: Browser, page: Page, base_url: str) -> None:
    """20 clean flashes of each N, flagged ones replayed as in the game.

    Proven for every flash: the flips are exactly ``framesShown`` BeginFrames apart (page clock and
    compositor frame counter agree). For every clean flash: ``framesShown == N`` and both flip
    frames were presented with the page's update (none dropped or merged).
    Checked statistically: presentation times N periods apart. Idle, every clean flash matched; on
    a loaded machine the software compositor sometimes presents a flip frame late (its latency
    from BeginFrame to presentation jumps by more than half a period) with no sign in the page, so
    up to MAX_PRESENTATION_MISSES of clean flashes may miss, and the message names them.
    """
    trials = [trial(n) for _ in range(CLEAN_FLASHES_PER_EXPOSURE) for n in EXPOSURES]
    _, reports, counts = run_traced(browser, page, base_url, trials, CLEAN_FLASHES_PER_EXPOSURE)

    misses = []
    for report, count in zip(reports, counts, strict=True):
        assert count.sequence_frames == report["framesShown"], (report, count)
        if report["flagged"]:
            continue
        assert report["framesShown"] == report["requestedFrames"], report
        assert None not in count.latencies_ms, f"a flip frame was not presented: {report} {count}"
        if count.presented_frames != report["requestedFrames"]:
            misses.append((report["requestedFrames"], count))
    clean = [r for r in reports if not r["flagged"]]
    for n in EXPOSURES:
        clean_n = sum(r["requestedFrames"] == n for r in clean)
        assert clean_n >= CLEAN_FLASHES_PER_EXPOSURE, f"N={n}: {clean_n} clean flashes"
    assert len(misses) <= MAX_PRESENTATION_MISSES * len(clean), f"presented off by a frame: {misses}"


@pytest.mark.parametrize(
    ("exposure", "stall", "where"),
    [
        (3, ("beforeShow", 0), "the frame before the show"),
        (3, ("show", 0), "the show callback"),
        (3, ("show", 1), "the callback after the show"),
        (6, ("show", 1), "the callback after the show of a 6-frame flash, over before the hide is due"),
        (3, ("hide", 0), "the hide callback"),
        (1, ("hide", 0), "the hide callback of a 1-frame flash"),
    ],
)
def test_main_thread_stall_during_the_flash_is_flagged(
    browser: Browser, page: Page, base_url: str, exposure: int, stall: tuple[str, int], where: str
) -> None:
    """A 50 ms busy-wait in one callback of the flash window.

    Three runs each: every one must be flagged, whatever else the shared machine does.
    """
    period_ms, reports, counts = run_traced(browser, page, base_url, [trial(exposure, 10, 6, stall)] * 3)

    # "beforeShow" can miss its callback only when an ambient gap jumped over it into the show,
    # which flags the run as well; so every run must be flagged, and most ran the induced stall.
    assert sum(r["stalled"] for r in reports) >= 2, reports
    for report, count in zip(reports, counts, strict=True):
        assert report["flagged"], f"stall in {where} not flagged: {report}"
        assert report["flagReason"] == ("stall" if report["framesShown"] == exposure else "frames")
        assert count.sequence_frames == report["framesShown"]
    if "hide callback" in where:
        # The rAF count cannot see it, the compositor can: the hide frame was presented 2+ frames
        # late (its latency, not the flash's presented length: ambient load can delay the show too).
        exact_by_raf = [c for r, c in zip(reports, counts, strict=True) if r["framesShown"] == exposure]
        assert exact_by_raf, reports
        for count in exact_by_raf:
            hide_latency_ms = count.latencies_ms[1]
            assert hide_latency_ms is not None and hide_latency_ms / period_ms >= 2, count


@pytest.mark.parametrize(
    ("stall", "where"), [(("start", 2), "early in the foreperiod"), (("hide", 2), "the mask, after the flash")]
)
def test_stall_outside_the_flash_window_is_not_flagged(
    browser: Browser, page: Page, base_url: str, stall: tuple[str, int], where: str
) -> None:
    """Every run has the induced stall; ambient load on a shared machine can flag a run on its own,
    so the test asks for at least one clean, exact run of three: the stall itself cannot flag.
    """
    _, reports, counts = run_traced(browser, page, base_url, [trial(3, 10, 6, stall)] * 3)

    assert all(r["stalled"] for r in reports), reports
    clean = [(r, c) for r, c in zip(reports, counts, strict=True) if not r["flagged"]]
    assert clean, f"stall in {where}: every run flagged: {reports}"
    for report, count in clean:
        assert report["framesShown"] == count.sequence_frames == 3
        assert None not in count.latencies_ms


FRESH_PAGES = int(__import__("os").environ.get("FRESH_PAGES", 20))


def first_flash_traced(browser: Browser, base_url: str, categories: list[str]) -> tuple[Any, dict[str, Any]]:
    """A fresh phone page taps Play: the Chrome trace of its drill's first flash, and the page's report of it."""
    from harness import PHONE

    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        play = page.get_by_role("button", name="Play", exact=True)
        expect(play).to_be_enabled(timeout=15_000)
        browser.start_tracing(page=page, categories=categories)
        try:
            play.tap()
            # The answers come up in the frame the first flash's mask ends.
            expect(page.locator("#answers button").first).to_be_enabled(timeout=30_000)
            page.wait_for_timeout(300)  # let the last frames reach the trace
        finally:
            trace = json.loads(browser.stop_tracing())
        return trace, page.evaluate("performance.getEntriesByName('glimpse-report')[0].detail")
    finally:
        context.close()


def test_the_first_flash_of_a_fresh_page_is_on_screen_as_asked_or_flagged(browser: Browser, base_url: str) -> None:
    """A new player opens Glimpse and taps Play: the drill's very first flash, traced.

    That flash used to reach the screen about a frame short (cold canvases and compositor layers
    make its show frame slow to commit) while the page scored it. Now, for every one of
    FRESH_PAGES fresh pages: the presented length is the asked one within half a frame, or the
    page flagged the flash (and the game replays it unscored).
    """
    outcomes = []
    for _ in range(FRESH_PAGES):
        trace, report = first_flash_traced(browser, base_url, TRACE_CATEGORIES)
        flips = [f for f in flip_frames(trace)][:2]
        assert [f.mark for f in flips] == [SHOW, HIDE], flips
        show, hide = flips
        assert show.presented_us is not None and hide.presented_us is not None, flips
        on_screen = (hide.presented_us - show.presented_us) / 1000 / report["periodMs"]
        outcomes.append((report["requestedFrames"], round(on_screen, 2), report["flagged"],
                         round(show.latency_ms or 0, 1), report["presentedFrames"], report["flagReason"]))
    wrong = [o for o in outcomes if not o[2] and abs(o[1] - o[0]) > 0.5]
    print("asked, on screen by the trace, flagged, show latency ms, on screen by the page, why:", outcomes)
    assert not wrong, f"scored first flashes not on screen as asked: {wrong} of {outcomes}"


CANVAS_COPY = "Canvas2DResourceProvider::ProduceCanvasResource"


def test_a_flip_copies_no_face(browser: Browser, base_url: str) -> None:
    """The frames that show and hide the expression only change an opacity: no face is copied again.

    Restyling a 2D canvas repaints it, and a software-composited Chromium then copied both faces in
    that frame's commit (5-8 ms each at 3x), so the show frame reached the screen about a frame late
    and most flashes were voided as stalls. The faces now reach their canvases as ImageBitmaps during
    the foreperiod.
    """
    events = events_of(first_flash_traced(browser, base_url, [*TRACE_CATEGORIES, "blink"])[0])
    frames = {(e["pid"], e["tid"], e["args"]["begin_frame_id"]): e for e in events
              if e.get("name") == "ProxyMain::BeginMainFrame" and e["ph"] == "X"}
    copies = [e for e in events if e.get("name") == CANVAS_COPY and e["ph"] == "X"]
    flips = marks_with_frames(events, (SHOW, HIDE))
    assert [mark["name"] for mark, _ in flips] == [SHOW, HIDE], flips
    assert any(e.get("cat") == "blink" for e in events), "the trace has the category canvas copies are in"
    for mark, sequence in flips:
        frame = frames[(mark["pid"], mark["tid"], sequence)]
        inside = [c for c in copies if (c["pid"], c["tid"]) == (frame["pid"], frame["tid"])
                  and frame["ts"] <= c["ts"] <= frame["ts"] + frame["dur"]]
        assert not inside, f"the {mark['name']} frame copied {len(inside)} canvases"

// The flash scheduler fed fake rAF timestamps, and runFlash on a fake loop and fake elements.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  FlashScheduler, flagReasonFor, framesBetween, HIDDEN_OPACITY, PRESENTED_CLOCK_MS, PRESENTED_TOLERANCE, runFlash, setVisible,
  STALL_FACTOR,
} from "../../static/js/flash.js";
import { FrameLoop, medianPeriod } from "../../static/js/frames.js";

const RATES_HZ = [30, 60, 90, 120, 144];
const EXPOSURES = [1, 2, 3, 6, 12, 30];
const FOREPERIOD = 3;
const MASK = 3;

/**
 * rAF timestamps of a display at `hz`, as a browser reports them: vsync-aligned, coarsened
 * (Chrome without cross-origin isolation: 0.1 ms; Firefox and Safari: up to 1 ms).
 * `skippedBefore` maps a callback index to the vsyncs missed just before it (a stall).
 * @param {number} hz
 * @param {{count?: number, resolutionMs?: number, skippedBefore?: Map<number, number>, startMs?: number}} options
 */
function timestamps(hz, { count = 200, resolutionMs = 0.1, skippedBefore = new Map(), startMs = 1234.5 } = {}) {
  const period = 1000 / hz;
  const coarsen = (t) => Math.round(t / resolutionMs) * resolutionMs;
  const out = [];
  let vsync = 0;
  for (let k = 0; k < count; k += 1) {
    vsync += skippedBefore.get(k) ?? 0;
    out.push(coarsen(startMs + vsync * period));
    vsync += 1;
  }
  return out;
}

/**
 * Feed timestamps until the scheduler is done.
 * @param {import("../../static/js/flash.js").FlashSpec} spec
 * @param {number[]} stamps
 */
function schedule(spec, stamps) {
  const scheduler = new FlashScheduler(spec);
  const phases = [];
  for (const t of stamps) {
    phases.push(scheduler.next(t));
    if (scheduler.done) return { report: scheduler.report(), phases };
  }
  throw new Error("ran out of timestamps before the mask ended");
}

/** @param {string[]} phases */
const count = (phases, phase) => phases.filter((p) => p === phase).length;

describe("FlashScheduler at steady refresh rates", () => {
  for (const hz of RATES_HZ) {
    for (const exposureFrames of EXPOSURES) {
      it(`shows exactly ${exposureFrames} frame(s) at ${hz} Hz`, () => {
        const stamps = timestamps(hz);
        const periodMs = medianPeriod(stamps.slice(0, 60)); // measured, not assumed
        const { report, phases } = schedule(
          { foreperiodFrames: FOREPERIOD, exposureFrames, maskFrames: MASK, periodMs },
          stamps,
        );
        assert.equal(report.framesShown, exposureFrames);
        assert.equal(report.requestedFrames, exposureFrames);
        assert.equal(report.flagged, false);
        assert.equal(report.flagReason, null);
        // Agrees with the standard method: callbacks in which the expression was made visible.
        assert.equal(count(phases, "expression"), exposureFrames);
        assert.equal(count(phases, "neutral"), FOREPERIOD);
        assert.equal(count(phases, "mask"), MASK);
        assert.deepEqual(
          [report.showTs, report.hideTs, report.maskEndTs],
          [stamps[FOREPERIOD], stamps[FOREPERIOD + exposureFrames], stamps[FOREPERIOD + exposureFrames + MASK]],
        );
        assert.ok(report.maxGapMs < STALL_FACTOR * periodMs);
      });
    }
  }

  it("stays exact with 1 ms timestamp resolution at 144 Hz (period measured as 7 ms)", () => {
    const stamps = timestamps(144, { resolutionMs: 1 });
    const periodMs = medianPeriod(stamps.slice(0, 60));
    for (const exposureFrames of EXPOSURES) {
      const { report } = schedule({ foreperiodFrames: 72, exposureFrames, maskFrames: 72, periodMs }, stamps.concat(
        timestamps(144, { resolutionMs: 1, startMs: stamps.at(-1) + 1000 / 144 }),
      ));
      assert.equal(report.framesShown, exposureFrames);
      assert.equal(report.flagged, false);
    }
  });

  it("converts a foreperiod given in frames from seconds at any rate (0.5 s at 30 Hz = 15 frames)", () => {
    const stamps = timestamps(30);
    const periodMs = medianPeriod(stamps.slice(0, 30));
    const foreperiodFrames = Math.round(500 / periodMs);
    const { report } = schedule({ foreperiodFrames, exposureFrames: 1, maskFrames: 15, periodMs }, stamps);
    assert.equal(foreperiodFrames, 15);
    assert.equal(framesBetween(stamps[0], report.showTs, periodMs), 15);
    assert.equal(framesBetween(report.hideTs, report.maskEndTs, periodMs), 15);
  });
});

describe("FlashScheduler under stalls", () => {
  // Callback indices: 0..F-1 neutral, F show, F+N hide, F+N+1 first frame after the hide.
  for (const hz of [60, 144]) {
    for (const exposureFrames of [1, 3, 6]) {
      for (const missed of [1, 2]) {
        const gapPeriods = missed + 1;
        const showIndex = FOREPERIOD;
        const afterHideIndex = FOREPERIOD + exposureFrames + 1;
        it(`flags a ${gapPeriods}-period gap anywhere from before the show to after the hide (N=${exposureFrames}, ${hz} Hz)`, () => {
          for (let index = showIndex; index <= afterHideIndex; index += 1) {
            const stamps = timestamps(hz, { skippedBefore: new Map([[index, missed]]) });
            const spec = { foreperiodFrames: FOREPERIOD, exposureFrames, maskFrames: MASK, periodMs: 1000 / hz };
            const { report } = schedule(spec, stamps);
            assert.equal(report.flagged, true, `gap before callback ${index}`);
            assert.ok(report.maxGapMs >= gapPeriods * spec.periodMs - 0.2);
            assert.equal(report.flagReason, report.framesShown === exposureFrames ? "stall" : "frames");
          }
        });
      }
    }
  }

  it("does not flag gaps outside the flash window", () => {
    const foreperiodFrames = 6;
    const maskFrames = 6;
    for (const exposureFrames of [1, 3, 6]) {
      // Gaps into callbacks 1..F-2 still leave a normal frame before the show; gaps into F+N+2..
      // fall in the mask after the frame that follows the hide.
      const early = Array.from({ length: foreperiodFrames - 2 }, (_, i) => i + 1);
      const late = [foreperiodFrames + exposureFrames + 2, foreperiodFrames + exposureFrames + 4];
      for (const index of [...early, ...late]) {
        const stamps = timestamps(60, { skippedBefore: new Map([[index, 1]]) });
        const spec = { foreperiodFrames, exposureFrames, maskFrames, periodMs: 1000 / 60 };
        const { report } = schedule(spec, stamps);
        assert.equal(report.flagged, false, `gap before callback ${index}, N=${exposureFrames}`);
        assert.equal(report.framesShown, exposureFrames);
      }
    }
  });

  it("hides on time after a stall that ends before the hide is due, but still flags it", () => {
    // N = 6 at 60 Hz; 2 vsyncs missed before the second expression callback.
    const stamps = timestamps(60, { skippedBefore: new Map([[FOREPERIOD + 2, 2]]) });
    const spec = { foreperiodFrames: FOREPERIOD, exposureFrames: 6, maskFrames: MASK, periodMs: 1000 / 60 };
    const { report } = schedule(spec, stamps);
    assert.equal(report.framesShown, 6);
    assert.deepEqual([report.flagged, report.flagReason], [true, "stall"]);
  });

  it("flags 'frames' when a stall overruns the hide", () => {
    const stamps = timestamps(60, { skippedBefore: new Map([[FOREPERIOD + 1, 2]]) });
    const spec = { foreperiodFrames: FOREPERIOD, exposureFrames: 1, maskFrames: MASK, periodMs: 1000 / 60 };
    const { report } = schedule(spec, stamps);
    assert.equal(report.framesShown, 3);
    assert.deepEqual([report.flagged, report.flagReason], [true, "frames"]);
  });

  it("flags a switch to 30 Hz low-power mode after the period was measured at 60 Hz", () => {
    const stamps = timestamps(30);
    const spec = { foreperiodFrames: FOREPERIOD, exposureFrames: 3, maskFrames: MASK, periodMs: 1000 / 60 };
    const { report } = schedule(spec, stamps);
    assert.equal(report.flagged, true);
    assert.equal(report.framesShown, 4); // the first 30 Hz callback at or past 3 frames of 60 Hz
  });
});

describe("FlashScheduler with late flip callbacks", () => {
  const periodMs = 1000 / 60;
  const spec = { foreperiodFrames: FOREPERIOD, exposureFrames: 2, maskFrames: MASK, periodMs };
  const showIndex = FOREPERIOD;
  const hideIndex = FOREPERIOD + 2;

  /** @param {Map<number, number>} lateBy callback index -> periods late */
  function withLateCallbacks(lateBy) {
    const scheduler = new FlashScheduler(spec);
    const stamps = timestamps(60);
    for (let k = 0; !scheduler.done; k += 1) scheduler.next(stamps[k], stamps[k] + (lateBy.get(k) ?? 0) * periodMs);
    return scheduler.report();
  }

  it("flags a show or hide callback that starts over half a period into its frame", () => {
    for (const index of [showIndex, hideIndex]) {
      const report = withLateCallbacks(new Map([[index, 0.6]]));
      assert.equal(report.framesShown, 2, "the timestamps cannot see it");
      assert.deepEqual([report.flagged, report.flagReason], [true, "stall"], `late callback ${index}`);
      assert.ok(Math.abs(report.maxFlipLateMs - 0.6 * periodMs) < 1e-9);
    }
  });

  it("accepts flips a little late, and any lateness in callbacks that flip nothing", () => {
    const report = withLateCallbacks(new Map([[showIndex, 0.4], [hideIndex, 0.4], [showIndex + 1, 0.9], [1, 0.9]]));
    assert.equal(report.flagged, false);
  });
});

describe("flash specs and reports", () => {
  it("rejects counts below one frame, fractions and bad periods", () => {
    const good = { foreperiodFrames: 3, exposureFrames: 1, maskFrames: 3, periodMs: 16.7 };
    for (const bad of [
      { exposureFrames: 0 },
      { exposureFrames: 1.5 },
      { foreperiodFrames: 0 },
      { maskFrames: -1 },
      { periodMs: 0 },
      { periodMs: Number.NaN },
    ]) {
      assert.throws(() => new FlashScheduler({ ...good, ...bad }), RangeError, JSON.stringify(bad));
    }
  });

  it("refuses to report before the mask ends", () => {
    const scheduler = new FlashScheduler({ foreperiodFrames: 1, exposureFrames: 1, maskFrames: 1, periodMs: 10 });
    scheduler.next(0);
    assert.throws(() => scheduler.report(), /not finished/);
  });

  it("names the wrong frame count before the stall that may have caused it", () => {
    const base = { requestedFrames: 2, periodMs: 10 };
    assert.equal(flagReasonFor({ ...base, framesShown: 2, maxGapMs: 15 }), null);
    assert.equal(flagReasonFor({ ...base, framesShown: 2, maxGapMs: 15.1 }), "stall");
    assert.equal(flagReasonFor({ ...base, framesShown: 3, maxGapMs: 30 }), "frames");
    assert.equal(flagReasonFor({ ...base, framesShown: 1, maxGapMs: 10 }), "frames");
    assert.equal(flagReasonFor({ ...base, framesShown: 2, maxGapMs: 10, maxFlipLateMs: 5.1 }), "stall");
  });

  it("at 60 Hz allows PRESENTED_TOLERANCE frames of measuring error, no more", () => {
    const base = { requestedFrames: 2, framesShown: 2, maxGapMs: 17, periodMs: 1000 / 60 };
    assert.equal(flagReasonFor({ ...base, presentedFrames: 2 + PRESENTED_TOLERANCE }), null);
    assert.equal(flagReasonFor({ ...base, presentedFrames: 2 + PRESENTED_TOLERANCE + 0.01 }), "stall");
  });

  it("at 120 Hz keeps an exact flash measured 4 ms off (Chrome's rounding) and flags one a frame off", () => {
    const periodMs = 1000 / 120;
    const base = { requestedFrames: 3, framesShown: 3, maxGapMs: 9, periodMs };
    assert.equal(flagReasonFor({ ...base, presentedFrames: 3 + 3.99 / periodMs }), null);
    assert.equal(flagReasonFor({ ...base, presentedFrames: 3 - 3.99 / periodMs }), null);
    // a frame too long or short, with the rounding working against us: still flagged
    assert.equal(flagReasonFor({ ...base, presentedFrames: 4 - 3.99 / periodMs }), "stall");
    assert.equal(flagReasonFor({ ...base, presentedFrames: 2 + 3.99 / periodMs }), "stall");
  });

  it("flags a flash the browser presented off by more than its tolerance", () => {
    const base = { requestedFrames: 4, framesShown: 4, maxGapMs: 10, periodMs: 10 };
    assert.equal(flagReasonFor({ ...base, presentedFrames: 3.83 }), null); // 64 ms: Chrome's 4 ms steps
    assert.equal(flagReasonFor({ ...base, presentedFrames: 3.59 }), null); // 40 ms presented up to 4 ms apart
    assert.equal(flagReasonFor({ ...base, presentedFrames: 3.49 }), "stall"); // nearer 3 frames than 4
    assert.equal(flagReasonFor({ ...base, presentedFrames: 4 + PRESENTED_TOLERANCE + 0.01 }), "stall");
    assert.equal(flagReasonFor({ ...base, presentedFrames: 2.87 }), "stall"); // the first flash of issue 13
    assert.equal(flagReasonFor({ ...base, presentedFrames: Number.NaN }), "stall", "a flip never reported");
    // Presentation known: the commit heuristic is not needed; unknown: it decides.
    assert.equal(flagReasonFor({ ...base, presentedFrames: 4, maxFlipCommitMs: 9 }), null);
    assert.equal(flagReasonFor({ ...base, presentedFrames: null, maxFlipCommitMs: 7.5 }), null);
    assert.equal(flagReasonFor({ ...base, presentedFrames: null, maxFlipCommitMs: 7.6 }), "stall");
  });
});

describe("runFlash", () => {
  /** A loop driven by hand: `frame(t)` runs one rAF callback. */
  function handLoop() {
    let pending = null;
    const loop = new FrameLoop({
      requestFrame: (callback) => {
        pending = callback;
        return 1;
      },
      cancelFrame: () => {
        pending = null;
      },
    });
    return { loop, frame: (t) => pending(t) };
  }

  const fakeElement = () => ({ style: { opacity: "" } });

  it("keeps a hidden face composited but unseeable", () => {
    // At opacity 0 Chromium skips the layer, so a face redrawn while hidden reached the compositor
    // only in the frame that showed it (late). Above 0 it is uploaded during the foreperiod; below
    // Blink's own visibility threshold (0.0004) it cannot change a pixel of the neutral face.
    const expression = fakeElement();
    setVisible(expression, false);
    const opacity = Number(expression.style.opacity);
    assert.ok(opacity > 0 && opacity < 0.0004 && opacity * 255 < 0.5, expression.style.opacity);
  });

  it("flips the expression's opacity inside the flip callbacks and marks them", async () => {
    const { loop, frame } = handLoop();
    const neutral = fakeElement();
    const expression = fakeElement();
    const seenAtMaskEnd = [];
    const periodMs = 1000 / 120;
    const done = runFlash(loop, {
      neutral,
      expression,
      foreperiodFrames: 2,
      exposureFrames: 3,
      maskFrames: 2,
      periodMs,
      onMaskEnd: (report) => seenAtMaskEnd.push(report.framesShown),
    });
    assert.deepEqual([neutral.style.opacity, expression.style.opacity], ["1", HIDDEN_OPACITY]);
    const opacities = [];
    // Timestamps ahead of performance.now(): runFlash measures flip lateness against them.
    const start = performance.now() + 1000;
    for (let k = 0; k < 8; k += 1) {
      frame(start + k * periodMs);
      opacities.push(expression.style.opacity);
    }
    // 2 neutral, 3 expression, 2 mask, then the callback that ends the mask (and nothing after).
    const h = HIDDEN_OPACITY;
    assert.deepEqual(opacities, [h, h, "1", "1", "1", h, h, h]);
    const report = await done;
    assert.deepEqual(seenAtMaskEnd, [3]);
    assert.equal(report.framesShown, 3);
    assert.equal(report.flagged, false);
    assert.equal(loop._subscribers.size, 0, "unsubscribed when done");
    assert.equal(performance.getEntriesByName("glimpse-show").length, 1);
    assert.equal(performance.getEntriesByName("glimpse-hide").length, 1);
  });

  /** Run a 1-1-1 flash at 10 ms with presentation times `latency(flipIndex)` after each flip's frame start. */
  async function presentedFlash(latency, { commitMs = 1 } = {}) {
    const { loop, frame } = handLoop();
    const flips = [];
    let flip = 0;
    const done = runFlash(loop, {
      neutral: fakeElement(),
      expression: fakeElement(),
      foreperiodFrames: 1,
      exposureFrames: 2,
      maskFrames: 1,
      periodMs: 10,
      whenFrameDone: (callback) => {
        const ts = flips.ts;
        flips.push(() => callback(ts + commitMs));
      },
      presentation: {
        supported: true,
        mark: () => {
          const at = flips.ts + latency(flip++);
          return Number.isNaN(at) ? Promise.resolve(null) : Promise.resolve(at);
        },
      },
    });
    const start = performance.now() + 1000;
    for (const t of [0, 10, 20, 30, 40]) {
      flips.ts = start + t;
      frame(start + t);
    }
    for (const measured of flips) measured();
    return done;
  }

  it("reports the presented length and flags a late show frame", async () => {
    const onTime = await presentedFlash(() => 6);
    assert.deepEqual([onTime.presentedFrames, onTime.flagged], [2, false]);
    const lateShow = await presentedFlash((flip) => (flip === 0 ? 17 : 6)); // 0.9 frames short
    assert.deepEqual([lateShow.presentedFrames, lateShow.flagReason], [0.9, "stall"]);
    const lost = await presentedFlash((flip) => (flip === 1 ? Number.NaN : 6));
    assert.ok(Number.isNaN(lost.presentedFrames) && lost.flagged);
  });

  it("waits for the flip frames' commit times before reporting", async () => {
    const slow = await presentedFlash(() => 6, { commitMs: 9 });
    assert.equal(slow.maxFlipCommitMs, 9);
    assert.equal(slow.flagged, false, "presentation was on time: commit time alone does not void it");
  });

  it("rejects when onMaskEnd throws", async () => {
    const { loop, frame } = handLoop();
    const done = runFlash(loop, {
      neutral: fakeElement(),
      expression: fakeElement(),
      foreperiodFrames: 1,
      exposureFrames: 1,
      maskFrames: 1,
      periodMs: 10,
      onMaskEnd: () => {
        throw new Error("no buttons");
      },
    });
    const start = performance.now() + 1000;
    for (const t of [0, 10, 20, 30]) frame(start + t);
    await assert.rejects(done, /no buttons/);
  });
});

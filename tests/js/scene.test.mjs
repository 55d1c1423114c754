// Scenes in the browser, pure parts: keyframe interpolation, poses, the slow replay's clock and
// the scene scheduler fed fake rAF timestamps (exact windows, skipped frames, stalls, late flips).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SceneScheduler } from "../../static/js/scene/scheduler.js";
import { channelsAt, posesOf, poseMaker, slowReplayFrames, validateTimeline } from "../../static/js/scene/timeline.js";

const CHANNELS = ["12L", "12R", "43L", "43R", "gazeX", "gazeY", "pitch", "roll"];
const KEYFRAMES = [
  [0, 0, 0, 0, 0, 0.1, 0, 0.05, 0],
  [10, 0.5, 0.5, 0, 0, 0.1, 0, 0.05, 0],
  [11, 0.5, 0.5, 1, 1, 0.1, 0, 0.05, 0],
  [20, 0, 0.2, 0, 0, -0.2, 0.3, 0.1, -0.1],
];

/**
 * rAF timestamps at `hz`, coarsened to 0.1 ms; `skippedBefore` maps a callback index to vsyncs missed.
 * @param {number} hz
 * @param {{count?: number, skippedBefore?: Map<number, number>}} [options]
 */
function timestamps(hz, { count = 400, skippedBefore = new Map() } = {}) {
  const period = 1000 / hz;
  const out = [];
  let vsync = 0;
  for (let i = 0; i < count; i += 1) {
    vsync += 1 + (skippedBefore.get(i) ?? 0);
    out.push(Math.round((5000 + vsync * period) * 10) / 10);
  }
  return out;
}

/**
 * Run a scheduler over timestamps; `lateAt` maps a callback index to how late (ms) it starts.
 * @param {SceneScheduler} scheduler
 * @param {number[]} stamps
 * @param {Map<number, number>} [lateAt]
 */
function run(scheduler, stamps, lateAt = new Map()) {
  const drawn = [];
  for (const [i, ts] of stamps.entries()) {
    const frame = scheduler.next(ts, ts + (lateAt.get(i) ?? 1));
    if (frame < 0) break;
    drawn.push(frame);
  }
  return { drawn, report: scheduler.report() };
}

describe("timeline", () => {
  it("interpolates linearly between keyframes and holds at the ends", () => {
    assert.deepEqual(channelsAt(KEYFRAMES, 5).slice(0, 2), [0.25, 0.25]);
    assert.deepEqual(channelsAt(KEYFRAMES, 10.5).slice(2, 4), [0.5, 0.5]);
    assert.deepEqual(channelsAt(KEYFRAMES, 99), KEYFRAMES[3].slice(1));
    assert.deepEqual(channelsAt(KEYFRAMES, -3), KEYFRAMES[0].slice(1));
  });

  it("builds drawFace poses: units per side, gaze, head; zero units left out", () => {
    const pose = poseMaker(CHANNELS)(channelsAt(KEYFRAMES, 11));
    assert.deepEqual(pose.au, { 12: [0.5, 0.5], 43: [1, 1] });
    assert.deepEqual(pose.gaze, [0.1, 0]);
    assert.deepEqual(pose.head, { pitch: 0.05, roll: 0 });
    const at = posesOf({ frames: 21, channels: CHANNELS, keyframes: KEYFRAMES });
    assert.deepEqual(at(20).au, { 12: [0, 0.2] });
  });

  it("refuses malformed timelines from the network", () => {
    assert.throws(() => validateTimeline({ frames: 21, channels: CHANNELS, keyframes: [[1, 0, 0, 0, 0, 0, 0, 0, 0]] }));
    assert.throws(() => validateTimeline({ frames: 21, channels: CHANNELS, keyframes: [[0, 1]] }));
    assert.throws(() => validateTimeline({ frames: 21, channels: CHANNELS, keyframes: [KEYFRAMES[0], KEYFRAMES[0]] }));
  });

  it("replays the leak four times slower with normal-speed run-up and run-out", () => {
    const ticks = slowReplayFrames({ start: 100, frames: 6 }, 300);
    assert.equal(ticks[0], 55);
    const slow = ticks.filter((f) => f >= 88 && f <= 118);
    assert.equal(slow.length, 30 * 4 + 1);
    assert.ok(ticks.some((f) => !Number.isInteger(f)));
    assert.equal(ticks.at(-1), 148);
    for (let i = 1; i < ticks.length; i += 1) assert.ok(ticks[i] > ticks[i - 1]);
  });
});

describe("SceneScheduler", () => {
  for (const hz of [30, 60, 90, 120, 144]) {
    for (const frames of [2, 3, 6, 12, 30]) {
      it(`draws every frame once and measures a ${frames}-frame window exactly at ${hz} Hz`, () => {
        const scheduler = new SceneScheduler({ frames: 200, window: { start: 50, frames }, periodMs: 1000 / hz });
        const { drawn, report } = run(scheduler, timestamps(hz));
        assert.deepEqual(drawn, [...Array(200).keys()]);
        assert.equal(report.framesShown, frames);
        assert.equal(report.windowCallbacks, frames);
        assert.equal(report.flagged, false, JSON.stringify(report));
      });
    }
  }

  it("flags a window frame skipped by a missed vsync (frames), and stays in step after it", () => {
    const scheduler = new SceneScheduler({ frames: 120, window: { start: 50, frames: 6 }, periodMs: 1000 / 60 });
    const { drawn, report } = run(scheduler, timestamps(60, { skippedBefore: new Map([[53, 1]]) }));
    assert.ok(!drawn.includes(53) && drawn.includes(54), "the scene keeps its clock: frame 53 was skipped");
    assert.equal(report.flagged, true);
    assert.equal(report.flagReason, "frames");
  });

  it("flags a skipped first window frame", () => {
    const scheduler = new SceneScheduler({ frames: 120, window: { start: 50, frames: 6 }, periodMs: 1000 / 60 });
    const { report } = run(scheduler, timestamps(60, { skippedBefore: new Map([[50, 1]]) }));
    assert.equal(report.firstWindowFrame, 51);
    assert.equal(report.flagReason, "frames");
  });

  it("flags a late callback inside the window as a stall, but not one outside it", () => {
    const make = () => new SceneScheduler({ frames: 120, window: { start: 50, frames: 6 }, periodMs: 1000 / 60 });
    const inside = run(make(), timestamps(60), new Map([[52, 12]])).report;
    assert.equal(inside.flagReason, "stall");
    assert.equal(inside.lateFlips, 1);
    const outside = run(make(), timestamps(60), new Map([[20, 12], [80, 12]])).report;
    assert.equal(outside.flagged, false);
  });

  it("flags a long gap out of the hide callback (its frame was presented late)", () => {
    const scheduler = new SceneScheduler({ frames: 120, window: { start: 50, frames: 3 }, periodMs: 1000 / 60 });
    const { report } = run(scheduler, timestamps(60, { skippedBefore: new Map([[54, 2]]) }));
    assert.equal(report.framesShown, 3);
    assert.equal(report.flagReason, "stall");
  });

  it("ends in the callback after the last frame and reports when", () => {
    const stamps = timestamps(60);
    const scheduler = new SceneScheduler({ frames: 30, window: { start: 5, frames: 3 }, periodMs: 1000 / 60 });
    const { drawn, report } = run(scheduler, stamps);
    assert.equal(drawn.length, 30);
    assert.equal(report.maskEndTs, stamps[30]);
    assert.throws(() => new SceneScheduler({ frames: 30, window: { start: 0, frames: 3 }, periodMs: 16 }));
    assert.throws(() => new SceneScheduler({ frames: 30, window: { start: 28, frames: 3 }, periodMs: 16 }));
  });
});

describe("leak thresholds in words", () => {
  it("reads ms for leaks the display can show, and strength below the shortest", async () => {
    const { formatLevel } = await import("../../static/js/view.js");
    assert.equal(formatLevel(120.4, "leak"), "120 ms");
    assert.equal(formatLevel(25, "leak"), "50 ms at 50%");
  });
});

it("frames drawn ahead: each asked for once, skipped ones closed, an old sequence's dropped", async () => {
  const { AheadFrames } = await import("../../static/js/scene/ahead.js");
  const posted = [];
  const worker = { postMessage: (message) => posted.push(message), onmessage: null, onerror: null };
  const ahead = new AheadFrames(/** @type {any} */ (worker));
  const closed = [];
  const bitmap = (name) => ({ name, close: () => closed.push(name) });
  const deliver = (epoch, index) => worker.onmessage({ data: { epoch, index, bitmap: bitmap(index) } });
  ahead.load({ frames: 10 }, 100, 50);
  ahead.begin([0, 1, 2, 3, 4, 5]);
  const ready = ahead.ready([0, 1]);
  ahead.request([1, 2], 0);
  const renders = posted.filter((m) => m.type === "render");
  assert.deepEqual(renders.flatMap((m) => m.frames.map(([index]) => index)), [0, 1, 2], "nothing asked twice");
  for (const index of [0, 1, 2]) deliver(ahead.epoch, index);
  assert.equal(await ready, true);
  assert.equal(ahead.take(2).name, 2);
  assert.deepEqual(closed, [0, 1], "frames passed over are closed, not kept");
  const old = ahead.epoch;
  ahead.begin([0.5, 1]);
  deliver(old, 3);
  assert.deepEqual(closed, [0, 1, 3], "a frame of the previous sequence is closed on arrival");
  assert.equal(ahead.take(3), undefined);
  worker.onerror();
  assert.equal(await ahead.ready([0]), false, "a failed worker: the player draws live");
});

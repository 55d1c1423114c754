// FrameLoop, medianPeriod and measureRefresh under a fake requestAnimationFrame.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { FrameLoop, measureRefresh, medianPeriod } from "../../static/js/frames.js";

/** A fake rAF: callbacks wait until `frame(timestamp)` runs them, like one vsync. */
class FakeClock {
  constructor() {
    /** @type {Map<number, (timestamp: number) => void>} */
    this.pending = new Map();
    this.nextHandle = 1;
    this.requestFrame = (callback) => {
      const handle = this.nextHandle++;
      this.pending.set(handle, callback);
      return handle;
    };
    this.cancelFrame = (handle) => {
      this.pending.delete(handle);
    };
  }

  /** @param {number} timestamp */
  frame(timestamp) {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const callback of due) callback(timestamp);
  }
}

function fakeLoop() {
  const clock = new FakeClock();
  const loop = new FrameLoop({ requestFrame: clock.requestFrame, cancelFrame: clock.cancelFrame });
  return { clock, loop };
}

describe("FrameLoop", () => {
  it("delivers each frame's timestamp to every subscriber", () => {
    const { clock, loop } = fakeLoop();
    const first = [];
    const second = [];
    loop.subscribe((t) => first.push(t));
    loop.subscribe((t) => second.push(t));
    loop.start();
    for (const t of [10, 26.7, 43.3]) clock.frame(t);
    assert.deepEqual(first, [10, 26.7, 43.3]);
    assert.deepEqual(second, [10, 26.7, 43.3]);
  });

  it("stops delivering after unsubscribe, also from inside a callback", () => {
    const { clock, loop } = fakeLoop();
    const seen = [];
    const unsubscribe = loop.subscribe((t) => {
      seen.push(t);
      if (seen.length === 2) unsubscribe();
    });
    loop.start();
    for (const t of [1, 2, 3, 4]) clock.frame(t);
    assert.deepEqual(seen, [1, 2]);
  });

  it("keeps one frame request however often start() is called, none after stop()", () => {
    const { clock, loop } = fakeLoop();
    loop.start();
    loop.start();
    assert.equal(clock.pending.size, 1);
    assert.equal(loop.running, true);
    loop.stop();
    assert.equal(clock.pending.size, 0);
    assert.equal(loop.running, false);
  });

  it("keeps running when a subscriber throws", () => {
    const { clock, loop } = fakeLoop();
    const seen = [];
    loop.subscribe(() => {
      throw new Error("boom");
    });
    loop.subscribe((t) => seen.push(t));
    loop.start();
    assert.throws(() => clock.frame(1), /boom/);
    assert.equal(clock.pending.size, 1, "the next frame was requested before the error");
    assert.throws(() => clock.frame(2), /boom/);
    assert.deepEqual(seen, [1, 2]);
  });
});

describe("medianPeriod", () => {
  it("returns the median delta", () => {
    assert.equal(medianPeriod([0, 10, 20, 30]), 10);
  });

  it("ignores dropped frames and a tab switch while measuring", () => {
    const timestamps = [0, 16.7, 33.3, 50, 100, 116.7, 133.3, 150, 1150, 1166.7, 1183.3, 1200];
    assert.ok(Math.abs(medianPeriod(timestamps) - 16.7) < 0.1);
  });

  it("ignores a few short outliers too", () => {
    const timestamps = [0, 8.3, 8.4, 16.7, 25, 33.3, 41.7, 50];
    assert.ok(Math.abs(medianPeriod(timestamps) - 8.3) < 0.1);
  });

  it("refuses fewer than two timestamps", () => {
    assert.throws(() => medianPeriod([5]), RangeError);
  });
});

describe("measureRefresh", () => {
  for (const hz of [30, 60, 90, 120, 144]) {
    it(`measures ${hz} Hz from the loop and unsubscribes`, async () => {
      const { clock, loop } = fakeLoop();
      const period = 1000 / hz;
      const measured = measureRefresh(loop, 60);
      for (let k = 0; k <= 60; k += 1) clock.frame(1000 + k * period);
      assert.ok(Math.abs((await measured) - period) < 1e-9);
      assert.equal(loop._subscribers.size, 0);
      assert.equal(loop.running, true, "the drill's loop keeps running");
    });
  }
});

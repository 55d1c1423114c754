// One requestAnimationFrame loop per drill, and the refresh period measured from it.
//
// Why one loop: every stimulus change must happen inside a rAF callback, and timestamps from
// separate loops could disagree about which frame they belong to. Subscribers all receive the
// same timestamp for the same frame.

/** @typedef {(timestamp: number) => void} FrameCallback */
/** @typedef {(callback: FrameCallback) => number} RequestFrame */
/** @typedef {(handle: number) => void} CancelFrame */

export class FrameLoop {
  /**
   * @param {{requestFrame?: RequestFrame, cancelFrame?: CancelFrame}} [options]
   *   Injected so the loop runs under `node --test` with a fake clock; default to the window's.
   */
  constructor({ requestFrame, cancelFrame } = {}) {
    /** @type {RequestFrame} */
    this._requestFrame = requestFrame ?? ((callback) => globalThis.requestAnimationFrame(callback));
    /** @type {CancelFrame} */
    this._cancelFrame = cancelFrame ?? ((handle) => globalThis.cancelAnimationFrame(handle));
    /** @type {Set<FrameCallback>} */
    this._subscribers = new Set();
    /** @type {number | null} */
    this._handle = null;
    this._tick = this._tick.bind(this);
  }

  /** @returns {boolean} whether a frame is requested */
  get running() {
    return this._handle !== null;
  }

  /** Start requesting frames; calling it again while running does nothing. */
  start() {
    if (this._handle === null) this._handle = this._requestFrame(this._tick);
  }

  /** Stop requesting frames; subscribers stay subscribed for a later start(). */
  stop() {
    if (this._handle !== null) this._cancelFrame(this._handle);
    this._handle = null;
  }

  /**
   * Call `callback(timestamp)` on every frame until the returned function is called.
   * @param {FrameCallback} callback
   * @returns {() => void} unsubscribe
   */
  subscribe(callback) {
    this._subscribers.add(callback);
    return () => {
      this._subscribers.delete(callback);
    };
  }

  /** @param {number} timestamp the rAF timestamp (start of this frame, performance.now clock) */
  _tick(timestamp) {
    // Request the next frame first, so a throwing subscriber cannot stop the drill's clock.
    this._handle = this._requestFrame(this._tick);
    /** @type {unknown[]} */
    const errors = [];
    // Copy: a subscriber may unsubscribe itself (or subscribe another) while we iterate.
    for (const callback of [...this._subscribers]) {
      if (!this._subscribers.has(callback)) continue;
      try {
        callback(timestamp);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "frame subscribers failed");
  }
}

/**
 * The median interval between successive timestamps. The median, not the mean, so a few
 * dropped frames or a tab switch while measuring do not skew the period.
 * @param {number[]} timestamps ascending rAF timestamps
 * @returns {number} the median delta in the timestamps' unit
 */
export function medianPeriod(timestamps) {
  if (timestamps.length < 2) throw new RangeError("need at least two timestamps to measure a period");
  const deltas = [];
  for (let i = 1; i < timestamps.length; i += 1) deltas.push(timestamps[i] - timestamps[i - 1]);
  return median(deltas);
}

/**
 * @param {number[]} values non-empty
 * @returns {number}
 */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measure the refresh period as the median rAF delta over `frames` frames (60 ≈ one second at
 * 60 Hz). Starts the loop if it is not running, and leaves it running: a drill keeps one loop.
 * @param {FrameLoop} loop
 * @param {number} [frames] number of deltas to collect, at least 1
 * @returns {Promise<number>} the period in milliseconds
 */
export function measureRefresh(loop, frames = 60) {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError("frames must be a positive integer");
  return new Promise((resolve) => {
    /** @type {number[]} */
    const timestamps = [];
    const unsubscribe = loop.subscribe((timestamp) => {
      timestamps.push(timestamp);
      if (timestamps.length <= frames) return;
      unsubscribe();
      resolve(medianPeriod(timestamps));
    });
    loop.start();
  });
}

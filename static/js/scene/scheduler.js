// Which frame of a scene each rAF callback draws, and whether the measured window was exact. Pure.
//
// Same clock and rules as flash.js (read its top comment): frame k of the scene is drawn by the
// callback whose timestamp is k elapsed periods after the first callback, round((t - t0) / period).
// A missed vsync therefore skips scene frames instead of slowing the scene down. Inside the
// window the server asked to measure (it contains the leak, with a margin it does not reveal):
//
//   * showTs is the callback that draws the window's first frame, hideTs the one that draws the
//     first frame after it; framesShown = round((hideTs - showTs) / period) must equal the
//     window's length;
//   * the first window frame drawn must be the window's first frame (not skipped), and every
//     frame of the window must get its own callback;
//   * every gap from the one into the show callback through the one out of the hide callback
//     must stay under STALL_FACTOR periods, and no callback from the show through the hide may
//     start more than LATE_FLIP_FACTOR periods late. Unlike a flash, every frame of a scene is a
//     change (the face keeps moving), so every callback in the window is a flip.
//
// Anything else flags the scene; the server stores it unscored and sends another.

import { LATE_FLIP_FACTOR, STALL_FACTOR, framesBetween } from "../flash.js";

/**
 * @typedef {object} SceneReport
 * @property {number} requestedFrames the window's length
 * @property {number} framesShown round((hideTs - showTs) / periodMs)
 * @property {number} windowCallbacks callbacks that drew a window frame
 * @property {number} firstWindowFrame the first window frame drawn (the window's start when none was skipped)
 * @property {number} maxGapMs
 * @property {number} maxFlipLateMs
 * @property {number} lateFlips window callbacks that started more than LATE_FLIP_FACTOR periods late
 * @property {number} periodMs
 * @property {number} showTs
 * @property {number} hideTs
 * @property {number} maskEndTs the callback that ended the scene (answers may appear)
 * @property {boolean} flagged
 * @property {null | "frames" | "stall"} flagReason
 */

export class SceneScheduler {
  /**
   * @param {{frames: number, window: {start: number, frames: number}, periodMs: number}} spec
   */
  constructor({ frames, window, periodMs }) {
    if (!Number.isInteger(frames) || frames < 2) throw new RangeError("frames must be an integer ≥ 2");
    const { start, frames: length } = window;
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 1 || length < 1 || start + length >= frames) {
      throw new RangeError("the window must lie inside the scene, after its first frame");
    }
    if (!(periodMs > 0) || !Number.isFinite(periodMs)) throw new RangeError("periodMs must be > 0");
    this.frames = frames;
    this.windowStart = start;
    this.windowEnd = start + length;
    this.periodMs = periodMs;
    this.firstTs = NaN;
    this.previousTs = NaN;
    this.showTs = NaN;
    this.hideTs = NaN;
    this.maskEndTs = NaN;
    this.firstWindowFrame = -1;
    this.windowCallbacks = 0;
    this.maxGapMs = 0;
    this.maxFlipLateMs = 0;
    this.lateFlips = 0;
    this.done = false;
  }

  /**
   * @param {number} timestamp rAF timestamp
   * @param {number} [callbackStartMs] performance.now() at the callback's start
   * @returns {number} the scene frame to draw, or -1 when the scene is over
   */
  next(timestamp, callbackStartMs = timestamp) {
    if (this.done) return -1;
    const previousTs = this.previousTs;
    this.previousTs = timestamp;
    if (Number.isNaN(this.firstTs)) this.firstTs = timestamp;
    const frame = framesBetween(this.firstTs, timestamp, this.periodMs);
    if (Number.isNaN(this.showTs) && frame >= this.windowStart) {
      this.showTs = timestamp;
      this.firstWindowFrame = frame;
    }
    const showing = !Number.isNaN(this.showTs) && Number.isNaN(this.hideTs);
    if (Number.isNaN(this.hideTs) && frame >= this.windowEnd) this.hideTs = timestamp;
    const flip = showing || timestamp === this.hideTs;
    if (frame >= this.windowStart && frame < this.windowEnd) this.windowCallbacks += 1;
    const inWindow = (!Number.isNaN(this.showTs) && Number.isNaN(this.hideTs)) || timestamp === this.hideTs
      || previousTs === this.hideTs;
    if (inWindow && !Number.isNaN(previousTs)) this.maxGapMs = Math.max(this.maxGapMs, timestamp - previousTs);
    if (flip) {
      const late = callbackStartMs - timestamp;
      this.maxFlipLateMs = Math.max(this.maxFlipLateMs, late);
      if (late > LATE_FLIP_FACTOR * this.periodMs) this.lateFlips += 1;
    }
    if (frame >= this.frames) {
      this.done = true;
      this.maskEndTs = timestamp;
      return -1;
    }
    return frame;
  }

  /** @returns {SceneReport} */
  report() {
    if (!this.done) throw new Error("the scene has not finished");
    const requestedFrames = this.windowEnd - this.windowStart;
    const framesShown = framesBetween(this.showTs, this.hideTs, this.periodMs);
    let flagReason = /** @type {null | "frames" | "stall"} */ (null);
    if (framesShown !== requestedFrames || this.firstWindowFrame !== this.windowStart
      || this.windowCallbacks !== requestedFrames) flagReason = "frames";
    else if (this.maxGapMs > STALL_FACTOR * this.periodMs || this.lateFlips > 0) flagReason = "stall";
    return {
      requestedFrames,
      framesShown,
      windowCallbacks: this.windowCallbacks,
      firstWindowFrame: this.firstWindowFrame,
      maxGapMs: this.maxGapMs,
      maxFlipLateMs: this.maxFlipLateMs,
      lateFlips: this.lateFlips,
      periodMs: this.periodMs,
      showTs: this.showTs,
      hideTs: this.hideTs,
      maskEndTs: this.maskEndTs,
      flagged: flagReason !== null,
      flagReason,
    };
  }
}

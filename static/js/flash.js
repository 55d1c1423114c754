// Flash an expression for exactly N display frames between two neutral frames of the same face.
//
// Which timestamps, and why round((hideTs - showTs) / periodMs) is the number of frames on screen:
//
//   rAF callback k gets timestamp t_k, the start of frame k (Chrome's BeginFrame time). A style
//   change made inside callback k is painted into the frame that callback k produces, which the
//   display presents at a later vsync, a latency L after t_k. We record showTs = t_s, the callback
//   that makes the expression visible, and hideTs = t_h, the callback that hides it again. The
//   expression is on screen from t_s + L_s to t_h + L_h. When both flip frames are presented with
//   the same latency, that is (t_h - t_s) / period vsyncs, whatever L is. In between, a missed
//   vsync changes nothing: the compositor keeps showing the last frame.
//
//   L_s = L_h fails when the show or hide callback itself runs long (its frame is presented late)
//   and the timestamps cannot see it: Chrome traces show a 50 ms stall in the hide callback
//   leaving t_h - t_s at 1 period while the expression stayed up for 4. The only trace in rAF
//   time is a late next callback. So the stall check covers every gap from the one into the show
//   callback through the one out of the hide callback (t_(h+1) - t_h).
//
//   A flip callback that starts late in its frame (the main thread was busy, or the whole process
//   was descheduled by CPU contention) can miss its vsync although every gap looks normal: the
//   next frame then begins on time. Traces on a loaded machine showed exactly this: a hide
//   callback starting 13 ms into a 16.7 ms frame was presented one vsync late. So the flip
//   callbacks also measure their own lateness, performance.now() - t, and a flip later than
//   LATE_FLIP_FACTOR periods flags the trial as a stall too. Calibration (headless Chromium
//   traces with page jank, 300 flips): of flips starting under 0.5 periods late, 3 of 216 were
//   presented after their own vsync; 0.5-0.75: 6 of 23; 0.75-1: 10 of 14; later: all 47. So 0.5
//   errs towards replaying trials that were in fact fine.
//
//   Neither check sees a flip frame whose own rendering is slow: the callback starts on time and
//   returns quickly, but the style, paint and commit of the frame it produced overrun the frame's
//   deadline (the very first flash of a fresh page: canvases and compositor layers still cold;
//   traces showed the show frame taking 10-13 ms to commit and reaching the screen about a frame
//   late while every rAF gap looked normal). So each flip callback also posts a message: it runs as
//   the next task, after the main thread has finished that frame, and its arrival time minus the
//   flip's rAF timestamp is how long the frame took to leave the main thread. A flip frame later
//   than LATE_COMMIT_FACTOR periods is flagged too. Presenter also warms the canvases and the
//   compositor before the first flash, so this mostly catches what warming cannot prevent.
//
//   Where the browser reports presentation times (Element Timing, see presented.js), each flip
//   frame's presentation time is measured directly: presentedFrames = (hide presented - show
//   presented) / period, and a flash off by more than PRESENTED_TOLERANCE frames is flagged. That
//   check replaces the commit-time heuristic, which can only guess.
//
//   Phases advance by elapsed frames, round((t - phaseStartTs) / period), not by counting
//   callbacks. Without dropped frames the two are identical (callback k after the show has
//   elapsed k). After a stall between the flips, counting callbacks would always overrun; elapsed
//   frames hide on time whenever the stall ends before the hide is due. Either way a trial with a
//   gap over 1.5 periods in the flash window is flagged, not scored, and replayed.
//
// No setTimeout decides any duration here: every change happens inside a callback of the drill's
// single FrameLoop.

/** @typedef {"neutral" | "expression" | "mask" | "done"} Phase */

/**
 * @typedef {object} FlashSpec
 * @property {number} foreperiodFrames neutral frames before the expression, at least 1
 * @property {number} exposureFrames frames the expression is visible, at least 1
 * @property {number} maskFrames neutral frames after the expression, at least 1
 * @property {number} periodMs measured refresh period (median rAF delta)
 */

/**
 * @typedef {object} FlashReport
 * @property {number} requestedFrames
 * @property {number} framesShown round((hideTs - showTs) / periodMs)
 * @property {number} showTs rAF timestamp of the callback that showed the expression
 * @property {number} hideTs rAF timestamp of the callback that hid it
 * @property {number} periodMs the period used for the conversion
 * @property {number} maxGapMs largest gap between successive rAF timestamps in the flash window:
 *   from the frame before the show through the frame after the hide
 * @property {number} maxFlipLateMs the larger lateness of the show and hide callbacks, each
 *   measured as performance.now() at its start minus its rAF timestamp (an addition to the
 *   contract; 0 when the scheduler was fed no start times)
 * @property {number} maxFlipCommitMs the larger time from the show or hide flip's rAF timestamp to
 *   the end of the main thread's work on that frame (a message posted in the flip callback); 0
 *   when no such measurement was made
 * @property {number | null} presentedFrames (hide presented - show presented) / period, from the
 *   browser's presentation times; NaN when they were expected but not reported; null where the
 *   browser reports none
 * @property {boolean} flagged true when the trial must not be scored
 * @property {null | "frames" | "stall"} flagReason "frames" when framesShown differs from the
 *   request (whatever the cause), otherwise "stall" when a gap exceeded STALL_FACTOR periods or
 *   a flip callback started more than LATE_FLIP_FACTOR periods late
 * @property {number} maskEndTs rAF timestamp of the callback that ended the mask
 */

/** A gap longer than this many periods means at least one vsync passed without a new frame. */
export const STALL_FACTOR = 1.5;
/** A flip callback starting this many periods into its frame may miss the frame's vsync. */
export const LATE_FLIP_FACTOR = 0.5;
/** A flip frame still on the main thread this many periods after its start may miss its vsync. */
export const LATE_COMMIT_FACTOR = 0.75;
/**
 * Presented length further than this from the request (in frames) is not what was asked. A screen
 * shows frames on its vsyncs, so a flip that misses one is a whole frame late: half a frame is the
 * widest margin between "as asked" and "a frame off". A tighter one also voids exact flashes, since
 * the measurement adds the clock's coarseness (below) and, where frames are not presented on a
 * vsync, a few milliseconds of drawing: headless Chromium reports when its software swap finished,
 * and the frame with the expression in it takes longer to draw. At 0.3 that voided 20-70% of exact
 * flashes there (measured 3.35-3.59 frames of 4; bench/first_frame.py).
 */
export const PRESENTED_TOLERANCE = 0.5;
/**
 * Chrome rounds Element Timing render times to 4 ms, so a measured length may be off by up to that
 * much with nothing wrong. The tolerance never drops below it: at 120 Hz (8.3 ms frames) an exact
 * flash still passes and one a frame off (at least 4.3 ms off as measured) is still caught; above
 * about 125 Hz a one-frame error can hide inside the rounding, and only the rAF checks see it.
 */
export const PRESENTED_CLOCK_MS = 4;

/**
 * Whole frames elapsed between two rAF timestamps.
 * @param {number} fromTs
 * @param {number} toTs
 * @param {number} periodMs
 * @returns {number}
 */
export function framesBetween(fromTs, toTs, periodMs) {
  return Math.round((toTs - fromTs) / periodMs);
}

/**
 * Why a trial must not be scored, or null when it may be.
 * @param {{requestedFrames: number, framesShown: number, maxGapMs: number, maxFlipLateMs?: number,
 *   maxFlipCommitMs?: number, presentedFrames?: number | null, periodMs: number}} trial
 * @returns {null | "frames" | "stall"}
 */
export function flagReasonFor({
  requestedFrames, framesShown, maxGapMs, maxFlipLateMs = 0, maxFlipCommitMs = 0, presentedFrames = null, periodMs,
}) {
  if (framesShown !== requestedFrames) return "frames";
  if (maxGapMs > STALL_FACTOR * periodMs) return "stall";
  if (maxFlipLateMs > LATE_FLIP_FACTOR * periodMs) return "stall";
  if (presentedFrames !== null) {
    // NaN (a flip frame never reported) fails this comparison too.
    const tolerance = Math.max(PRESENTED_TOLERANCE, PRESENTED_CLOCK_MS / periodMs);
    if (!(Math.abs(presentedFrames - requestedFrames) <= tolerance)) return "stall";
  } else if (maxFlipCommitMs > LATE_COMMIT_FACTOR * periodMs) return "stall";
  return null;
}

/**
 * @param {FlashSpec} spec
 * @throws {RangeError} when a count is not a positive integer or the period is not positive
 */
function validateSpec({ foreperiodFrames, exposureFrames, maskFrames, periodMs }) {
  for (const [name, value] of Object.entries({ foreperiodFrames, exposureFrames, maskFrames })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  }
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) throw new RangeError(`periodMs must be > 0, got ${periodMs}`);
}

/**
 * Pure flash scheduler: feed it successive rAF timestamps, it answers what the frame produced by
 * that callback must show. No DOM, no clock of its own.
 */
export class FlashScheduler {
  /** @param {FlashSpec} spec */
  constructor(spec) {
    validateSpec(spec);
    this.spec = { ...spec };
    /** @type {Phase | null} null until the first timestamp */
    this.phase = null;
    /** @type {number} */ this._phaseStartTs = NaN;
    /** @type {number} */ this._previousTs = NaN;
    /** @type {number} */ this.showTs = NaN;
    /** @type {number} */ this.hideTs = NaN;
    /** @type {number} */ this.maskEndTs = NaN;
    this.maxGapMs = 0;
    this.maxFlipLateMs = 0;
    this.maxFlipCommitMs = 0;
    /** @type {Map<number, number | null>} flip rAF timestamp -> its presentation time */
    this.presented = new Map();
  }

  /**
   * The browser presented the frame of the flip made at `flipTs` at `atMs` (null: never reported).
   * @param {number} flipTs
   * @param {number | null} atMs
   */
  flipPresented(flipTs, atMs) {
    this.presented.set(flipTs, atMs);
  }

  /**
   * The main thread finished the frame of the flip made at `flipTs` at `atMs` (performance.now).
   * @param {number} flipTs the flip callback's rAF timestamp
   * @param {number} atMs
   */
  flipCommitted(flipTs, atMs) {
    this.maxFlipCommitMs = Math.max(this.maxFlipCommitMs, atMs - flipTs);
  }

  /** @returns {boolean} */
  get done() {
    return this.phase === "done";
  }

  /**
   * Advance to the frame starting at `timestamp`.
   * @param {number} timestamp the rAF timestamp, later than the previous one
   * @param {number} [callbackStartMs] performance.now() when this callback started, to measure
   *   how late a flip is; defaults to the timestamp (not late)
   * @returns {Phase} what this callback must make visible
   */
  next(timestamp, callbackStartMs = timestamp) {
    if (this.phase === "done") return "done";
    const previousTs = this._previousTs;
    const gap = timestamp - previousTs; // NaN on the first frame
    this._previousTs = timestamp;
    if (this.phase === null) {
      this._enter("neutral", timestamp);
      return this.phase;
    }
    const { foreperiodFrames, exposureFrames, maskFrames, periodMs } = this.spec;
    const elapsed = framesBetween(this._phaseStartTs, timestamp, periodMs);
    if (this.phase === "neutral" && elapsed >= foreperiodFrames) {
      this._enter("expression", timestamp);
      this.showTs = timestamp;
    } else if (this.phase === "expression" && elapsed >= exposureFrames) {
      this._enter("mask", timestamp);
      this.hideTs = timestamp;
    } else if (this.phase === "mask" && elapsed >= maskFrames) {
      this._enter("done", timestamp);
      this.maskEndTs = timestamp;
    }
    // The flash window: the gap into the show callback through the gap out of the hide callback
    // (a long hide callback delays the frame that removes the expression; see the top comment).
    const inFlash =
      this.phase === "expression" || timestamp === this.hideTs || previousTs === this.hideTs;
    if (inFlash) this.maxGapMs = Math.max(this.maxGapMs, gap);
    if (timestamp === this.showTs || timestamp === this.hideTs) {
      this.maxFlipLateMs = Math.max(this.maxFlipLateMs, callbackStartMs - timestamp);
    }
    return this.phase;
  }

  /**
   * @param {Phase} phase
   * @param {number} timestamp
   */
  _enter(phase, timestamp) {
    this.phase = phase;
    this._phaseStartTs = timestamp;
  }

  /**
   * @returns {FlashReport}
   * @throws {Error} before the mask has ended
   */
  report() {
    if (!this.done) throw new Error("the flash has not finished");
    const { exposureFrames, periodMs } = this.spec;
    const framesShown = framesBetween(this.showTs, this.hideTs, periodMs);
    const { maxGapMs, maxFlipLateMs, maxFlipCommitMs } = this;
    let presentedFrames = null;
    if (this.presented.size > 0) {
      const shown = this.presented.get(this.showTs) ?? null;
      const hidden = this.presented.get(this.hideTs) ?? null;
      presentedFrames = shown === null || hidden === null ? NaN : Math.round((100 * (hidden - shown)) / periodMs) / 100;
    }
    const trial = {
      requestedFrames: exposureFrames, framesShown, maxGapMs, maxFlipLateMs, maxFlipCommitMs, presentedFrames, periodMs,
    };
    const flagReason = flagReasonFor(trial);
    return {
      ...trial,
      showTs: this.showTs,
      hideTs: this.hideTs,
      flagged: flagReason !== null,
      flagReason,
      maskEndTs: this.maskEndTs,
    };
  }
}

/**
 * @typedef {object} FlashElements
 * @property {HTMLElement} neutral pre-drawn neutral face, under `expression`
 * @property {HTMLElement} expression pre-drawn expression of the same face, stacked on top
 * @property {(report: FlashReport) => void} [onMaskEnd] called inside the rAF callback that ends
 *   the mask, so the caller can put up the answer buttons in that same frame (or, if a flip
 *   frame's commit measurement is still due, as soon as it arrives)
 */

/**
 * The opacity of a face that must not show. Not 0: Chromium's compositor skips a layer at opacity
 * exactly 0, so a canvas redrawn while hidden reached the compositor only in the frame that showed
 * it, which then took 9-14 ms to commit and was presented about half a frame late (voided as a
 * stall, and a late flash on a phone). At this opacity the layer stays drawn, so the new face is
 * uploaded during the foreperiod and the show frame only changes an opacity. It cannot show: it
 * is under Blink's own invisibility threshold (0.0004, below half a step of a 10-bit channel),
 * and in 8 bits it blends to the neutral face's exact value (at most 0.08 of a step away).
 */
export const HIDDEN_OPACITY = "0.0003";

/**
 * Toggle opacity rather than display or visibility: no layout, and the most accurate rAF method
 * in published comparisons.
 * @param {HTMLElement} element
 * @param {boolean} visible
 */
export function setVisible(element, visible) {
  element.style.opacity = visible ? "1" : HIDDEN_OPACITY;
}

/**
 * A performance mark for trace proofs (tests/trace_frames.py), made in the callback that draws a frame.
 * @param {string} name
 */
export function markFrame(name) {
  // Keep only the latest mark of each name: a drill flashes hundreds of times.
  performance.clearMarks(name);
  performance.mark(name);
}

/**
 * Call `callback(performance.now())` in the task after the current one: posted from a rAF
 * callback, that is once the main thread has finished (styled, painted, committed) the frame.
 * @param {(atMs: number) => void} callback
 */
export function afterFrame(callback) {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback(performance.now());
  };
  channel.port2.postMessage(null);
}

/**
 * Run one flash on the drill's loop: neutral for `foreperiodFrames`, expression for
 * `exposureFrames`, neutral again for `maskFrames`. Resolves in the callback that ends the mask.
 * Marks "glimpse-show" and "glimpse-hide" in the flip callbacks (for Chrome-trace proof).
 * The report waits for both flip frames' commit measurements (they arrive within a frame or two).
 * @param {import("./frames.js").FrameLoop} loop the drill's loop (started here if needed)
 * @param {FlashSpec & FlashElements & {whenFrameDone?: (callback: (atMs: number) => void) => void,
 *   presentation?: {supported: boolean, mark: () => Promise<number | null>}}} options
 *   `whenFrameDone` defaults to afterFrame (injected by tests); `presentation` (a PresentationProbe)
 *   measures when each flip frame was presented, where supported
 * @returns {Promise<FlashReport>}
 */
export function runFlash(loop, { neutral, expression, onMaskEnd, whenFrameDone = afterFrame, presentation, ...spec }) {
  const scheduler = new FlashScheduler(spec);
  setVisible(neutral, true);
  setVisible(expression, false);
  return new Promise((resolve, reject) => {
    let expressionVisible = false;
    let pendingCommits = 0;
    let maskEnded = false;
    const finish = () => {
      const report = scheduler.report();
      try {
        onMaskEnd?.(report);
      } catch (error) {
        reject(error);
        return;
      }
      resolve(report);
    };
    const unsubscribe = loop.subscribe((timestamp) => {
      const phase = scheduler.next(timestamp, performance.now());
      const wantVisible = phase === "expression";
      if (wantVisible !== expressionVisible) {
        setVisible(expression, wantVisible);
        markFrame(wantVisible ? "glimpse-show" : "glimpse-hide");
        expressionVisible = wantVisible;
        const measured = () => {
          pendingCommits -= 1;
          if (maskEnded && pendingCommits === 0) finish();
        };
        pendingCommits += 1;
        whenFrameDone((atMs) => {
          scheduler.flipCommitted(timestamp, atMs);
          measured();
        });
        if (presentation?.supported) {
          pendingCommits += 1;
          presentation.mark().then((atMs) => {
            scheduler.flipPresented(timestamp, atMs);
            measured();
          });
        }
      }
      if (phase !== "done") return;
      unsubscribe();
      maskEnded = true;
      // Normally both measurements are in by now and the report is ready inside this callback.
      if (pendingCommits === 0) finish();
    });
    loop.start();
  });
}

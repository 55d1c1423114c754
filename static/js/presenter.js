// Draws a trial's two faces ahead of time and flashes them on the drill's frame loop.

import { renderFace } from "./face/draw.js";
import { runFlash } from "./flash.js";
import { FrameLoop, measureRefresh, medianPeriod } from "./frames.js";

export class Presenter {
  /**
   * @param {{stage: HTMLElement, neutral: HTMLCanvasElement, expression: HTMLCanvasElement}} elements
   */
  constructor({ stage, neutral, expression }) {
    this.stage = stage;
    this.neutral = neutral;
    this.expression = expression;
    this.loop = new FrameLoop();
    this.periodMs = 1000 / 60;
  }

  /** Measure the display's frame period (median over about a second) and keep the loop running. */
  async measureRefresh() {
    this.periodMs = await measureRefresh(this.loop, 60);
    return this.periodMs;
  }

  /**
   * Show one trial: neutral, the expression for exactly `exposureFrames` frames, neutral again.
   * The period is re-measured over this trial's own frames and reported with it.
   * @param {import("./net.js").Message} trial
   */
  async present(trial) {
    const size = this.stage.clientWidth;
    renderFace(this.neutral, Number(trial.identitySeed), /** @type {any} */ (trial.neutral), size);
    renderFace(this.expression, Number(trial.identitySeed), /** @type {any} */ (trial.expression), size);
    /** @type {number[]} */
    const timestamps = [];
    const stopCollecting = this.loop.subscribe((ts) => timestamps.push(ts));
    const report = await runFlash(this.loop, {
      neutral: this.neutral,
      expression: this.expression,
      foreperiodFrames: Number(trial.foreperiodFrames),
      exposureFrames: Number(trial.exposureFrames),
      maskFrames: Number(trial.maskFrames),
      periodMs: this.periodMs,
    });
    stopCollecting();
    const refreshMs = timestamps.length > 10 ? medianPeriod(timestamps) : this.periodMs;
    this.periodMs = refreshMs;
    return { ...report, refreshMs };
  }

  /**
   * Replay the last flash slowly (about half a second), to study what was missed.
   * @returns {Promise<void>}
   */
  async replaySlowly() {
    const frames = (/** @type {number} */ ms) => Math.max(1, Math.round(ms / this.periodMs));
    this.reveal(false);
    await runFlash(this.loop, {
      neutral: this.neutral,
      expression: this.expression,
      foreperiodFrames: frames(400),
      exposureFrames: frames(600),
      maskFrames: 1,
      periodMs: this.periodMs,
    });
    this.reveal(true);
  }

  /** Show the expression again, still, for feedback. */
  reveal(visible = true) {
    this.expression.style.opacity = visible ? "1" : "0";
  }

  stop() {
    this.loop.stop();
  }
}

// Draws a trial's two faces ahead of time and flashes them on the drill's frame loop.

import { drawFace } from "./face/draw.js";
import { identityFromSeed } from "./face/identity.js";
import { runFlash } from "./flash.js";
import { FrameLoop, measureRefresh, medianPeriod } from "./frames.js";

/**
 * Sizes a canvas for the device pixel ratio and draws a face on it (renderFace, for an identity with traits).
 * @param {HTMLCanvasElement} canvas
 * @param {ReturnType<typeof identityFromSeed>} identity
 * @param {import("./face/geometry.js").Pose} pose
 * @param {number} cssSize
 */
function drawOn(canvas, identity, pose, cssSize) {
  const ratio = Math.min(3, globalThis.devicePixelRatio || 1);
  const pixels = Math.round(cssSize * ratio);
  if (canvas.width !== pixels || canvas.height !== pixels) {
    canvas.width = pixels;
    canvas.height = pixels;
  }
  canvas.style.width = `${cssSize}px`;
  canvas.style.height = `${cssSize}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  drawFace(ctx, identity, pose, cssSize);
}

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
    // The server chose the skin type, glasses and facial hair (trial.identity); the seed gives the rest.
    const identity = identityFromSeed(Number(trial.identitySeed), trial.identity);
    drawOn(this.neutral, identity, /** @type {any} */ (trial.neutral), size);
    drawOn(this.expression, identity, /** @type {any} */ (trial.expression), size);
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

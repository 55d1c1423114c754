// Draws a trial's two faces ahead of time and flashes them on the drill's frame loop.

import { drawOnCanvas } from "./face/draw.js";
import { identityFromSeed } from "./face/identity.js";
import { runFlash, setVisible } from "./flash.js";
import { FrameLoop, measureRefresh, medianPeriod } from "./frames.js";
import { PresentationProbe } from "./presented.js";

/**
 * One face on the stage: a canvas the flash shows or hides, and how a new face gets onto it.
 *
 * Where OffscreenCanvas exists, the face is drawn off screen and handed to the stage canvas as an
 * ImageBitmap ("bitmaprenderer" context). A 2D canvas that is restyled (any flip: opacity,
 * visibility, even z-index) is repainted, and a software-composited Chromium then copies the
 * whole canvas again in that frame: both faces, 5-8 ms each at 3x, so the frame that showed the
 * expression reached the screen about a frame late (traces: two ProduceCanvasResource calls in
 * each flip's commit) and the flash was voided. An ImageBitmap is handed over once, during the
 * foreperiod, and a flip only changes an opacity. Elsewhere the face is drawn on the stage canvas.
 */
class FaceSurface {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    /** @type {OffscreenCanvas | null} */
    this.ink = null;
    /** @type {ImageBitmapRenderingContext | null} */
    this.renderer = null;
    if (typeof OffscreenCanvas === "function") {
      this.renderer = canvas.getContext("bitmaprenderer", { alpha: false });
    }
    if (this.renderer) {
      this.ink = new OffscreenCanvas(1, 1);
      this.ink.getContext("2d", { alpha: false });
    } else {
      // Opaque (the face's backdrop fills it): the compositor need not draw what the expression covers.
      canvas.getContext("2d", { alpha: false });
    }
  }

  /**
   * @param {ReturnType<typeof identityFromSeed>} identity
   * @param {object} pose
   * @param {number} size CSS pixels
   */
  draw(identity, pose, size) {
    if (!this.ink || !this.renderer) {
      drawOnCanvas(this.canvas, identity, /** @type {any} */ (pose), size);
      return;
    }
    drawOnCanvas(this.ink, identity, /** @type {any} */ (pose), size);
    const bitmap = this.ink.transferToImageBitmap();
    if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
      this.canvas.width = bitmap.width;
      this.canvas.height = bitmap.height;
    }
    this.renderer.transferFromImageBitmap(bitmap);
  }
}

export class Presenter {
  /**
   * @param {{stage: HTMLElement, neutral: HTMLCanvasElement, expression: HTMLCanvasElement,
   *   probe: HTMLElement}} elements `probe` holds presentation markers, under the faces
   */
  constructor({ stage, neutral, expression, probe }) {
    this.stage = stage;
    this.presentation = new PresentationProbe(probe);
    this.neutral = neutral;
    this.expression = expression;
    this.surfaces = { neutral: new FaceSurface(neutral), expression: new FaceSurface(expression) };
    this.loop = new FrameLoop();
    this.periodMs = 1000 / 60;
  }

  /**
   * Put a neutral face on the stage at once, so the drill never opens on an empty box.
   * @param {object} pose the catalogue's neutral pose
   */
  showStandIn(pose) {
    const size = this.stage.clientWidth;
    const seed = crypto.getRandomValues(new Uint32Array(1))[0] >>> 1; // seeds >= 2^31 are checkup faces
    const identity = identityFromSeed(seed);
    for (const surface of Object.values(this.surfaces)) surface.draw(identity, pose, size);
    setVisible(this.neutral, true);
    setVisible(this.expression, false);
    this.standIn = true;
  }

  /**
   * Measure the display's frame period (median over about a second) and keep the loop running.
   *
   * Meanwhile, warm the flip: a fresh page's first opacity change of a canvas pays for creating
   * and uploading its compositor layer, and that frame reached the screen about one frame late.
   * While both canvases hold the same stand-in face, flipping the top one is invisible, so the
   * whole path (paint, commit, composite at opacity 1 and 0) runs a few times before any flash.
   */
  async measureRefresh() {
    let frame = 0;
    const warm = this.standIn
      ? this.loop.subscribe(() => {
        frame += 1;
        if (frame % 6 === 0) setVisible(this.expression, this.expression.style.opacity !== "1");
      })
      : () => {};
    this.periodMs = await measureRefresh(this.loop, 60);
    warm();
    setVisible(this.expression, false);
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
    this.surfaces.neutral.draw(identity, trial.neutral, size);
    this.surfaces.expression.draw(identity, trial.expression, size);
    /** @type {number[]} */
    const timestamps = [];
    const stopCollecting = this.loop.subscribe((ts) => timestamps.push(ts));
    this.presentation.clear();
    const report = await runFlash(this.loop, {
      neutral: this.neutral,
      expression: this.expression,
      presentation: this.presentation,
      foreperiodFrames: Number(trial.foreperiodFrames),
      exposureFrames: Number(trial.exposureFrames),
      maskFrames: Number(trial.maskFrames),
      periodMs: this.periodMs,
    });
    stopCollecting();
    this.standIn = false;
    const refreshMs = timestamps.length > 10 ? medianPeriod(timestamps) : this.periodMs;
    this.periodMs = refreshMs;
    // For traces and tests: what the page measured about this flash.
    performance.clearMarks("glimpse-report");
    performance.mark("glimpse-report", { detail: { ...report, refreshMs } });
    return { ...report, refreshMs };
  }

  /**
   * Replay the last flash slowly: the neutral face, the expression for about 600 ms, and the
   * neutral face again, which stays (ending on the expression would add a one-frame blink).
   * @returns {Promise<void>}
   */
  async replaySlowly() {
    const frames = (/** @type {number} */ ms) => Math.max(1, Math.round(ms / this.periodMs));
    await runFlash(this.loop, {
      neutral: this.neutral,
      expression: this.expression,
      foreperiodFrames: frames(400),
      exposureFrames: frames(600),
      maskFrames: 1,
      periodMs: this.periodMs,
    });
  }

  /** Show the expression again, still, for feedback. */
  reveal(visible = true) {
    setVisible(this.expression, visible);
  }

  stop() {
    this.loop.stop();
  }
}

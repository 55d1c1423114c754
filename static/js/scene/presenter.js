// Shows scenes for the Drill script: prepares and plays each one on its own frame loop, measures
// it, and replays it slowly around the leak for the feedback.

import { FrameLoop, measureRefresh, medianPeriod } from "../frames.js";
import { ScenePlayer } from "./player.js";

export class ScenePresenter {
  /**
   * @param {{stage: HTMLElement, canvas: HTMLCanvasElement, caption: HTMLElement}} elements
   */
  constructor({ stage, canvas, caption }) {
    this.stage = stage;
    this.loop = new FrameLoop();
    this.player = new ScenePlayer({ canvas, caption, loop: this.loop });
    this.periodMs = 1000 / 60;
    /** @type {any} */
    this.scene = null;
  }

  async measureRefresh() {
    this.periodMs = await measureRefresh(this.loop, 60);
    return this.periodMs;
  }

  /**
   * Prepare and play one scene; resolves in the frame it ends.
   * @param {import("../net.js").Message} scene
   */
  async present(scene) {
    this.scene = scene;
    await this.player.prepare(/** @type {any} */ (scene), this.stage.clientWidth || 300);
    /** @type {number[]} */
    const timestamps = [];
    const stopCollecting = this.loop.subscribe((ts) => timestamps.push(ts));
    const report = await this.player.play(this.periodMs);
    stopCollecting();
    this.player.release();
    const refreshMs = timestamps.length > 10 ? medianPeriod(timestamps) : this.periodMs;
    this.periodMs = refreshMs;
    // The protocol's answer carries framesShown and `stalled`: a window frame skipped or drawn
    // twice with the count still right must void the scene too, so it travels as a stall.
    const countRight = report.framesShown === report.requestedFrames;
    const flagReason = report.flagReason === "frames" && countRight ? "stall" : report.flagReason;
    return { ...report, flagReason, refreshMs };
  }

  /**
   * @param {{start: number, frames: number}} leak
   * @param {(frame: number) => void} [onFrame]
   */
  replaySlowly(leak, onFrame) {
    return this.player.replaySlowly(leak, onFrame);
  }

  /** @param {number} frame */
  showFrame(frame) {
    if (this.scene) this.player.drawFrame(frame);
  }

  stop() {
    this.loop.stop();
  }
}

// Plays a scene on the drill's single frame loop: a living face drawn frame by frame.
//
// Outside the measured window each frame is drawn live with drawFace (a few ms on a phone).
// The window (the leak and a margin) is drawn ahead of time into ImageBitmaps, so each of its
// frames costs one drawImage and cannot miss its budget because a face took long to draw.
// Canvas resolution is capped at 2 device pixels per CSS pixel for every frame alike (a
// change of sharpness at the leak would itself be a cue): at 3x a 30-frame window of prepared
// bitmaps would hold over 100 MB.

import { drawFace } from "../face/draw.js";
import { identityFromSeed } from "../face/identity.js";
import { SceneScheduler } from "./scheduler.js";
import { posesOf, slowReplayFrames } from "./timeline.js";

export const MAX_RATIO = 2;
/** Bitmaps prepared at most; later window frames are drawn live (reported in maxDrawMs). */
export const MAX_PREPARED = 64;

/**
 * @typedef {object} Scene what the server's `scene` message carries
 * @property {number} identitySeed
 * @property {number} frames
 * @property {string[]} channels
 * @property {number[][]} keyframes
 * @property {{start: number, frames: number}} window
 * @property {number[]} speech first and last+1 frame of the spoken line
 * @property {string} line
 */

/** @param {string} name */
function mark(name) {
  performance.clearMarks(name);
  performance.mark(name);
}

export class ScenePlayer {
  /**
   * @param {{canvas: HTMLCanvasElement, caption?: HTMLElement | null,
   *          loop: import("../frames.js").FrameLoop, maxRatio?: number, prepareWindow?: boolean}} parts
   *   maxRatio and prepareWindow exist for bench/scene_frames.py's baseline (every frame live at 3x)
   */
  constructor({ canvas, caption = null, loop, maxRatio = MAX_RATIO, prepareWindow = true }) {
    this.maxRatio = maxRatio;
    this.prepareWindow = prepareWindow;
    this.canvas = canvas;
    this.caption = caption;
    this.loop = loop;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    /** @type {(ImageBitmap | null)[]} */
    this.prepared = [];
    this.cssSize = 0;
    this.ratio = 1;
    /** @type {Scene | null} */
    this.scene = null;
    /** @type {((frame: number) => import("../face/geometry.js").Pose) | null} */
    this.poseAt = null;
    this.identity = null;
  }

  /**
   * Size the canvas, decode the timeline and draw the window's frames ahead.
   * @param {Scene} scene
   * @param {number} cssSize
   */
  async prepare(scene, cssSize) {
    this.release();
    this.scene = scene;
    this.cssSize = cssSize;
    this.ratio = Math.min(this.maxRatio, globalThis.devicePixelRatio || 1);
    const pixels = Math.round(cssSize * this.ratio);
    if (this.canvas.width !== pixels) this.canvas.width = this.canvas.height = pixels;
    // The stage sizes the canvas (it shrinks while the feedback is shown); pixels are set for cssSize.
    this.canvas.style.width = this.canvas.style.height = "100%";
    this.poseAt = posesOf(scene);
    this.identity = identityFromSeed(Number(scene.identitySeed));
    const { start, frames } = scene.window;
    for (let i = 0; i < (this.prepareWindow ? Math.min(frames, MAX_PREPARED) : 0); i += 1) {
      this.prepared.push(this.#bitmap(start + i, pixels));
      if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 0)); // keep the page responsive
    }
    this.drawFrame(0);
  }

  /**
   * @param {number} frame
   * @param {number} pixels
   * @returns {ImageBitmap | null}
   */
  #bitmap(frame, pixels) {
    if (typeof OffscreenCanvas === "undefined") return null;
    const offscreen = new OffscreenCanvas(pixels, pixels);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (offscreen.getContext("2d"));
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    drawFace(/** @type {any} */ (ctx), this.identity, /** @type {any} */ (this.poseAt)(frame), this.cssSize);
    return offscreen.transferToImageBitmap();
  }

  /**
   * Draw one (possibly fractional) frame of the scene on the visible canvas.
   * @param {number} frame
   */
  drawFrame(frame) {
    const scene = /** @type {Scene} */ (this.scene);
    const prepared = Number.isInteger(frame) ? this.prepared[frame - scene.window.start] : undefined;
    if (prepared) {
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.ctx.drawImage(prepared, 0, 0);
      return;
    }
    this.ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    drawFace(this.ctx, this.identity, /** @type {any} */ (this.poseAt)(frame), this.cssSize);
  }

  /**
   * Play the prepared scene, one scene frame per elapsed display frame. Marks
   * "glimpse-scene-show"/"glimpse-scene-hide" at the window's flips and "glimpse-scene-frame"
   * in every callback that draws a frame (for trace proofs).
   * @param {number} periodMs
   * @param {{onEnd?: (report: import("./scheduler.js").SceneReport) => void,
   *          onFrame?: (frame: number) => void}} [options] onEnd runs in the callback that ends the
   *   scene, so answers can appear in that frame; onFrame after each frame is drawn (the Learn demo)
   * @returns {Promise<import("./scheduler.js").SceneReport & {maxDrawMs: number, drawMs: number[]}>}
   */
  play(periodMs, { onEnd, onFrame } = {}) {
    const scene = /** @type {Scene} */ (this.scene);
    const scheduler = new SceneScheduler({ frames: scene.frames, window: scene.window, periodMs });
    const [speechFrom, speechTo] = scene.speech;
    /** @type {number[]} */
    const drawMs = [];
    let speaking = false;
    return new Promise((resolve, reject) => {
      const unsubscribe = this.loop.subscribe((timestamp) => {
        const began = performance.now();
        const showTs = scheduler.showTs;
        const hideTs = scheduler.hideTs;
        const frame = scheduler.next(timestamp, began);
        if (frame < 0) {
          unsubscribe();
          this.#say(false);
          const report = { ...scheduler.report(), drawMs, maxDrawMs: Math.max(0, ...drawMs) };
          try {
            onEnd?.(report);
          } catch (error) {
            reject(error);
            return;
          }
          resolve(report);
          return;
        }
        this.drawFrame(frame);
        if (Number.isNaN(showTs) && !Number.isNaN(scheduler.showTs)) mark("glimpse-scene-show");
        if (Number.isNaN(hideTs) && !Number.isNaN(scheduler.hideTs)) mark("glimpse-scene-hide");
        mark("glimpse-scene-frame");
        const wantSpeaking = frame >= speechFrom && frame < speechTo + 20;
        if (wantSpeaking !== speaking) this.#say((speaking = wantSpeaking));
        onFrame?.(frame);
        drawMs.push(performance.now() - began);
      });
      this.loop.start();
    });
  }

  /** @param {boolean} on */
  #say(on) {
    if (!this.caption || !this.scene) return;
    this.caption.textContent = on ? `“${this.scene.line}”` : "";
    this.caption.classList.toggle("speaking", on);
  }

  /**
   * Replay around the leak, slowed down, with a playhead callback for the timeline marker.
   * @param {{start: number, frames: number}} leak
   * @param {(frame: number) => void} [onFrame]
   * @param {{slowdown?: number}} [options]
   * @returns {Promise<void>}
   */
  replaySlowly(leak, onFrame, { slowdown = 4 } = {}) {
    const scene = /** @type {Scene} */ (this.scene);
    const ticks = slowReplayFrames(leak, scene.frames, { slowdown });
    let index = 0;
    return new Promise((resolve) => {
      const unsubscribe = this.loop.subscribe(() => {
        if (index >= ticks.length) {
          unsubscribe();
          resolve();
          return;
        }
        this.drawFrame(ticks[index]);
        onFrame?.(ticks[index]);
        index += 1;
      });
      this.loop.start();
    });
  }

  /** Free the prepared bitmaps (tens of MB) as soon as a scene is over. */
  release() {
    for (const bitmap of this.prepared) bitmap?.close();
    this.prepared = [];
  }
}

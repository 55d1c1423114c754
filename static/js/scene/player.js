// Plays a scene on the drill's single frame loop: a living face, every frame on time.
//
// Every frame is drawn ahead in a worker (ahead.js): before the scene starts, the measured window
// (the leak and a margin) and the first frames are ready as ImageBitmaps; while it plays, the
// worker keeps a few frames ahead of the one shown, so a frame callback costs one drawImage. When
// the worker falls behind outside the window, the callback keeps the frame on screen (counted in
// heldFrames) rather than draw a face on the main thread: that would make the next callbacks late
// too, and a late callback drops frames anyway.
// Where there is no worker able to draw (no OffscreenCanvas), the window is drawn ahead on the
// main thread and the rest live. Canvas resolution is capped at 2 device pixels per CSS pixel for
// every frame alike (a change of sharpness at the leak would itself be a cue).

import { drawFace } from "../face/draw.js";
import { identityFromSeed } from "../face/identity.js";
import { markFrame } from "../flash.js";
import { AheadFrames, RING } from "./ahead.js";
import { SceneScheduler } from "./scheduler.js";
import { posesOf, slowReplayFrames } from "./timeline.js";

export const MAX_RATIO = 2;
/**
 * Frames held ahead at most: the window (prepared before the scene starts; a longer window's
 * later frames are drawn ahead like the others) and, while it plays, as many frames beyond the one
 * shown as fit in the rest (RING at least): the longer the lead, the longer the worker may be
 * starved without a frame being held. 64 bitmaps at 2x on a 390-px phone: ~110 MB.
 */
export const MAX_PREPARED = 64;

/**
 * @typedef {object} Scene what the server's `scene` message carries
 * @property {number} identitySeed
 * @property {object} [identity] the traits the server chose (skin type, glasses, facial hair)
 * @property {number} frames
 * @property {string[]} channels
 * @property {number[][]} keyframes
 * @property {{start: number, frames: number}} window
 * @property {number[]} speech first and last+1 frame of the spoken line
 * @property {string} line
 */

export class ScenePlayer {
  /**
   * @param {{canvas: HTMLCanvasElement, caption?: HTMLElement | null,
   *          loop: import("../frames.js").FrameLoop, renderAhead?: boolean}} parts
   *   renderAhead: false is last session's player (window on the main thread, the rest live), kept
   *   as bench/scene_frames.py's baseline and as the fallback where workers cannot draw
   */
  constructor({ canvas, caption = null, loop, renderAhead = true }) {
    this.canvas = canvas;
    this.caption = caption;
    this.loop = loop;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    this.ahead = renderAhead ? AheadFrames.create() : null;
    /** @type {(ImageBitmap | null)[]} the window drawn on the main thread (no worker) */
    this.prepared = [];
    this.cssSize = 0;
    this.ratio = 1;
    /** @type {Scene | null} */
    this.scene = null;
    /** @type {((frame: number) => import("../face/geometry.js").Pose) | null} */
    this.poseAt = null;
    this.identity = null;
    /** @type {number[]} every frame of the scene, the sequence play() shows */
    this.sequence = [];
    this.liveFrames = 0;
    this.heldFrames = 0;
  }

  /**
   * Size the canvas, decode the timeline and draw the window's frames (and the first ones) ahead.
   * @param {Scene} scene
   * @param {number} cssSize
   */
  async prepare(scene, cssSize) {
    this.release();
    this.scene = scene;
    this.cssSize = cssSize;
    this.ratio = Math.min(MAX_RATIO, globalThis.devicePixelRatio || 1);
    const pixels = Math.round(cssSize * this.ratio);
    if (this.canvas.width !== pixels) this.canvas.width = this.canvas.height = pixels;
    // The stage sizes the canvas (it shrinks while the feedback is shown); pixels are set for cssSize.
    this.canvas.style.width = this.canvas.style.height = "100%";
    this.poseAt = posesOf(scene);
    this.identity = identityFromSeed(Number(scene.identitySeed), scene.identity);
    this.ahead?.load(scene, pixels, cssSize);
    this.sequence = Array.from({ length: scene.frames }, (_, i) => i);
    await this.#ready(this.sequence);
    this.drawFrame(0);
  }

  /**
   * Start a sequence in the worker and wait for what must be ready before it plays: the window
   * (for play) and the first RING frames.
   * @param {number[]} sequence
   * @returns {Promise<boolean>} false when frames are drawn here instead
   */
  async #ahead(sequence) {
    if (!this.ahead || this.ahead.failed) return false;
    const scene = /** @type {Scene} */ (this.scene);
    const { start, frames } = scene.window;
    const needed = AheadFrames.range(0, RING);
    // The window and the frame after it (the one that ends it): each must be drawn in its own callback.
    if (sequence === this.sequence) needed.push(...AheadFrames.range(start, Math.min(frames + 1, MAX_PREPARED)));
    if (this.ahead.sequence === sequence && this.ahead.has(needed)) return true;
    this.ahead.begin(sequence);
    return this.ahead.ready(needed);
  }

  /** @param {number[]} sequence */
  async #ready(sequence) {
    if (!(await this.#ahead(sequence)) && sequence === this.sequence && !this.prepared.length) await this.#prepareHere();
  }

  async #prepareHere() {
    const pixels = this.canvas.width;
    const { start, frames } = /** @type {Scene} */ (this.scene).window;
    for (let i = 0; i < Math.min(frames, MAX_PREPARED); i += 1) {
      this.prepared.push(this.#bitmap(start + i, pixels));
      if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 0)); // keep the page responsive
    }
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
   * @param {number} [index] its place in the sequence being played (frames drawn ahead are looked up by it)
   * @returns {boolean} false when the frame on screen was kept (the worker is behind)
   */
  drawFrame(frame, index) {
    const scene = /** @type {Scene} */ (this.scene);
    const ahead = index === undefined ? undefined : this.ahead?.take(index);
    const prepared = ahead ?? (Number.isInteger(frame) ? this.prepared[frame - scene.window.start] : undefined);
    if (prepared) {
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.ctx.drawImage(prepared, 0, 0);
      ahead?.close();
      return true;
    }
    const { start, frames } = scene.window;
    const inWindow = frame >= start && frame <= start + frames; // and the frame that ends it
    if (index !== undefined && index > 0 && this.ahead && !this.ahead.failed && !inWindow) {
      this.heldFrames += 1;
      return false;
    }
    if (index !== undefined) this.liveFrames += 1;
    this.ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    drawFace(this.ctx, this.identity, /** @type {any} */ (this.poseAt)(frame), this.cssSize);
    return true;
  }

  /**
   * Keep the lead coming after the index just shown. While the window plays the worker rests
   * (unless the frames after the window are not asked for yet): on a phone with few cores its
   * drawing would compete with the window's callbacks and the compositor.
   * @param {number} index
   * @param {boolean} playing the scene's own sequence (not the slow replay)
   */
  #askAhead(index, playing) {
    if (!this.ahead) return;
    const { start, frames } = /** @type {Scene} */ (this.scene).window;
    if (playing && index >= start - 1 && index <= start + frames) {
      this.ahead.request(AheadFrames.range(start + frames + 1, RING), index + 1);
      return;
    }
    const lead = Math.max(RING, MAX_PREPARED - Math.min(frames, MAX_PREPARED));
    this.ahead.request(AheadFrames.range(index + 1, lead), index + 1);
  }

  /**
   * Play the prepared scene, one scene frame per elapsed display frame. Marks
   * "glimpse-scene-show"/"glimpse-scene-hide" at the window's flips and "glimpse-scene-frame"
   * in every callback that draws a frame (for trace proofs).
   * @param {number} periodMs
   * @param {{onEnd?: (report: import("./scheduler.js").SceneReport) => void,
   *          onFrame?: (frame: number) => void}} [options] onEnd runs in the callback that ends the
   *   scene, so answers can appear in that frame; onFrame after each frame is drawn (the Learn demo)
   * @returns {Promise<import("./scheduler.js").SceneReport & {maxDrawMs: number, drawMs: number[],
   *   liveFrames: number, heldFrames: number}>} liveFrames: frames drawn on the main thread in their
   *   callback; heldFrames: callbacks that kept the previous frame because the worker was behind
   */
  async play(periodMs, { onEnd, onFrame } = {}) {
    const scene = /** @type {Scene} */ (this.scene);
    await this.#ready(this.sequence);
    this.liveFrames = 0;
    this.heldFrames = 0;
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
          const report = { ...scheduler.report(), drawMs, maxDrawMs: Math.max(0, ...drawMs),
            liveFrames: this.liveFrames, heldFrames: this.heldFrames };
          try {
            onEnd?.(report);
          } catch (error) {
            reject(error);
            return;
          }
          resolve(report);
          return;
        }
        this.drawFrame(frame, frame);
        this.#askAhead(frame, true);
        if (Number.isNaN(showTs) && !Number.isNaN(scheduler.showTs)) markFrame("glimpse-scene-show");
        if (Number.isNaN(hideTs) && !Number.isNaN(scheduler.hideTs)) markFrame("glimpse-scene-hide");
        markFrame("glimpse-scene-frame");
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
  async replaySlowly(leak, onFrame, { slowdown = 4 } = {}) {
    const scene = /** @type {Scene} */ (this.scene);
    const ticks = slowReplayFrames(leak, scene.frames, { slowdown });
    await this.#ready(ticks);
    let index = 0;
    return new Promise((resolve) => {
      const unsubscribe = this.loop.subscribe(() => {
        if (index >= ticks.length) {
          unsubscribe();
          resolve();
          return;
        }
        this.drawFrame(ticks[index], index);
        this.#askAhead(index, false);
        onFrame?.(ticks[index]);
        index += 1;
      });
      this.loop.start();
    });
  }

  /** Free the prepared bitmaps (tens of MB) as soon as a scene is over. */
  release() {
    this.ahead?.release();
    for (const bitmap of this.prepared) bitmap?.close();
    this.prepared = [];
  }
}

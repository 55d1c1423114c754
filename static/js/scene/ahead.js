// A scene's frames drawn ahead in a worker (render-worker.js) into a bounded set of ImageBitmaps.
//
// The whole timeline is known before the scene plays, so nothing has to be drawn in a frame
// callback: the worker draws the frames about to be shown, the callback blits one bitmap (under a
// millisecond) and asks for the next. A sequence is the list of scene frames to show in order
// (every frame for play, fractional ones for the slow replay); bitmaps are keyed by their index in
// it. The player bounds how many are held (ScenePlayer's MAX_PREPARED; at 2x on a 390-px phone a
// bitmap is ~1.7 MB).

/** Frames that must be ready before a sequence starts (and the least lead kept while it plays). */
export const RING = 12;
/** How long to wait for the frames a scene must have before it starts (a worker that never answers). */
const READY_TIMEOUT_MS = 15000;

export class AheadFrames {
  /** @returns {AheadFrames | null} null where workers cannot draw (no OffscreenCanvas): draw live */
  static create() {
    if (typeof Worker === "undefined" || typeof OffscreenCanvas === "undefined") return null;
    try {
      return new AheadFrames(new Worker(new URL("./render-worker.js", import.meta.url), { type: "module" }));
    } catch {
      return null;
    }
  }

  /** @param {Worker} worker */
  constructor(worker) {
    this.worker = worker;
    this.epoch = 0;
    this.failed = false;
    /** @type {number[]} */
    this.sequence = [];
    /** @type {Set<number>} */
    this.requested = new Set();
    /** @type {Map<number, ImageBitmap>} */
    this.bitmaps = new Map();
    /** @type {(() => void)[]} */
    this.waiters = [];
    worker.onmessage = ({ data }) => {
      if (data.epoch !== this.epoch) {
        data.bitmap.close();
        return;
      }
      this.bitmaps.set(data.index, data.bitmap);
      this.#wake();
    };
    worker.onerror = () => {
      this.failed = true; // e.g. the module could not load: the player draws live instead
      this.#wake();
    };
  }

  #wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * The scene to draw from now on.
   * @param {object} scene the `scene` message
   * @param {number} pixels canvas width and height in device pixels
   * @param {number} cssSize
   */
  load(scene, pixels, cssSize) {
    this.begin([]);
    this.worker.postMessage({ type: "scene", scene, pixels, cssSize });
  }

  /**
   * Start a new sequence; bitmaps of the previous one are dropped.
   * @param {number[]} sequence scene frames in the order they will be shown
   */
  begin(sequence) {
    this.release();
    this.sequence = sequence;
  }

  /**
   * Ask for the frames at these indices (those not asked for yet); the worker drops queued
   * frames before `from`.
   * @param {Iterable<number>} indices
   * @param {number} from
   */
  request(indices, from) {
    /** @type {[number, number][]} */
    const frames = [];
    for (const index of indices) {
      if (index < 0 || index >= this.sequence.length || this.requested.has(index)) continue;
      this.requested.add(index);
      frames.push([index, this.sequence[index]]);
    }
    if (frames.length || from > 0) this.worker.postMessage({ type: "render", epoch: this.epoch, from, frames });
  }

  /** @param {number} from @param {number} count @returns {number[]} */
  static range(from, count) {
    return Array.from({ length: Math.max(0, count) }, (_, i) => from + i);
  }

  /**
   * Request the indices and wait until every one has arrived.
   * @param {number[]} indices
   * @returns {Promise<boolean>} false if the worker failed or took too long
   */
  async ready(indices) {
    this.request(indices, 0);
    const epoch = this.epoch;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.#wake();
    }, READY_TIMEOUT_MS);
    while (!this.failed && !timedOut && epoch === this.epoch && !this.has(indices)) {
      await new Promise((resolve) => this.waiters.push(() => resolve(undefined)));
    }
    clearTimeout(timer);
    return !this.failed && epoch === this.epoch && this.has(indices);
  }

  /** @param {number[]} indices */
  has(indices) {
    return indices.every((i) => this.bitmaps.has(i));
  }

  /**
   * The bitmap for an index (the caller closes it); bitmaps before it are closed: they were skipped.
   * @param {number} index
   * @returns {ImageBitmap | undefined}
   */
  take(index) {
    for (const [i, bitmap] of this.bitmaps) {
      if (i < index) {
        bitmap.close();
        this.bitmaps.delete(i);
      }
    }
    const bitmap = this.bitmaps.get(index);
    this.bitmaps.delete(index);
    return bitmap;
  }

  /** Drop every bitmap; frames still on their way are dropped on arrival. */
  release() {
    this.epoch += 1;
    for (const bitmap of this.bitmaps.values()) bitmap.close();
    this.bitmaps.clear();
    this.requested.clear();
    this.sequence = [];
    this.#wake();
  }
}

// Draws a scene's frames off the main thread (a module worker): each frame is drawn on an
// OffscreenCanvas and sent back as a transferred ImageBitmap, so the page's frame callbacks only
// blit. One frame per task, so a newer request (skip frames already past) is read between frames.

import { drawFace } from "../face/draw.js";
import { identityFromSeed } from "../face/identity.js";
import { posesOf } from "./timeline.js";

/** @type {{canvas: OffscreenCanvas, ctx: OffscreenCanvasRenderingContext2D,
 *          identity: any, poseAt: (frame: number) => any, cssSize: number} | null} */
let job = null;
/** @type {[number, number][]} sequence index and scene frame, in the order asked */
let queue = [];
let epoch = 0; // the page's current sequence: frames of an older one are not drawn
let pumping = false;
const tick = new MessageChannel();

tick.port2.onmessage = () => {
  const next = queue.shift();
  if (!job || !next) {
    pumping = false;
    return;
  }
  const [index, frame] = next;
  const { ctx, canvas } = job;
  // transferToImageBitmap left the canvas blank, and the face's backdrop covers it all.
  ctx.setTransform(canvas.width / job.cssSize, 0, 0, canvas.width / job.cssSize, 0, 0);
  drawFace(/** @type {any} */ (ctx), job.identity, job.poseAt(frame), job.cssSize);
  const bitmap = canvas.transferToImageBitmap();
  globalThis.postMessage({ epoch, index, bitmap }, { transfer: [bitmap] });
  tick.port1.postMessage(null);
};

globalThis.onmessage = (/** @type {MessageEvent} */ { data }) => {
  if (data.type === "scene") {
    const { scene, pixels, cssSize } = data;
    const canvas = new OffscreenCanvas(pixels, pixels);
    job = { canvas, ctx: /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d")),
      identity: identityFromSeed(Number(scene.identitySeed), scene.identity), poseAt: posesOf(scene), cssSize };
    queue = [];
  } else if (data.type === "render" && job) {
    if (data.epoch !== epoch) queue = [];
    epoch = data.epoch;
    // Frames the page has already passed are no longer worth drawing.
    queue = queue.filter(([index]) => index >= data.from).concat(data.frames);
    if (!pumping) {
      pumping = true;
      tick.port1.postMessage(null);
    }
  }
};

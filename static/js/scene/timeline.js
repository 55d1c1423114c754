// A scene's face over time: linear interpolation between the server's keyframes. Pure.
//
// The server sends every channel (each action unit per side, gaze, head) as keyframes that
// reproduce each whole frame of its plan; between keyframes the face moves linearly, so an
// expression has a real onset and offset and is never swapped in as a different image. The
// slow replay asks for fractional frames.

/** @typedef {import("../face/geometry.js").Pose} Pose */

/**
 * @typedef {object} SceneTimeline
 * @property {number} frames total frames of the scene
 * @property {string[]} channels e.g. "12L", "12R", "gazeX", "gazeY", "pitch", "roll"
 * @property {number[][]} keyframes [frame, ...one value per channel], frames ascending, first at 0
 */

/**
 * Check a timeline from the network before drawing it.
 * @param {SceneTimeline} timeline
 * @throws {RangeError} when the keyframes are malformed
 */
export function validateTimeline({ frames, channels, keyframes }) {
  if (!Number.isInteger(frames) || frames < 2) throw new RangeError("frames must be an integer ≥ 2");
  if (!Array.isArray(keyframes) || keyframes.length < 1 || keyframes[0][0] !== 0) {
    throw new RangeError("keyframes must start at frame 0");
  }
  let previous = -1;
  for (const row of keyframes) {
    if (row.length !== channels.length + 1 || !(row[0] > previous)) throw new RangeError("bad keyframe row");
    previous = row[0];
  }
}

/**
 * The channel values at a frame (fractional frames interpolate; outside the scene, the ends hold).
 * @param {number[][]} keyframes
 * @param {number} frame
 * @returns {number[]} one value per channel
 */
export function channelsAt(keyframes, frame) {
  const last = keyframes.length - 1;
  if (frame <= keyframes[0][0]) return keyframes[0].slice(1);
  if (frame >= keyframes[last][0]) return keyframes[last].slice(1);
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (keyframes[middle][0] <= frame) low = middle;
    else high = middle;
  }
  const a = keyframes[low];
  const b = keyframes[high];
  const t = (frame - a[0]) / (b[0] - a[0]);
  const out = new Array(a.length - 1);
  for (let i = 1; i < a.length; i += 1) out[i - 1] = a[i] + (b[i] - a[i]) * t;
  return out;
}

/**
 * Turns channel rows into the poses drawFace takes.
 * @param {string[]} channels
 * @returns {(values: number[]) => Pose}
 */
export function poseMaker(channels) {
  /** @type {[string, number, number][]} unit, left index, right index */
  const units = [];
  for (let i = 0; i < channels.length; i += 1) {
    const name = channels[i];
    if (name.endsWith("L") && channels[i + 1] === `${name.slice(0, -1)}R`) units.push([name.slice(0, -1), i, i + 1]);
  }
  const at = (/** @type {string} */ name) => channels.indexOf(name);
  const [gx, gy, pitch, roll] = ["gazeX", "gazeY", "pitch", "roll"].map(at);
  return (values) => {
    /** @type {Record<string, number[]>} */
    const au = {};
    for (const [unit, left, right] of units) {
      if (values[left] > 0.001 || values[right] > 0.001) au[unit] = [values[left], values[right]];
    }
    return {
      au,
      gaze: [gx < 0 ? 0 : values[gx], gy < 0 ? 0 : values[gy]],
      head: { pitch: pitch < 0 ? 0 : values[pitch], roll: roll < 0 ? 0 : values[roll] },
    };
  };
}

/**
 * The pose at any frame of a scene.
 * @param {SceneTimeline} timeline
 * @returns {(frame: number) => Pose}
 */
export function posesOf(timeline) {
  validateTimeline(timeline);
  const make = poseMaker(timeline.channels);
  return (frame) => make(channelsAt(timeline.keyframes, frame));
}

/**
 * The slow replay: which (fractional) scene frame to show on each display tick. Normal speed up
 * to `lead` frames before the leak, `slowdown` times slower from there to `lead` frames after it.
 * @param {{start: number, frames: number}} leak
 * @param {number} totalFrames
 * @param {{before?: number, lead?: number, after?: number, slowdown?: number}} [options]
 * @returns {number[]} scene frame per display tick
 */
export function slowReplayFrames(leak, totalFrames, { before = 45, lead = 12, after = 30, slowdown = 4 } = {}) {
  const from = Math.max(0, leak.start - before);
  const slowFrom = Math.max(from, leak.start - lead);
  const slowTo = Math.min(totalFrames - 1, leak.start + leak.frames + lead);
  const to = Math.min(totalFrames - 1, slowTo + after);
  const ticks = [];
  for (let f = from; f < slowFrom; f += 1) ticks.push(f);
  for (let k = 0; slowFrom + k / slowdown <= slowTo; k += 1) ticks.push(slowFrom + k / slowdown);
  for (let f = slowTo + 1; f <= to; f += 1) ticks.push(f);
  return ticks;
}

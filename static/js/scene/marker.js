// The small timeline under a replayed scene: each frame around the leak as a tick, the leaked
// frames coloured by phase (onset, apex, offset), and a playhead. Pure: returns SVG text.

/**
 * @typedef {{start: number, frames: number, onset: number, apex: number, offset: number}} Leak
 */

/**
 * The frames the marker shows: the leak with `pad` frames either side, inside the scene.
 * @param {Leak} leak
 * @param {number} totalFrames
 * @param {number} [pad]
 * @returns {[number, number]} first frame, last frame + 1
 */
export function markerSpan(leak, totalFrames, pad = 12) {
  return [Math.max(0, leak.start - pad), Math.min(totalFrames, leak.start + leak.frames + pad)];
}

/**
 * The phase of a frame relative to the leak.
 * @param {Leak} leak
 * @param {number} frame
 * @returns {"onset" | "apex" | "offset" | null}
 */
export function phaseOf(leak, frame) {
  const i = frame - leak.start;
  if (i < 0 || i >= leak.frames) return null;
  if (i < leak.onset) return "onset";
  return i < leak.onset + leak.apex ? "apex" : "offset";
}

/**
 * @param {Leak} leak
 * @param {number} totalFrames
 * @param {boolean} [marked] colour the leaked frames (the Learn page's toggle can hide them)
 * @returns {string} an SVG 300 x 28 user units, frames as ticks, a playhead with id "playhead"
 */
export function markerSvg(leak, totalFrames, marked = true) {
  const [from, to] = markerSpan(leak, totalFrames);
  const width = 300 / (to - from);
  const ticks = [];
  for (let f = from; f < to; f += 1) {
    const phase = marked ? phaseOf(leak, f) : null;
    const height = phase === "apex" ? 20 : phase ? 14 : 6;
    ticks.push(`<rect x="${((f - from) * width + 0.5).toFixed(2)}" y="${24 - height}" width="${Math.max(1, width - 1).toFixed(2)}" height="${height}" class="${phase ?? "frame"}"/>`);
  }
  return `<svg viewBox="0 0 300 28" class="scene-marker" role="img" aria-label="${marked ? `The leak: frames ${leak.start - from + 1} to ${leak.start - from + leak.frames} of ${to - from} shown` : "The frames around the leak"}">${ticks.join("")}<line id="playhead" x1="-2" x2="-2" y1="0" y2="28"/></svg>`;
}

/**
 * Where the playhead stands for a (fractional) scene frame, in the SVG's units; -2 (hidden) off the span.
 * @param {Leak} leak
 * @param {number} totalFrames
 * @param {number} frame
 */
export function playheadX(leak, totalFrames, frame) {
  const [from, to] = markerSpan(leak, totalFrames);
  if (frame < from || frame >= to) return -2;
  return ((frame - from + 0.5) * 300) / (to - from);
}

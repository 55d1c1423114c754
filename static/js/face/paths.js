// Colours and smooth paths shared by the face and its hair. Pure Canvas 2D helpers.

/** @typedef {import("./geometry.js").Point} Point */
/** @typedef {number[]} RGB */

/** @param {RGB} rgb @param {number} [alpha] */
export const css = (rgb, alpha = 1) =>
  `rgba(${Math.round(rgb[0])},${Math.round(rgb[1])},${Math.round(rgb[2])},${alpha.toFixed(3)})`;
/** @param {RGB} a @param {RGB} b @param {number} t */
export const mixRgb = (a, b, t) => a.map((c, i) => c + (b[i] - c) * t);
/**
 * Adds a smooth curve through points (Catmull-Rom as cubic Béziers) to the current path.
 * @param {CanvasRenderingContext2D} ctx @param {Point[]} pts @param {boolean} [move]
 */
export function curveThrough(ctx, pts, move = true) {
  if (move) ctx.moveTo(pts[0].x, pts[0].y);
  else ctx.lineTo(pts[0].x, pts[0].y);
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[i - 1] ?? pts[i];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[i + 2] ?? p2;
    ctx.bezierCurveTo(p1.x + (p2.x - p0.x) / 6, p1.y + (p2.y - p0.y) / 6,
      p2.x - (p3.x - p1.x) / 6, p2.y - (p3.y - p1.y) / 6, p2.x, p2.y);
  }
}

/** A closed smooth loop through points. @param {CanvasRenderingContext2D} ctx @param {Point[]} pts */
export function loopThrough(ctx, pts) {
  const n = pts.length;
  ctx.moveTo(pts[0].x, pts[0].y);
  for (let i = 0; i < n; i++) {
    const p0 = pts[(i - 1 + n) % n];
    const p1 = pts[i];
    const p2 = pts[(i + 1) % n];
    const p3 = pts[(i + 2) % n];
    ctx.bezierCurveTo(p1.x + (p2.x - p0.x) / 6, p1.y + (p2.y - p0.y) / 6,
      p2.x - (p3.x - p1.x) / 6, p2.y - (p3.y - p1.y) / 6, p2.x, p2.y);
  }
  ctx.closePath();
}

/** sRGB channel (0-255) to linear light. @param {number} c */
const toLinear = (c) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
/** Linear light to an sRGB channel (0-255). @param {number} v */
const fromLinear = (v) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

/** CIE L* (0-100) of a relative luminance (0-1). @param {number} y */
export const lightnessOfY = (y) => (y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (y * 24389) / 27);
/** Relative luminance (0-1) of a CIE L* (0-100). @param {number} l */
export const luminanceOfL = (l) => (l > 8 ? ((l + 16) / 116) ** 3 : (l * 27) / 24389);

/** CIE L* (0-100) of an sRGB colour: perceived lightness. @param {RGB} rgb */
export function lightness(rgb) {
  return lightnessOfY(0.2126 * toLinear(rgb[0]) + 0.7152 * toLinear(rgb[1]) + 0.0722 * toLinear(rgb[2]));
}

/**
 * The same colour at another perceived lightness (CIE L*), hue kept: shading and highlights that keep
 * the same visible contrast on pale and on dark skin, where a fixed darkening factor fades to nothing.
 * @param {RGB} rgb @param {number} target L* 0-100
 */
export function withLightness(rgb, target) {
  const y = luminanceOfL(Math.max(0, Math.min(100, target)));
  const linear = rgb.map(toLinear);
  const current = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  const k = y / Math.max(1e-6, current);
  const scaled = linear.map((v) => v * k);
  // A channel past white: spend the rest of the lightness on moving toward white.
  const over = Math.max(...scaled);
  if (over <= 1) return scaled.map(fromLinear);
  const mixed = scaled.map((v) => v / over);
  const mixedY = 0.2126 * mixed[0] + 0.7152 * mixed[1] + 0.0722 * mixed[2];
  const t = Math.min(1, (y - mixedY) / Math.max(1e-6, 1 - mixedY));
  return mixed.map((v) => fromLinear(v + (1 - v) * t));
}

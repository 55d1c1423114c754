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

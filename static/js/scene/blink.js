// Blinks (AU43, eyes closed) until static/js/face/ draws them itself: an adapter over drawFace.
//
// The faces helpers are adding AU43 to geometry.js; when SUPPORTED_AUS lists 43 this adapter
// steps aside and drawFace alone draws the blink. Until then it lowers a skin-coloured lid from
// each upper lid toward the lower one, with a lash line at its edge, in the face's own
// coordinates (landmarks() applies the head's pitch and roll as drawFace does).

import { skinPalette } from "../face/draw.js";
import { landmarks, SUPPORTED_AUS, VIEWBOX } from "../face/geometry.js";
import { css } from "../face/paths.js";

export const NATIVE = SUPPORTED_AUS.includes(43);

const UPPER = ["eyeInner", "lidUpperIn", "lidUpper", "lidUpperOut", "eyeOuter"];
const LOWER = ["eyeInner", "lidLowerIn", "lidLower", "lidLowerOut", "eyeOuter"];

/**
 * The closing lid's edge: each upper-lid point moved toward its lower-lid partner.
 * @param {Record<string, {x: number, y: number}>} points
 * @param {"L" | "R"} side
 * @param {number} closed 0 open .. 1 shut
 */
export function lidEdge(points, side, closed) {
  return UPPER.map((name, i) => {
    const a = points[`${name}${side}`];
    const b = points[`${LOWER[i]}${side}`];
    return { x: a.x + (b.x - a.x) * closed, y: a.y + (b.y - a.y) * closed };
  });
}

/**
 * Draw the face, then the blink on top when drawFace cannot.
 * @param {CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D} ctx
 * @param {any} identity
 * @param {import("../face/geometry.js").Pose} pose
 * @param {number} cssSize
 * @param {typeof import("../face/draw.js").drawFace} drawFace
 */
export function drawFaceBlinking(ctx, identity, pose, cssSize, drawFace) {
  drawFace(/** @type {any} */ (ctx), identity, pose, cssSize);
  const levels = pose.au?.["43"];
  if (NATIVE || !levels || Math.max(levels[0], levels[1]) < 0.02) return;
  const points = landmarks(identity, pose);
  const skin = skinPalette(identity);
  const k = cssSize / VIEWBOX.width;
  ctx.save();
  ctx.scale(k, k);
  ctx.translate(-VIEWBOX.x, -VIEWBOX.y);
  for (const [side, level] of /** @type {["L" | "R", number][]} */ ([["L", levels[0]], ["R", levels[1]]])) {
    if (level < 0.02) continue;
    // A little above the upper lid and, once nearly shut, a little below the lower one, so the
    // open eye's own outlines disappear under the lid; a skin-coloured rim swallows them too.
    const upper = UPPER.map((name) => points[`${name}${side}`]).map((p) => ({ x: p.x, y: p.y - 0.3 }));
    const shut = Math.min(1, level);
    const edge = lidEdge(points, side, shut).map((p) => ({ x: p.x, y: p.y + 0.45 * shut * shut }));
    ctx.beginPath();
    ctx.moveTo(upper[0].x, upper[0].y);
    for (const p of upper.slice(1)) ctx.lineTo(p.x, p.y);
    for (const p of [...edge].reverse()) ctx.lineTo(p.x, p.y);
    ctx.closePath();
    ctx.fillStyle = css(skin.lidShade ?? skin.base);
    ctx.fill();
    ctx.strokeStyle = css(skin.lidShade ?? skin.base);
    ctx.lineWidth = 0.9;
    ctx.lineJoin = "round";
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(edge[0].x, edge[0].y);
    for (const p of edge.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.strokeStyle = "rgba(30,20,20,0.85)";
    ctx.lineWidth = 0.55;
    ctx.lineCap = "round";
    ctx.stroke();
  }
  ctx.restore();
}

// Hair and headscarves. Every front shape stops at the geometry's hairline, which sits above the
// highest raised brow and its forehead lines, and beside the temples, so hair never hides a cue.

import { css, curveThrough, loopThrough, mixRgb } from "./paths.js";

/** @typedef {import("./geometry.js").Point} Point */

/**
 * Per style: vol = volume above the skull, side = how far the side hair reaches down (y),
 * back = length of hair behind the shoulders (y) or 0, curl = edge waviness, fringe = bangs.
 */
const STYLES = {
  bald: null,
  buzz: { vol: 0.25, side: -1, back: 0, curl: 0, alpha: 0.55 },
  crop: { vol: 1.4, side: 1, back: 0, curl: 0.25 },
  sidePart: { vol: 2.2, side: 1, back: 0, curl: 0, part: -7 },
  quiff: { vol: 3.8, side: 0, back: 0, curl: 0, quiff: true },
  pixie: { vol: 1.8, side: 3, back: 0, curl: 0.2, sweep: true },
  bob: { vol: 2.4, side: 26, back: 28, curl: 0, part: 6 },
  longStraight: { vol: 1.6, side: 42, back: 60, curl: 0, part: 0 },
  longWavy: { vol: 2.2, side: 42, back: 60, curl: 0.9, part: 5 },
  curlyShort: { vol: 3.2, side: 2, back: 0, curl: 1.1 },
  curlyLong: { vol: 4.5, side: 38, back: 55, curl: 1.3 },
  afro: { vol: 8.5, side: 10, back: 14, curl: 1.2 },
  bun: { vol: 1.1, side: -1, back: 0, curl: 0, bun: true },
  ponytail: { vol: 1.1, side: -1, back: 0, curl: 0, tail: true },
  braids: { vol: 1.0, side: -1, back: 50, curl: 0, braids: true, rows: true, shade: 0.3 },
  locs: { vol: 2.4, side: 0, back: 0, curl: 0.3, locs: true },
  bangs: { vol: 2.0, side: 30, back: 36, curl: 0, fringe: true },
};

/**
 * Drawing callbacks for the hair behind the head and the hair (or scarf) in front of it.
 * @param {ReturnType<typeof import("./identity.js").identityFromSeed>} identity
 * @param {ReturnType<typeof import("./geometry.js").faceGeometry>} geo
 * @returns {{back?: (ctx: CanvasRenderingContext2D) => void, front?: (ctx: CanvasRenderingContext2D) => void}}
 */
export function hairShapes(identity, geo) {
  if (identity.hair.style === "headscarf") return { front: (ctx) => drawScarf(ctx, identity, geo) };
  const style = STYLES[identity.hair.style];
  if (!style) return { front: (ctx) => drawScalpSheen(ctx, geo) };
  const rgb = identity.hair.rgb;
  const u = geo.unit;
  const skull = skullPoints(geo, style.vol);
  return {
    back: (ctx) => {
      if (style.back > 0) drawBackHair(ctx, geo, style, rgb);
      if (style.tail) drawTail(ctx, geo, rgb);
      if (style.braids) drawBraids(ctx, geo, rgb);
      if (style.locs) drawLocs(ctx, geo, rgb, 30);
    },
    front: (ctx) => {
      ctx.beginPath();
      const outer = wavy(skull, Math.max(style.curl, 0.2) * u, 3.2 * u);
      const hairline = hairlinePoints(geo, style);
      const start = hairline[hairline.length - 1];
      ctx.moveTo(start.x, start.y);
      for (const p of outer) ctx.lineTo(p.x, p.y);
      curveThrough(ctx, hairline, false);
      ctx.closePath();
      // Solid fill: a gradient over the whole cap costs more than it shows; the sheen band lights it.
      ctx.fillStyle = css(mixRgb(rgb, [0, 0, 0], 0.08 + (style.shade ?? 0)), style.alpha ?? 1);
      ctx.fill();
      // A soft, slightly lighter fringe of fine hairs along the hairline instead of a cut edge.
      // Short strokes across the hairline, one path: the look of a dashed line without the cost of
      // dashing a curve (which was a third of the whole face's raster time).
      ctx.beginPath();
      const edge = sampleSmooth(hairline, 8);
      let carry = 0;
      for (let i = 1; i < edge.length; i++) {
        const a = edge[i - 1];
        const b = edge[i];
        const len = Math.hypot(b.x - a.x, b.y - a.y);
        if (len === 0) continue;
        const nx = (-(b.y - a.y) / len) * 0.45 * u;
        const ny = ((b.x - a.x) / len) * 0.45 * u;
        for (let d = carry; d < len; d += 0.65 * u) {
          const x = a.x + ((b.x - a.x) * d) / len;
          const y = a.y + ((b.y - a.y) * d) / len;
          ctx.moveTo(x - nx, y - ny);
          ctx.lineTo(x + nx, y + ny);
          carry = d + 0.65 * u - len;
        }
        if (carry < 0) carry = 0;
      }
      ctx.strokeStyle = css(mixRgb(rgb, [255, 255, 255], 0.1), 0.45 * (style.alpha ?? 1));
      ctx.lineWidth = 0.35 * u;
      ctx.lineCap = "butt";
      ctx.stroke();
      ctx.lineCap = "round";
      drawStrands(ctx, geo, style, rgb);
      if (!style.curl && (style.alpha ?? 1) === 1) {
        ctx.beginPath();
        ctx.ellipse(-3 * u, -33 * u, 13 * u, 5 * u, -0.15, Math.PI * 1.05, Math.PI * 1.75);
        ctx.strokeStyle = css(mixRgb(rgb, [255, 255, 255], 0.35), 0.22);
        ctx.lineWidth = 2.2 * u;
        ctx.stroke();
      }
      if (style.bun) {
        ctx.beginPath();
        ctx.ellipse(0, -41.5 * u, 7 * u, 4.6 * u, 0, 0, Math.PI * 2);
        ctx.fillStyle = css(mixRgb(rgb, [0, 0, 0], 0.1));
        ctx.fill();
      }
    },
  };
}

/** The outer edge of the hair: the skull silhouette pushed out by the style's volume. */
function skullPoints(geo, vol) {
  const u = geo.unit;
  const o = geo.outline;
  // outline: [crown, L: 15/-38.8, 21.8/-32, forehead/-22, temple/-11, cheek/1, ...]
  const left = [o[1], o[2], o[3], o[4], o[5]];
  const grow = [1.0, 0.95, 0.8, 0.55, 0.25];
  const pts = [];
  const rightSide = left.map((p, i) => ({ x: -p.x - grow[i] * vol * u * 0.9 - 0.6 * u, y: p.y - grow[i] * vol * u * 0.35 }));
  pts.push(...rightSide.reverse());
  pts.push({ x: 0, y: o[0].y - vol * u - 0.8 * u });
  pts.push(...left.map((p, i) => ({ x: p.x + grow[i] * vol * u * 0.9 + 0.6 * u, y: p.y - grow[i] * vol * u * 0.35 })));
  return pts;
}

/** The lower edge of the front hair, from the face's left temple across the forehead to its right. */
function hairlinePoints(geo, style) {
  const u = geo.unit;
  const top = geo.hairlineY;
  const o = geo.outline;
  const forehead = o[3].x;
  const temple = o[4].x;
  const cheek = o[5].x;
  const sideY = style.side;
  const pts = [];
  const long = sideY > 8;
  // Start low on the face's left (viewer's right) and sweep across to its right.
  if (long) {
    pts.push({ x: cheek + 1.5 * u, y: sideY * u });
    pts.push({ x: cheek + 0.6 * u, y: 8 * u });
    pts.push({ x: temple + 0.2 * u, y: -8 * u });
  } else {
    pts.push({ x: cheek + 0.2 * u, y: Math.max(-4, sideY) * u });
    pts.push({ x: temple - 0.8 * u, y: -9 * u });
  }
  // Nothing crosses below `top` over the forehead: that is where raised brows and their lines go.
  if (style.fringe) {
    pts.push({ x: forehead - 1.5 * u, y: top }, { x: 0, y: top - 0.5 * u }, { x: -forehead + 1.5 * u, y: top });
  } else if (style.sweep) {
    pts.push({ x: forehead - 2.5 * u, y: top }, { x: 6 * u, y: top - 0.2 * u }, { x: -4 * u, y: top - 0.8 * u },
      { x: -forehead + 3 * u, y: top - 2 * u });
  } else if (style.quiff) {
    pts.push({ x: forehead - 3 * u, y: top - 0.5 * u }, { x: 0, y: top - 1.2 * u }, { x: -forehead + 3 * u, y: top - 0.5 * u });
  } else {
    const part = style.part ?? 0;
    pts.push({ x: forehead - 3 * u, y: top }, { x: part * 0.5 * u, y: top - 0.8 * u },
      { x: -forehead + 3 * u, y: top });
  }
  if (long) {
    pts.push({ x: -temple - 0.2 * u, y: -8 * u }, { x: -cheek - 0.6 * u, y: 8 * u }, { x: -cheek - 1.5 * u, y: sideY * u });
  } else {
    pts.push({ x: -temple + 0.8 * u, y: -9 * u }, { x: -cheek - 0.2 * u, y: Math.max(-4, sideY) * u });
  }
  // Ordered from the face's left (x > 0) to its right, where the outer edge starts.
  return pts;
}

/** Points along the same smooth curve curveThrough draws (Catmull-Rom as cubic Béziers), `steps` per span. */
function sampleSmooth(pts, steps) {
  const out = [pts[0]];
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[i - 1] ?? pts[i];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    for (let k = 1; k <= steps; k++) {
      const t = k / steps;
      const m = 1 - t;
      out.push({
        x: m * m * m * p1.x + 3 * m * m * t * c1.x + 3 * m * t * t * c2.x + t * t * t * p2.x,
        y: m * m * m * p1.y + 3 * m * m * t * c1.y + 3 * m * t * t * c2.y + t * t * t * p2.y,
      });
    }
  }
  return out;
}

/** Bumps along a polyline's outward side, for curls and waves. */
function wavy(pts, amplitude, step) {
  const out = [];
  for (let i = 0; i < pts.length - 1; i++) {
    const a = pts[i];
    const b = pts[i + 1];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const n = Math.max(1, Math.round(len / step));
    const nx = -(b.y - a.y) / len;
    const ny = (b.x - a.x) / len;
    for (let j = 0; j < n; j++) {
      const t = j / n;
      const bump = j % 2 === 0 ? amplitude : -amplitude * 0.2;
      out.push({ x: a.x + (b.x - a.x) * t - nx * bump, y: a.y + (b.y - a.y) * t - ny * bump });
    }
  }
  out.push(pts[pts.length - 1]);
  return out;
}

function drawBackHair(ctx, geo, style, rgb) {
  const u = geo.unit;
  const w = Math.abs(geo.outline[5].x) + (style.vol + 3.5) * u;
  const bottom = style.back * u;
  const pts = [{ x: -w * 0.8, y: -36 * u }, { x: -w - 1 * u, y: -10 * u }, { x: -w - 1.5 * u, y: bottom * 0.6 },
    { x: -w + 2 * u, y: bottom }, { x: w - 2 * u, y: bottom }, { x: w + 1.5 * u, y: bottom * 0.6 },
    { x: w + 1 * u, y: -10 * u }, { x: w * 0.8, y: -36 * u }];
  ctx.beginPath();
  if (style.curl > 0) {
    const edge = wavy(pts, style.curl * 1.2 * u, 3.4 * u);
    ctx.moveTo(edge[0].x, edge[0].y);
    for (const p of edge) ctx.lineTo(p.x, p.y);
  } else {
    curveThrough(ctx, pts);
  }
  ctx.closePath();
  ctx.fillStyle = css(mixRgb(rgb, [0, 0, 0], 0.35));
  ctx.fill();
}

function drawTail(ctx, geo, rgb) {
  const u = geo.unit;
  const x = Math.abs(geo.outline[5].x);
  ctx.beginPath();
  ctx.moveTo(x - 2 * u, -20 * u);
  ctx.bezierCurveTo(x + 8 * u, -14 * u, x + 6 * u, 20 * u, x + 3 * u, 42 * u);
  ctx.lineTo(x - 1 * u, 40 * u);
  ctx.bezierCurveTo(x + 1 * u, 20 * u, x + 2 * u, -8 * u, x - 2 * u, -14 * u);
  ctx.closePath();
  ctx.fillStyle = css(mixRgb(rgb, [0, 0, 0], 0.25));
  ctx.fill();
}

function drawBraids(ctx, geo, rgb) {
  const u = geo.unit;
  const x0 = Math.abs(geo.outline[5].x);
  // Braid texture over the dark back hair: rows of short plaits.
  ctx.lineWidth = 1.5 * u;
  ctx.setLineDash([1.2 * u, 0.6 * u]);
  ctx.strokeStyle = css(mixRgb(rgb, [255, 255, 255], 0.06));
  ctx.beginPath();
  for (const s of [-1, 1]) {
    for (let i = 0; i < 5; i++) {
      const x = s * (x0 + 0.6 + i * 1.8) * u;
      ctx.moveTo(x, -14 * u);
      ctx.lineTo(x + s * (1 + i * 0.4) * u, 46 * u);
    }
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

function drawLocs(ctx, geo, rgb, length) {
  const u = geo.unit;
  const x0 = Math.abs(geo.outline[5].x);
  ctx.lineWidth = 2.4 * u;
  for (const s of [-1, 1]) {
    for (let i = 0; i < 4; i++) {
      const x = s * (x0 - 2 + i * 2.1) * u;
      ctx.beginPath();
      ctx.moveTo(x, -16 * u);
      ctx.quadraticCurveTo(x + s * 2 * u, length * 0.4 * u, x + s * 0.5 * u, (length - i * 2) * u);
      ctx.strokeStyle = css(mixRgb(rgb, [0, 0, 0], 0.15 + (i % 2) * 0.15));
      ctx.stroke();
    }
  }
}

/** A few strands for texture; cheap strokes, not per-hair detail. */
function drawStrands(ctx, geo, style, rgb) {
  const u = geo.unit;
  ctx.lineWidth = 0.35 * u;
  ctx.strokeStyle = css(mixRgb(rgb, [255, 255, 255], 0.2), 0.18);
  ctx.beginPath();
  const top = geo.hairlineY;
  if (style.rows) {
    for (let i = -3; i <= 3; i++) {
      ctx.moveTo(i * 3 * u, top - 0.5 * u);
      ctx.quadraticCurveTo(i * 3.6 * u, -30 * u, i * 2.6 * u, -42 * u);
    }
  } else {
    for (let i = -4; i <= 4; i++) {
      const part = (style.part ?? 0) * u;
      ctx.moveTo(part + i * 0.8 * u, -38 * u);
      ctx.quadraticCurveTo(part + i * 3.4 * u, -33 * u, i * 5 * u, top - 1.2 * u);
    }
  }
  ctx.stroke();
}

function drawScalpSheen(ctx, geo) {
  const u = geo.unit;
  const g = ctx.createRadialGradient(-5 * u, -34 * u, 0, -5 * u, -34 * u, 10 * u);
  g.addColorStop(0, "rgba(255,255,255,0.16)");
  g.addColorStop(1, "rgba(255,255,255,0)");
  ctx.fillStyle = g;
  ctx.fillRect(-16 * u, -44 * u, 24 * u, 22 * u);
}

/** A headscarf framing the face: covers hair, ears and neck, never the forehead lines or the jaw line cues. */
function drawScarf(ctx, identity, geo) {
  const u = geo.unit;
  const o = geo.outline;
  const rgb = identity.scarf;
  const forehead = o[3].x;
  const temple = o[4].x;
  const cheek = o[5].x;
  const top = geo.hairlineY - 0.2 * u;
  ctx.beginPath();
  // Outer shape: head plus drape over the shoulders.
  ctx.moveTo(-60, 60);
  ctx.bezierCurveTo(-42 * u, 40 * u, -34 * u, 30 * u, -cheek - 5 * u, 10 * u);
  ctx.bezierCurveTo(-cheek - 7 * u, -18 * u, -24 * u, -44 * u, 0, -45 * u);
  ctx.bezierCurveTo(24 * u, -44 * u, cheek + 7 * u, -18 * u, cheek + 5 * u, 10 * u);
  ctx.bezierCurveTo(34 * u, 30 * u, 42 * u, 40 * u, 60, 60);
  ctx.closePath();
  // Face opening (drawn the other way round so the even-odd rule cuts it out).
  const jawL = geo.jawAngleL;
  const jawR = geo.jawAngleR;
  const opening = [
    { x: forehead - 3 * u, y: top + 0.4 * u }, { x: 0, y: top }, { x: -forehead + 3 * u, y: top + 0.4 * u },
    { x: -temple + 1.6 * u, y: -9 * u }, { x: -cheek + 1.4 * u, y: 2 * u }, { x: jawR.x + 1.6 * u, y: jawR.y },
    { x: geo.jawR.x + 1.2 * u, y: geo.jawR.y + 0.6 * u }, { x: 0, y: geo.chin.y - 0.4 * u },
    { x: geo.jawL.x - 1.2 * u, y: geo.jawL.y + 0.6 * u }, { x: jawL.x - 1.6 * u, y: jawL.y },
    { x: cheek - 1.4 * u, y: 2 * u }, { x: temple - 1.6 * u, y: -9 * u },
  ];
  loopThrough(ctx, opening);
  const g = ctx.createLinearGradient(-30 * u, -40 * u, 30 * u, 40 * u);
  g.addColorStop(0, css(mixRgb(rgb, [255, 255, 255], 0.15)));
  g.addColorStop(1, css(mixRgb(rgb, [0, 0, 0], 0.3)));
  ctx.fillStyle = g;
  ctx.fill("evenodd");
  // Folds.
  ctx.strokeStyle = css(mixRgb(rgb, [0, 0, 0], 0.4), 0.5);
  ctx.lineWidth = 0.5 * u;
  ctx.beginPath();
  ctx.moveTo(-cheek - 3 * u, -6 * u);
  ctx.quadraticCurveTo(-cheek - 4 * u, 18 * u, -20 * u, 40 * u);
  ctx.moveTo(cheek + 3 * u, -6 * u);
  ctx.quadraticCurveTo(cheek + 4 * u, 18 * u, 20 * u, 40 * u);
  ctx.moveTo(-forehead + 2 * u, top - 2 * u);
  ctx.quadraticCurveTo(0, top - 3.4 * u, forehead - 2 * u, top - 2 * u);
  ctx.stroke();
}

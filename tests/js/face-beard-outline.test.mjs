// A beard keeps the face's outline: its lower edge is the jaw and the chin, in every pose. Hair hanging below the
// chin made a resting bearded face as long as a dropped jaw (AU26), and face-api read it as surprised.
import { test } from "node:test";
import assert from "node:assert/strict";

import { beardPath } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 8 }, (_, i) => (i * 2654435761) >>> 0);
const poses = () => [{ label: "neutral", pose: NEUTRAL }, ...fullPoses()];

/** Points along the path a canvas would fill (the canvas's own path calls, sampled: curves at 16 steps). */
function tracedPath(draw) {
  const pts = [];
  let at = { x: 0, y: 0 };
  const curve = (ctrl, end) => {
    const p = [at, ...ctrl, end];
    for (let i = 1; i <= 16; i++) {
      const t = i / 16;
      // De Casteljau on the control polygon.
      let q = p;
      while (q.length > 1) q = q.slice(1).map((b, k) => ({ x: q[k].x + (b.x - q[k].x) * t, y: q[k].y + (b.y - q[k].y) * t }));
      pts.push(q[0]);
    }
    at = end;
  };
  draw({
    beginPath() {}, closePath() {},
    moveTo(x, y) { at = { x, y }; pts.push(at); },
    lineTo(x, y) { at = { x, y }; pts.push(at); },
    quadraticCurveTo(cx, cy, x, y) { curve([{ x: cx, y: cy }], { x, y }); },
    bezierCurveTo(ax, ay, bx, by, x, y) { curve([{ x: ax, y: ay }, { x: bx, y: by }], { x, y }); },
  });
  return pts;
}

test("a short or full beard ends at the chin and the jaw, in every pose", () => {
  for (const facialHair of ["shortBeard", "fullBeard"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, pose } of poses()) {
        const geo = faceGeometry(id, pose);
        const pts = tracedPath((ctx) => beardPath(ctx, facialHair, geo));
        const lowest = Math.max(...pts.map((p) => p.y));
        const below = (lowest - geo.chin.y) / geo.unit;
        assert.ok(below < 1, `${facialHair} ${seed} ${label}: hair ${below.toFixed(2)} units below the chin`);
        const widest = Math.max(...pts.filter((p) => p.y > geo.jawL.y).map((p) => Math.abs(p.x)));
        assert.ok(widest < Math.abs(geo.jawL.x) + geo.unit, `${facialHair} ${seed} ${label}: wider than the jaw below it`);
      }
    }
  }
});

test("a full beard is no longer than a short one", () => {
  for (const seed of SEEDS) {
    const [short, full] = ["shortBeard", "fullBeard"].map((facialHair) => {
      const id = identityFromSeed(seed, { facialHair });
      const geo = faceGeometry(id, NEUTRAL);
      return Math.max(...tracedPath((ctx) => beardPath(ctx, facialHair, geo)).map((p) => p.y));
    });
    assert.ok(Math.abs(full - short) < 1e-9, `${seed}: full beard ends ${full - short} below the short one`);
  }
});

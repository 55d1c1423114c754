// AU9's nose wrinkle as faces show it: the skin bunches at the nose root between the eyes into two or three short
// creases across the bridge, and the lifted wings crease over their tops. A ladder of folds down the whole nose is no
// face's, and fer read our disgust as anger while it was drawn.
import { test } from "node:test";
import assert from "node:assert/strict";

import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

const SEEDS = Array.from({ length: 60 }, (_, i) => (i * 2654435761 + 7) >>> 0);
// Disgust's open variant (game/emotions.py): the nose wrinkler with the raised upper lip.
const DISGUST = { au: { 9: [1, 1], 10: [0.9, 0.9], 15: [1, 1], 16: [0.3, 0.3] }, gaze: [0, 0], head: { pitch: 0, roll: 0 } };

const noseLines = (geo) => geo.lines.filter((line) => line.kind === "nose");
const crossesBridge = (line) => Math.min(...line.points.map((p) => p.x)) < 0 && Math.max(...line.points.map((p) => p.x)) > 0;

test("a wrinkled nose bunches at its root: the creases across it in the upper 40% of the nose, a fine crease over each wing", () => {
  for (const seed of SEEDS) {
    const geo = faceGeometry(identityFromSeed(seed), DISGUST);
    const { root, tip } = geo.nose;
    const lines = noseLines(geo);
    const lowest = Math.max(...lines.filter(crossesBridge).flatMap((line) => line.points.map((p) => p.y)));
    const reach = (lowest - root.y) / (tip.y - root.y);
    assert.ok(reach <= 0.4, `seed ${seed}: creases across the bridge reach ${(reach * 100).toFixed(0)}% of the way to the tip`);
    assert.equal(lines.filter((line) => !crossesBridge(line)).length, 0, `seed ${seed}: no folds down the bridge's sides`);
    assert.equal(geo.lines.filter((line) => line.kind === "alar").length, 2, `seed ${seed}: one crease over each wing`);
  }
});

test("two or three short creases cross the nose root, as many as the face's own, not a ladder of four", () => {
  const counts = new Set();
  for (const seed of SEEDS) {
    const geo = faceGeometry(identityFromSeed(seed), DISGUST);
    const across = noseLines(geo).filter(crossesBridge);
    assert.ok(across.length >= 2 && across.length <= 3, `seed ${seed}: ${across.length} creases across the root`);
    for (const line of across) {
      const width = Math.max(...line.points.map((p) => p.x)) - Math.min(...line.points.map((p) => p.x));
      assert.ok(width <= 0.18 * geo.iod, `seed ${seed}: a root crease ${(width / geo.iod).toFixed(2)} IOD wide`);
    }
    counts.add(across.length);
  }
  assert.deepEqual([...counts].sort(), [2, 3], "faces differ in how many creases show");
});

test("without AU9 the nose is smooth", () => {
  const geo = faceGeometry(identityFromSeed(SEEDS[0]), { au: { 10: [0.8, 0.8] }, gaze: [0, 0], head: { pitch: 0, roll: 0 } });
  assert.equal(noseLines(geo).length, 0);
});

// Fear's lip stretch (AU20) pulls the nasolabial folds taut beside the mouth: drawn as deep folds on bare skin and as
// grooves in a short or full beard, where the hair hid them and the open mouth alone read as surprise's O.
// Surprise, with no stretch, keeps resting folds and no groove.
import { test } from "node:test";
import assert from "node:assert/strict";

import { hairGrooves } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 8 }, (_, i) => (i * 2654435761) >>> 0);
const folds = (geo) => geo.lines.filter((line) => line.kind === "nasolabial");

test("fear's stretched mouth cuts the nasolabial folds deep on both sides; surprise's stay at rest", () => {
  const poses = fullPoses().filter((p) => p.label.startsWith("fear") || p.label.startsWith("surprise"));
  for (const seed of SEEDS) {
    const id = identityFromSeed(seed, { facialHair: "none" });
    const age = id.ageAmount;
    for (const { label, pose } of poses) {
      const depths = folds(faceGeometry(id, pose)).map((line) => line.alpha - 0.1 * age);
      assert.equal(depths.length, 2, `${seed} ${label}: a fold each side`);
      // 0.4 or more draws the fold with its shadow and lit cheek (drawLines, >= 0.3 with age); at 0.3 of a
      // smile's depth fear's were 0.3, and face-api read a third of fear's open mouths as surprise.
      if (label.startsWith("fear")) assert.ok(depths.every((d) => d >= 0.4), `${seed} ${label}: ${depths}`);
      else assert.ok(depths.every((d) => d < 0.1), `${seed} ${label}: resting folds, ${depths}`);
    }
  }
});

test("in a short or full beard fear's stretched folds are grooves in the hair, and surprise has none", () => {
  const poses = fullPoses().filter((p) => p.label.startsWith("fear") || p.label.startsWith("surprise"));
  for (const facialHair of ["shortBeard", "fullBeard"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, pose } of poses) {
        const grooves = hairGrooves(faceGeometry(id, pose), id);
        const what = `${facialHair} ${seed} ${label}`;
        if (label.startsWith("surprise")) assert.equal(grooves.length, 0, `${what}: no groove`);
        else {
          assert.deepEqual(grooves.map((g) => g.side).sort(), [-1, 1], `${what}: a groove each side`);
          assert.ok(grooves.every((g) => !g.sneer && g.level >= 0.7), `${what}: the stretch's own groove`);
        }
      }
    }
  }
});

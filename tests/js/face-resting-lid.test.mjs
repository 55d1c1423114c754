// The relaxed upper lid rests a little onto the iris's top, as real relaxed eyes do. Held higher (a whole iris with
// white beside it under a heavy lash line) it read as a wide eye: face-api called resting bearded faces surprised.
import { test } from "node:test";
import assert from "node:assert/strict";

import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const IDENTITIES = Array.from({ length: 40 }, (_, i) => identityFromSeed((i * 2654435761 + 17) >>> 0));

/** How far the upper lid's middle reaches below the iris's top, and the opening, in iris diameters (left eye). */
function eye(identity, pose) {
  const e = faceGeometry(identity, pose).eyes.L;
  const diameter = 2 * e.iris.r;
  return {
    cover: (e.upper[2].y - (e.iris.y - e.iris.r)) / diameter,
    opening: (e.lower[2].y - e.upper[2].y) / diameter,
  };
}

test("at rest the upper lid covers the iris's top a little: relaxed, not wide and not sleepy", () => {
  for (const identity of IDENTITIES) {
    const { cover, opening } = eye(identity, NEUTRAL);
    // Before: 6-7% of the iris under the lid, a staring eye.
    assert.ok(cover > 0.12, `seed ${identity.seed}: the lid covers ${(cover * 100).toFixed(1)}% of the iris`);
    assert.ok(cover < 0.25, `seed ${identity.seed}: a heavy, sleepy lid (${(cover * 100).toFixed(1)}%)`);
    assert.ok(opening > 0.6, `seed ${identity.seed}: the resting eye is open (${opening.toFixed(2)} diameters)`);
  }
});

test("the upper lid raiser still bares white above the iris; sad and smiling eyes stay open", () => {
  const poses = fullPoses();
  for (const identity of IDENTITIES) {
    for (const { label, units, pose } of poses) {
      const { cover, opening } = eye(identity, pose);
      if ((units[5] ?? 0) >= 0.5) {
        assert.ok(cover < -0.05, `${label}, seed ${identity.seed}: no white above the iris (${cover.toFixed(3)})`);
      }
      if (label.startsWith("sadness")) assert.ok(opening > 0.42, `${label}: the sad eye looks asleep`);
      if (label.startsWith("happiness")) assert.ok(opening > 0.25, `${label}: the smile shuts the eye`);
    }
  }
});

// Facial hair follows the expression without hiding it: a smile's folds show through a short or full beard as
// grooves in the hair (a sneer's did already), and stubble on the cheeks starts at the mouth corners, wherever an
// expression moves them, so it never greys the cheeks beside fear's stretched mouth.
import { test } from "node:test";
import assert from "node:assert/strict";

import { hairGrooves, stubbleTop } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 8 }, (_, i) => (i * 2654435761) >>> 0);
const posesWithRest = () => [{ label: "neutral", units: {}, pose: NEUTRAL }, ...fullPoses()];

test("a smile's folds show through a beard as grooves in the hair; a face at rest shows none", () => {
  const poses = posesWithRest();
  for (const facialHair of ["none", "stubble", "moustache", "goatee", "shortBeard", "fullBeard"]) {
    const beard = facialHair === "shortBeard" || facialHair === "fullBeard";
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, units, pose } of poses) {
        const grooves = hairGrooves(faceGeometry(id, pose), id);
        const what = `${facialHair} ${seed} ${label}`;
        const sides = new Set(grooves.map((g) => g.side));
        if (!beard || !(units[9] || units[12] || units[20])) assert.equal(grooves.length, 0, `${what}: no groove`);
        else if (label.startsWith("happiness")) {
          assert.deepEqual([...sides].sort(), [-1, 1], `${what}: a groove on each side of the smile`);
          assert.ok(grooves.every((g) => g.level >= 0.9), `${what}: as deep as the smile`);
        } else if (units[12]) assert.equal(sides.size, 1, `${what}: a one-sided smile grooves its own side`);
      }
    }
  }
});

test("stubble on the cheeks starts at the mouth corners' line, in every pose", () => {
  for (const seed of SEEDS) {
    const id = identityFromSeed(seed, { facialHair: "stubble" });
    for (const { label, pose } of posesWithRest()) {
      const geo = faceGeometry(id, pose);
      const top = stubbleTop(geo);
      const [high, low] = [geo.mouth.cornerL.y, geo.mouth.cornerR.y].sort((a, b) => a - b);
      assert.ok(top >= high && top <= low, `${seed} ${label}: between the corners' heights`);
      assert.ok(top > geo.nose.subnasale.y + 2 * geo.unit, `${seed} ${label}: bare cheeks beside the nose and upper lip`);
    }
  }
});

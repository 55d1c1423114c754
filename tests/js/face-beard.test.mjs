// A beard follows the mouth and leaves its shape alone: it thins up the cheeks and the upper lip and is full only
// below the mouth's corners, wherever an expression moves them; and the skin margin round the lips shows in every
// pose except lips pressed shut, where the hair closes up to the rolled-in lips.
import { test } from "node:test";
import assert from "node:assert/strict";

import { beardThinning, lipMarginStrength } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const posesWithRest = () => [{ label: "neutral", units: {}, pose: NEUTRAL }, ...fullPoses()];
const SEEDS = Array.from({ length: 12 }, (_, i) => (i * 2654435761) >>> 0);

test("a beard is thin under the nose and full just below the mouth corners, in every pose", () => {
  for (const facialHair of ["shortBeard", "fullBeard"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, pose } of posesWithRest()) {
        const geo = faceGeometry(id, pose);
        const { thinY, fullY, thin } = beardThinning(geo);
        const m = geo.mouth;
        const what = `${facialHair} ${seed} ${label}`;
        assert.ok(thin <= 0.4, `${what}: at most 0.4 of the chin's density under the nose (${thin})`);
        // The hair beside the upper lip is thinner than on the chin, and full only below both corners.
        const density = (y) => thin + (1 - thin) * Math.min(1, Math.max(0, (y - thinY) / (fullY - thinY)));
        const lipTop = Math.min(...m.upperOuter.map((p) => p.y));
        assert.ok(density(lipTop) < 0.8, `${what}: ${density(lipTop).toFixed(2)} of full density by the upper lip`);
        const lowestCorner = Math.max(m.cornerL.y, m.cornerR.y);
        assert.ok(fullY > lowestCorner && fullY < lowestCorner + 3 * geo.unit,
          `${what}: full below both corners, within 3 units (${((fullY - lowestCorner) / geo.unit).toFixed(2)} units)`);
      }
    }
  }
});

test("the beard's full edge follows the corners down when the jaw drops", () => {
  const id = identityFromSeed(SEEDS[3], { facialHair: "fullBeard" });
  const rest = beardThinning(faceGeometry(id, NEUTRAL)).fullY;
  const fear = posesWithRest().find((p) => p.label === "fear v1");
  const geo = faceGeometry(id, fear.pose);
  const cornersMoved = (geo.mouth.cornerL.y + geo.mouth.cornerR.y) / 2
    - (faceGeometry(id, NEUTRAL).mouth.cornerL.y + faceGeometry(id, NEUTRAL).mouth.cornerR.y) / 2;
  assert.ok(Math.abs(beardThinning(geo).fullY - rest - cornersMoved) < 1e-9, "moves with the corners");
});

test("the lips' skin margin shows in every pose but pressed lips", () => {
  for (const seed of SEEDS.slice(0, 4)) {
    const id = identityFromSeed(seed, { facialHair: "shortBeard" });
    for (const { label, units, pose } of posesWithRest()) {
      const strength = lipMarginStrength(faceGeometry(id, pose));
      if (units[24] >= 1) assert.equal(strength, 0, `${label}: pressed lips, the hair closes up to them`);
      else if (!units[24]) assert.equal(strength, 1, `${label}: the margin shows in full`);
    }
  }
});

// Fear's stretched corners in a full beard: the lips' pale skin margin fades beside the corners, so the taut lips
// end in points in the hair instead of blunt, rounded ends (an open oval, which fer read as surprise). Every other
// mouth, and every other kind of facial hair, keeps its margin in full.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lipMarginAtCorners } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 6 }, (_, i) => (i * 2654435761) >>> 0);
const poses = () => [{ label: "neutral", units: {}, pose: NEUTRAL }, ...fullPoses()];

test("in a full beard, fear's stretched corners lose most of the lips' skin margin; a mouth without AU20 keeps it", () => {
  for (const seed of SEEDS) {
    const id = identityFromSeed(seed, { facialHair: "fullBeard" });
    for (const { label, units, pose } of poses()) {
      const share = lipMarginAtCorners(faceGeometry(id, pose), id.facialHair);
      if (label.startsWith("fear")) assert.ok(share <= 0.5, `${seed} ${label}: ${share} of the margin at the corners`);
      else if (!units[20]) assert.equal(share, 1, `${seed} ${label}: the margin rings the corners in full`);
    }
  }
});

test("short beards and goatees keep the margin round fear's corners", () => {
  for (const facialHair of ["shortBeard", "goatee"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, pose } of fullPoses().filter((p) => p.label.startsWith("fear"))) {
        assert.equal(lipMarginAtCorners(faceGeometry(id, pose), facialHair), 1, `${facialHair} ${seed} ${label}`);
      }
    }
  }
});

// Disgust's furrows (AU9/AU10) in a short or full beard are partings in the hair: a shadow in the hair's own dark
// tone fading off toward the mouth, the cheek's hair lit beside it, not a hard dark line drawn over the hair (which
// read as tusks or braces from the nose wings to below the mouth). A smile's fold in a beard keeps its own groove.
import { test } from "node:test";
import assert from "node:assert/strict";

import { facialHairPalette, hairGrooves, skinPalette, sneerGrooveTones } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { lightness } from "../../static/js/face/paths.js";
import { fullPoses } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 8 }, (_, i) => (i * 2654435761) >>> 0);

test("in a beard, a sneer's furrows are drawn as partings in the hair and a smile's folds as its own grooves", () => {
  for (const facialHair of ["shortBeard", "fullBeard"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      for (const { label, units, pose } of fullPoses()) {
        const grooves = hairGrooves(faceGeometry(id, pose), id);
        const what = `${facialHair} ${seed} ${label}`;
        if (label.startsWith("disgust")) {
          assert.deepEqual(grooves.map((g) => g.side).sort(), [-1, 1], `${what}: a furrow on each side`);
          assert.ok(grooves.every((g) => g.sneer), `${what}: both are the sneer's partings`);
        } else if (!units[9]) assert.ok(grooves.every((g) => !g.sneer), `${what}: no sneer without AU9`);
      }
    }
  }
});

test("a sneer's parting in a beard is shaded in the hair's own dark tone, graded, with the cheek's hair lit beside it", () => {
  for (const facialHair of ["shortBeard", "fullBeard"]) {
    for (const seed of SEEDS) {
      for (const fitzpatrick of [1, 6]) {
        const id = identityFromSeed(seed, { facialHair, fitzpatrick });
        const hair = facialHairPalette(id);
        const tones = sneerGrooveTones(hair, skinPalette(id));
        const what = `${facialHair} ${seed} type ${fitzpatrick}`;
        assert.deepEqual(tones.crease, hair.dark, `${what}: the trough is the hair's shadow`);
        // On main: a 0.7-opaque dark stroke on the line and a lit one beside it, braces through the beard.
        // Now the darkest shade is at the line, fading off over 2.6 units toward the mouth.
        assert.ok(tones.shade.crease <= 0.7 && tones.shade.fold < tones.shade.crease, `${what}: a shadow fading off`);
        assert.ok(tones.edge <= 0.3, `${what}: no hard line along the furrow`);
        assert.ok(lightness(tones.lit) > lightness(hair.dark), `${what}: the bunched cheek hair is lit`);
        assert.ok(tones.litAlpha < 1, `${what}: lit softer than bare skin's cheek`);
      }
    }
  }
});

// Disgust's bunched skin (the wrinkled nose root's ridges, the roll of skin over the raised upper lip) shows on dark
// skin by the light on it: a shadow of type VI skin has little lightness left to lose, so there the ridges are lit a
// set lightness above the skin, like the nose's own glint, instead of in the proportional ridge tone. Types I-III are
// drawn exactly as before.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness } from "../../static/js/face/paths.js";
import { bunchedLight, darkHighlightShare, skinPalette } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

const SEEDS = Array.from({ length: 60 }, (_, i) => i * 7919 + 11);

test("the wrinkled nose's ridges are lit brighter than the ridge tone on types V-VI, and as before on I-III", () => {
  for (const seed of SEEDS) {
    for (const facialHair of ["none", "fullBeard"]) {
      for (const fitzpatrick of [1, 2, 3]) {
        const skin = skinPalette(identityFromSeed(seed, { fitzpatrick, facialHair }));
        assert.equal(darkHighlightShare(skin), 0);
        assert.deepEqual(bunchedLight(skin), skin.ridge, `seed ${seed} type ${fitzpatrick}`);
      }
      const lifts = [4, 5, 6].map((fitzpatrick) => {
        const skin = skinPalette(identityFromSeed(seed, { fitzpatrick, facialHair }));
        const lit = lightness(bunchedLight(skin));
        const l = lightness(skin.base);
        // A glint's lift at most (as the nose tip's), in a beard too, where the sheen itself is not capped.
        assert.ok(lit <= l + 12.6, `seed ${seed} type ${fitzpatrick}: lit L* ${lit.toFixed(1)} on skin L* ${l.toFixed(1)}`);
        assert.ok(lit >= lightness(skin.ridge) - 0.1, `seed ${seed} type ${fitzpatrick}: no darker than the ridge tone`);
        return lit - l;
      });
      // On type VI the ridge stands clearly off the skin (the proportional ridge tone was ~6 L* above it).
      assert.ok(lifts[2] > 10, `seed ${seed} ${facialHair}: type VI ridge ${lifts[2].toFixed(1)} L* above the skin`);
    }
  }
});

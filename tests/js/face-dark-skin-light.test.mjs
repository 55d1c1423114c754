// On dark skin the nose's glints and the whites of the eyes are lit relative to the skin, not near white: a bright
// nose tip and staring whites in a dark face read as a resting face. Types I-III look exactly as before, and the
// upper lid's retraction (AU5: surprise, fear, the glare) still bares as bright a white as before.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, mixRgb } from "../../static/js/face/paths.js";
import { eyeWhite, skinPalette } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

const SEEDS = [3, 77, 1234, 987654];
const skinsOf = (seed, facialHair = "none") =>
  [1, 2, 3, 4, 5, 6].map((fitzpatrick) => skinPalette(identityFromSeed(seed, { fitzpatrick, facialHair })));
const above = (rgb, skin) => lightness(rgb) - lightness(skin.base);
const sclera = (skin) => mixRgb([240, 236, 230], skin.base, 0.12);

test("the nose's glint is the sheen on types I-III and no more than 12.5 L* above the skin on IV-VI", () => {
  for (const seed of SEEDS) {
    const skins = skinsOf(seed);
    for (const skin of skins.slice(0, 3)) assert.deepEqual(skin.glint, skin.sheen);
    for (const [i, skin] of skins.entries()) {
      const lift = above(skin.glint, skin);
      assert.ok(lift > 1 && lift <= 12.51, `seed ${seed} type ${i + 1}: glint ${lift.toFixed(1)} L* above the skin`);
    }
    // Still a highlight on type VI, as lit as type III's.
    assert.ok(above(skins[5].glint, skins[5]) >= above(skins[2].glint, skins[2]) - 0.5);
    assert.ok(above(skins[5].sheen, skins[5]) > 30, "the cheeks' and chin's sheen on type VI is not capped");
  }
});

test("in a short or full beard the nose keeps its sheen (FaceMesh finds the open mouth below it); stubble does not", () => {
  for (const seed of SEEDS) {
    for (const beard of ["shortBeard", "fullBeard"]) {
      for (const skin of skinsOf(seed, beard)) assert.deepEqual(skin.glint, skin.sheen);
    }
    const stubbled = skinsOf(seed, "stubble")[5];
    assert.ok(above(stubbled.glint, stubbled) <= 12.51, `seed ${seed}: a stubbled type VI nose is capped`);
  }
});

test("the whites of a relaxed eye stand at most 40 L* above the skin; a retracted lid bares them as before", () => {
  for (const seed of SEEDS) {
    const skins = skinsOf(seed);
    for (const skin of skins.slice(0, 4)) {
      assert.deepEqual(eyeWhite(skin, 0), sclera(skin), "types I-IV keep their whites");
    }
    const vi = skins[5];
    const relaxed = above(eyeWhite(vi, 0), vi);
    assert.ok(relaxed > 35 && relaxed <= 40.01, `seed ${seed}: type VI white ${relaxed.toFixed(1)} L* above the skin`);
    // The validator counts a white at L* >= 60: a relaxed type VI white stays well above it, for fer's stare too.
    assert.ok(lightness(eyeWhite(vi, 0)) > 62, `seed ${seed}: type VI white L* ${lightness(eyeWhite(vi, 0)).toFixed(1)}`);
    assert.deepEqual(eyeWhite(vi, 1), sclera(vi), "fear's full AU5 shows the white as bright as ever");
    const half = above(eyeWhite(vi, 0.5), vi);
    assert.ok(half > relaxed + 10, `seed ${seed}: AU5 0.5 lifts the white (${relaxed.toFixed(1)} -> ${half.toFixed(1)})`);
  }
});

test("disgust's squint (AU9) shades the white between the narrowed lids to near the skin on every type", () => {
  for (const seed of SEEDS) {
    for (const [i, skin] of skinsOf(seed).entries()) {
      const squinted = above(eyeWhite(skin, 0, undefined, 1), skin);
      // A sliver in the lids' shadow, not a bright slit (on type VI the resting white is 40 L* above the skin) ...
      assert.ok(squinted >= 0 && squinted <= 2.5, `seed ${seed} type ${i + 1}: squinted white ${squinted.toFixed(1)} L* above`);
      // ... halfway at half strength, and the resting eye (no AU9) as before.
      const half = above(eyeWhite(skin, 0, undefined, 0.5), skin);
      assert.ok(half > squinted && half <= 21.5, `seed ${seed} type ${i + 1}: half-strength squint ${half.toFixed(1)} L* above`);
      assert.deepEqual(eyeWhite(skin, 0, undefined, 0), eyeWhite(skin, 0));
    }
    const vi = skinsOf(seed)[5];
    assert.ok(above(eyeWhite(vi, 0), vi) > 35, "type VI's resting white is still lit");
  }
});

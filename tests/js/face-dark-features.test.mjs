// On dark skin the irises and the lower lip's light keep the contrast with the skin that they have on pale skin, as
// in photographs: a brown iris darker than the skin round it, a lower lip close to the skin's lightness, not a pale
// spot. Types I-III are drawn exactly as before.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, mixRgb, withLightness } from "../../static/js/face/paths.js";
import { lipSheen, lowerLipLight, skinPalette } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

const SEEDS = Array.from({ length: 60 }, (_, i) => i * 7919 + 11);
const identityOf = (seed, fitzpatrick) => identityFromSeed(seed, { fitzpatrick });

test("an iris is darker than the skin round the eye on type VI, as on type I; types I-III keep their eye colour", () => {
  let brownOnVI = 0;
  for (const seed of SEEDS) {
    for (const fitzpatrick of [1, 2, 3]) {
      const identity = identityOf(seed, fitzpatrick);
      const skin = skinPalette(identity);
      assert.deepEqual(skin.iris, identity.eyes.rgb, `seed ${seed} type ${fitzpatrick}`);
      assert.deepEqual(skin.irisCentre, mixRgb(identity.eyes.rgb, [255, 230, 170], 0.25));
    }
    for (const fitzpatrick of [4, 5, 6]) {
      const identity = identityOf(seed, fitzpatrick);
      const skin = skinPalette(identity);
      const share = lightness(skin.iris) / lightness(skin.base);
      assert.ok(share <= 0.781, `seed ${seed} type ${fitzpatrick}: iris at ${share.toFixed(2)} of the skin's L*`);
      assert.ok(lightness(skin.irisCentre) / lightness(skin.base) <= 0.921, `seed ${seed} type ${fitzpatrick}: centre`);
      // Still the identity's hue, and still lighter at the centre than at the rim.
      assert.ok(lightness(skin.irisCentre) > lightness(skin.iris));
      if (fitzpatrick === 6 && identity.eyes.colour === "brown") {
        brownOnVI += 1;
        assert.ok(lightness(skin.iris) < lightness(skin.base) - 5, `seed ${seed}: a brown iris darker than type VI skin`);
      }
    }
  }
  assert.ok(brownOnVI > 5, "the sample has brown-eyed type VI faces");
});

test("the lower lip's lit middle stays near the lip on type VI (not lighter than the skin); types I-III unchanged", () => {
  const litLowerLip = (skin) => mixRgb(lowerLipLight(skin, skin.lip), lipSheen(skin), 0.1 + skin.dark * 0.2);
  for (const seed of SEEDS) {
    for (const fitzpatrick of [1, 2, 3]) {
      const skin = skinPalette(identityOf(seed, fitzpatrick));
      assert.deepEqual(lowerLipLight(skin, skin.lip), mixRgb(skin.lip, [255, 235, 230], 0.16));
      assert.deepEqual(lipSheen(skin), skin.sheen);
    }
    const ratios = [1, 2, 3, 4, 5, 6].map((fitzpatrick) => {
      const skin = skinPalette(identityOf(seed, fitzpatrick));
      return { skin, ratio: lightness(litLowerLip(skin)) / lightness(skin.lip) };
    });
    const typeI = ratios[0].ratio;
    for (const [i, { skin, ratio }] of ratios.entries()) {
      // Type VI was lit to twice the lip's L* (17 L* above its skin); types I-III reach 1.27.
      assert.ok(ratio <= 1.36, `seed ${seed} type ${i + 1}: lit lower lip at ${ratio.toFixed(2)} of the lip's L*`);
      assert.ok(ratio >= typeI - 0.02, `seed ${seed} type ${i + 1}: still lit (${ratio.toFixed(2)})`);
      if (i === 5) {
        const above = lightness(litLowerLip(skin)) - lightness(skin.base);
        assert.ok(above < 4, `seed ${seed}: type VI lower lip ${above.toFixed(1)} L* above the skin`);
      }
    }
  }
});

test("a pressed lip keeps its lit middle: the bound is the palette's lip, not the darker pressed red", () => {
  for (const seed of SEEDS.slice(0, 10)) {
    for (const fitzpatrick of [1, 3, 6]) {
      const skin = skinPalette(identityOf(seed, fitzpatrick));
      const pressed = withLightness(skin.lip, lightness(skin.lip) - 14); // anger's pressed lips
      assert.deepEqual(lowerLipLight(skin, pressed), mixRgb(pressed, [255, 235, 230], 0.16), `seed ${seed} ${fitzpatrick}`);
    }
  }
});

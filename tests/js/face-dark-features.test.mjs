// On dark skin the irises keep the contrast with the skin that they have on pale skin, as in photographs: a brown
// iris darker than the skin round it, not as light as it. Types I-III are drawn exactly as before.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, mixRgb } from "../../static/js/face/paths.js";
import { skinPalette } from "../../static/js/face/draw.js";
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

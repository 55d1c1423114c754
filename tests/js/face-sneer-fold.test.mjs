// Disgust's deepened nasolabial furrow (AU9/AU10) must show on every skin: the shadow on its mouth side takes a
// larger share of type VI skin's lightness than of type I's, and reaches as far. The cheek lit
// beside it is a lighter shade of the skin on every type, not a pale stripe on dark skin.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, luminanceOfL, mixRgb } from "../../static/js/face/paths.js";
import { bulgeLight, skinPalette, sneerCheekLight, sneerFurrowShade } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

/** L* the furrow's crease tone takes off the skin it is laid on, at full intensity. */
function furrowDrop(skin) {
  const shade = sneerFurrowShade(skin);
  return lightness(skin.base) - lightness(mixRgb(skin.base, skin.crease, shade.crease));
}

test("the sneer's furrow is at least as dark against type VI skin as against type I, and as wide", () => {
  for (const seed of [3, 77, 1234, 987654]) {
    const skins = [1, 2, 3, 4, 5, 6].map((fitzpatrick) => skinPalette(identityFromSeed(seed, { fitzpatrick })));
    const drops = skins.map(furrowDrop);
    for (const [i, drop] of drops.entries()) {
      const skin = lightness(skins[i].base);
      assert.ok(drop > Math.min(12, 0.35 * skin), `seed ${seed} type ${i + 1}: the furrow takes ${drop.toFixed(1)} of L* ${skin}`);
    }
    // A shade of dark skin has little lightness to lose: at the pale types' opacity the fold read weaker there.
    // As a share of the skin's own L* (the crease tone is proportional on dark skin), VI's furrow is the deeper.
    const share = drops.map((drop, i) => drop / lightness(skins[i].base));
    assert.ok(share[5] > share[0] + 0.1, `seed ${seed}: furrow's share of the skin's L* I ${share[0]} vs VI ${share[5]}`);
    const reach = skins.map((skin) => sneerFurrowShade(skin).reach);
    for (let i = 1; i < 6; i++) assert.ok(reach[i] >= reach[i - 1], `seed ${seed}: reach ${reach}`);
    for (const skin of skins) {
      const shade = sneerFurrowShade(skin);
      assert.ok(shade.crease <= 1 && shade.fold < shade.crease, "the crease is darkest; the shadow fades off from it");
    }
  }
});

/** Relative luminance of an sRGB colour, from its L*. */
const luminance = (rgb) => luminanceOfL(lightness(rgb));

test("the cheek lit beside the sneer's furrow is at most 1.4 times as bright as the skin, and still lit, on every type", () => {
  for (const seed of [3, 77, 1234, 987654]) {
    const skins = [1, 2, 3, 4, 5, 6].map((fitzpatrick) => skinPalette(identityFromSeed(seed, { fitzpatrick })));
    const ratios = skins.map((skin) => luminance(sneerCheekLight(skin)) / luminance(skin.base));
    for (const [i, ratio] of ratios.entries()) {
      // On type VI the sheen at the pale types' strength made it 3.3 times the skin: two grey tusks by the mouth.
      assert.ok(ratio <= 1.4 + 1e-6, `seed ${seed} type ${i + 1}: the lit cheek is ${ratio.toFixed(2)} x the skin`);
      assert.ok(ratio > 1.005, `seed ${seed} type ${i + 1}: the cheek beside the furrow is still lit (${ratio.toFixed(3)})`);
    }
    // Dark skin keeps more of its highlight than pale skin, in proportion (a fold on it shows mostly in the light).
    assert.ok(ratios[5] > ratios[0] + 0.2, `seed ${seed}: lit cheek I ${ratios[0].toFixed(2)} vs VI ${ratios[5].toFixed(2)}`);
    // Types I-III keep the sheen they had (0.14 + 0.36 x darkness of it over the skin).
    for (const skin of skins.slice(0, 3)) {
      assert.deepEqual(sneerCheekLight(skin), mixRgb(skin.base, skin.sheen, 0.14 + skin.dark * 0.36));
    }
  }
});

test("the cheek pushed up under a squinted eye (AU9) is lit no brighter than the skin's ridge tone; a smile's is not capped", () => {
  for (const seed of [3, 77, 1234, 987654]) {
    const skins = [1, 2, 3, 4, 5, 6].map((fitzpatrick) => skinPalette(identityFromSeed(seed, { fitzpatrick })));
    for (const [i, skin] of skins.entries()) {
      assert.deepEqual(bulgeLight(skin, 0), skin.sheen, "without AU9 (a smile's AU6) the bulge keeps the sheen");
      const lit = lightness(bulgeLight(skin, 1));
      assert.ok(lit <= lightness(skin.ridge) + 1e-6 && lit > lightness(skin.base) + 1,
        `seed ${seed} type ${i + 1}: the squint's bulge at L* ${lit.toFixed(1)} on skin ${lightness(skin.base).toFixed(1)}`);
    }
    // On type VI the sheen was ~40 L* above the skin: at the stroke's 0.3 opacity, a pale bar under each eye.
    const vi = skins[5];
    assert.ok(lightness(bulgeLight(vi, 1)) - lightness(vi.base) <= 22, `seed ${seed}: type VI bulge light`);
    for (const skin of skins.slice(0, 3)) assert.deepEqual(bulgeLight(skin, 1), skin.sheen, "types I-III unchanged");
  }
});

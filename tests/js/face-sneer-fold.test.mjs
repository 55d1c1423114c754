// Disgust's deepened nasolabial furrow (AU9/AU10) must show on every skin: the shadow on its mouth side darkens
// type V-VI skin at least as much, in perceived lightness, as it darkens type I, and reaches as far.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, mixRgb } from "../../static/js/face/paths.js";
import { skinPalette, sneerFurrowShade } from "../../static/js/face/draw.js";
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
